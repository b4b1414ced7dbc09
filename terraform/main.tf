# The base infrastructure of one environment: a VPC, the shared PostgreSQL, the shared tenant bucket,
# the ECS cluster with the controller service and the agent task definitions, and the IAM around them.
# Everything per tenant (roles, prefixes, secrets, schedules) is created by the controller, not here.

locals {
  # Bucket names are global: the account and region make the default unique.
  bucket_name  = coalesce(var.tenant_bucket_name, "${var.name}-tenants-${var.aws_account_id}-${var.region}")
  cluster_name = var.name
  # The controller's default OPENCLAW_METRICS_NAMESPACE: alarms and the workers' scaling read it.
  metrics_namespace   = "OpenClaw/Controller"
  controller_family   = "${var.name}-controller"
  controller_service  = "${var.name}-controller"
  pool_worker_family  = "${var.name}-pool-worker"
  pool_worker_service = "${var.name}-pool-worker"
  log_group_names = {
    controller = "/${var.name}/controller"
    agents     = "/${var.name}/agents"
  }
  # The controller starts agents by family name: <prefix><agent> (openclaw-agent-butler, ...).
  agent_families = { for agent in keys(var.agents) : agent => "${var.agent_task_definition_prefix}${agent}" }

  # The controller's heap cap (MiB): V8 keeps the pages its heap once grew to, so without a cap the task's
  # memory stays at its largest pass; 3/8 of the task leaves the rest for code, native memory and bursts.
  controller_heap_mb = coalesce(var.controller_heap_mb, floor(var.controller_memory * 3 / 8))

  # The controller's configuration: one entry per environment variable it reads (controller/config.ts),
  # and NODE_OPTIONS, which Node itself reads. Each one is also a root output named after it in lower case
  # (outputs.tf), so the values the service runs with and the values an operator reads are the same.
  controller_environment = {
    NODE_OPTIONS = "--max-old-space-size=${local.controller_heap_mb}"
    # No password in the URL: the controller reads it from OPENCLAW_DB_SECRET_ARN. verify-full checks
    # RDS's certificate against the CA bundle the image trusts (NODE_EXTRA_CA_CERTS in the Dockerfile).
    DATABASE_URL                          = "postgresql://${module.database.master_username}@${module.database.address}:${module.database.port}/${module.database.db_name}?sslmode=verify-full"
    OPENCLAW_DB_SECRET_ARN                = module.database.master_user_secret_arn
    AWS_REGION                            = var.region
    OPENCLAW_PROVIDER                     = "aws"
    OPENCLAW_TENANT_BUCKET                = module.storage.bucket_name
    OPENCLAW_PERMISSIONS_BOUNDARY_ARN     = module.security.permissions_boundary_arn
    OPENCLAW_IAM_PATH                     = var.iam_path
    OPENCLAW_SECRETS_PREFIX               = var.secrets_prefix
    OPENCLAW_ECS_CLUSTER                  = local.cluster_name
    OPENCLAW_SUBNETS                      = join(",", module.networking.private_subnet_ids)
    OPENCLAW_SECURITY_GROUPS              = join(",", [module.networking.tasks_security_group_id])
    OPENCLAW_AGENT_TASK_DEFINITION_PREFIX = var.agent_task_definition_prefix
    OPENCLAW_HTTP_PORT                    = tostring(var.http_port)
    OPENCLAW_GIT_URL                      = var.git_url
    OPENCLAW_GIT_BRANCH                   = var.git_branch
    OPENCLAW_GIT_PATH                     = var.git_path
    OPENCLAW_GITHUB_APP_ID                = var.github_app == null ? "" : var.github_app.app_id
    OPENCLAW_GITHUB_APP_INSTALLATION_ID   = var.github_app == null ? "" : var.github_app.installation_id
    OPENCLAW_LOG_LEVEL                    = var.log_level
    OPENCLAW_PUBLIC_PORT                  = tostring(var.public_port)
    OPENCLAW_PUBLIC_URL                   = var.public_url
    # Empty for a provider without a client: the controller then refuses to issue its links.
    OPENCLAW_GOOGLE_CLIENT_ID            = lookup(var.oauth_client_ids, "google", "")
    OPENCLAW_GOOGLE_CLIENT_SECRET_ARN    = lookup(module.security.oauth_client_secret_arns, "google", "")
    OPENCLAW_MICROSOFT_CLIENT_ID         = lookup(var.oauth_client_ids, "microsoft", "")
    OPENCLAW_MICROSOFT_CLIENT_SECRET_ARN = lookup(module.security.oauth_client_secret_arns, "microsoft", "")
    OPENCLAW_HUBSPOT_CLIENT_ID           = lookup(var.oauth_client_ids, "hubspot", "")
    OPENCLAW_HUBSPOT_CLIENT_SECRET_ARN   = lookup(module.security.oauth_client_secret_arns, "hubspot", "")
    # butler's digest: sent through SES as this address only (module.email), through this configuration set.
    OPENCLAW_SES_FROM_ADDRESS      = module.email.from_address
    OPENCLAW_SES_CONFIGURATION_SET = module.email.configuration_set_name
  }

  # Values ECS injects from Secrets Manager at task start: only the git credentials (a token or a GitHub
  # App's key), so they are never in the task definition, the Terraform state or an output in plain text.
  # Not the database password: the RDS-managed master secret rotates every 7 days, and a value read at task
  # start would fail every new connection after that; the controller reads that secret itself
  # (OPENCLAW_DB_SECRET_ARN) and again whenever the password is refused.
  controller_secrets = {
    for name, arn in {
      OPENCLAW_GIT_TOKEN              = var.git_token_secret_arn
      OPENCLAW_GITHUB_APP_PRIVATE_KEY = var.github_app == null ? null : var.github_app.private_key_secret_arn
    } : name => arn if arn != null
  }

  # The pooled workers' service (tenantctl pool-worker): its own database login, whose password the controller
  # generated into <prefix>/pool/worker-db, and the shared tenant-access role it vends each run's credentials from.
  pool_worker_environment = {
    DATABASE_URL                      = "postgresql://openclaw_pool_worker@${module.database.address}:${module.database.port}/${module.database.db_name}?sslmode=verify-full"
    OPENCLAW_DB_SECRET_ARN            = module.security.pool_worker_db_secret_arn
    AWS_REGION                        = var.region
    OPENCLAW_PROVIDER                 = "aws"
    OPENCLAW_TENANT_BUCKET            = module.storage.bucket_name
    OPENCLAW_PERMISSIONS_BOUNDARY_ARN = module.security.permissions_boundary_arn
    OPENCLAW_SECRETS_PREFIX           = var.secrets_prefix
    OPENCLAW_TENANT_ACCESS_ROLE_ARN   = module.security.tenant_access_role_arn
    OPENCLAW_POOL_WORKERS             = tostring(var.pool_workers.runs_per_task)
    OPENCLAW_DATA_DIR                 = "/tmp/openclaw"
    OPENCLAW_LOG_LEVEL                = var.log_level
    OPENCLAW_SES_FROM_ADDRESS         = module.email.from_address
    OPENCLAW_SES_CONFIGURATION_SET    = module.email.configuration_set_name
  }

  # Agents get the tenant's identity, role and secret names from the controller's RunTask overrides; the
  # task definition only carries what is the same for every tenant. PG* are libpq's variables, which
  # node-postgres reads; the user and password are the tenant's runtime credentials from its db secret.
  agent_environment = {
    AWS_REGION              = var.region
    OPENCLAW_PROVIDER       = "aws"
    OPENCLAW_TENANT_BUCKET  = module.storage.bucket_name
    OPENCLAW_SECRETS_PREFIX = var.secrets_prefix
    OPENCLAW_LOG_LEVEL      = var.log_level
    PGHOST                  = module.database.address
    PGPORT                  = tostring(module.database.port)
    PGDATABASE              = module.database.db_name
    PGSSLMODE               = "verify-full"
  }
}

module "networking" {
  source = "./modules/networking"

  name                = var.name
  vpc_cidr            = var.vpc_cidr
  az_count            = var.az_count
  single_nat_gateway  = var.single_nat_gateway
  interface_endpoints = var.interface_endpoints
}

module "database" {
  source = "./modules/database"

  name                      = var.name
  vpc_id                    = module.networking.vpc_id
  subnet_ids                = module.networking.private_subnet_ids
  client_security_group_ids = [module.networking.tasks_security_group_id]
  engine_version            = var.db_engine_version
  instance_class            = var.db_instance_class
  allocated_storage         = var.db_allocated_storage
  max_allocated_storage     = var.db_max_allocated_storage
  multi_az                  = var.db_multi_az
  backup_retention_days     = var.db_backup_retention_days
  db_name                   = var.db_name
  master_username           = var.db_master_username
}

module "storage" {
  source = "./modules/storage"

  bucket_name = local.bucket_name
}

module "compute" {
  source = "./modules/compute"

  cluster_name                  = local.cluster_name
  repository_name               = var.name
  controller_family             = local.controller_family
  controller_service_name       = local.controller_service
  image_tag                     = var.image_tag
  controller_cpu                = var.controller_cpu
  controller_memory             = var.controller_memory
  http_port                     = var.http_port
  vpc_id                        = module.networking.vpc_id
  public_port                   = var.public_port
  public_face                   = var.public_url == "" ? null : { subnet_ids = module.networking.public_subnet_ids, certificate_arn = var.public_certificate_arn }
  controller_environment        = local.controller_environment
  controller_secrets            = local.controller_secrets
  controller_task_role_arn      = module.security.controller_task_role_arn
  controller_execution_role_arn = module.security.controller_execution_role_arn
  agents                        = var.agents
  agent_families                = local.agent_families
  agent_environment             = local.agent_environment
  agent_execution_role_arn      = module.security.agent_execution_role_arn
  subnet_ids                    = module.networking.private_subnet_ids
  security_group_ids            = [module.networking.tasks_security_group_id]
  log_group_names               = local.log_group_names
  log_retention_days            = var.log_retention_days
  pool_worker_family            = local.pool_worker_family
  pool_worker_service_name      = local.pool_worker_service
  pool_workers                  = var.pool_workers
  pool_worker_environment       = local.pool_worker_environment
  pool_worker_task_role_arn     = module.security.pool_worker_role_arn
  metrics_namespace             = local.metrics_namespace
}

module "email" {
  source = "./modules/email"

  name            = var.name
  domain          = var.email_domain
  from_local_part = var.email_from_local_part
}

module "monitoring" {
  source = "./modules/monitoring"

  name                         = var.name
  cluster_name                 = local.cluster_name
  controller_service_name      = local.controller_service
  metrics_namespace            = local.metrics_namespace
  no_pass_alarm_minutes        = var.no_pass_alarm_minutes
  agent_failure_rate_threshold = var.agent_failure_rate_threshold
}

module "security" {
  source = "./modules/security"

  name                        = var.name
  iam_path                    = var.iam_path
  secrets_prefix              = var.secrets_prefix
  tenant_bucket_arn           = module.storage.bucket_arn
  cluster_name                = local.cluster_name
  controller_family           = local.controller_family
  controller_service_name     = local.controller_service
  pool_worker_family          = local.pool_worker_family
  pool_worker_service_name    = local.pool_worker_service
  agent_families              = local.agent_families
  log_group_names             = local.log_group_names
  ecr_repository_arn          = module.compute.ecr_repository_arn
  database_secret_arn         = module.database.master_user_secret_arn
  controller_secret_arns      = values(local.controller_secrets)
  github_repository           = var.github_repository
  github_environment          = var.github_environment
  github_plan_environment     = var.github_plan_environment
  terraform_state_bucket      = var.terraform_state_bucket
  create_github_oidc_provider = var.create_github_oidc_provider
  oauth_providers             = keys(var.oauth_client_ids)
  ses_identity_arn            = module.email.identity_arn
  ses_configuration_set_arn   = module.email.configuration_set_arn
  ses_from_address            = module.email.from_address
}
