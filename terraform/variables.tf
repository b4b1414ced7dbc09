# Inputs of the whole stack. Every one is typed, and every one that can hold a wrong value is validated here,
# at the root, so a bad tfvars file fails at plan with a message instead of half-way through an apply.
# A validation accepts exactly what the AWS API accepts for the value's use (or less, and then says why).

locals {
  # Fargate's task sizes: CPU units => the memory values (MiB) allowed with them. 8192 and 16384 need
  # platform 1.4.0 or later, which LATEST is. (Amazon ECS Developer Guide, "Task CPU and memory".)
  fargate_memory_by_cpu = {
    "256"   = [512, 1024, 2048]
    "512"   = range(1024, 4096 + 1, 1024)
    "1024"  = range(2048, 8192 + 1, 1024)
    "2048"  = range(4096, 16384 + 1, 1024)
    "4096"  = range(8192, 30720 + 1, 1024)
    "8192"  = range(16384, 61440 + 1, 4096)
    "16384" = range(32768, 122880 + 1, 8192)
  }
}

variable "aws_account_id" {
  description = "The AWS account this stack belongs to (one account per environment: tenant role names are account-wide)."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be 12 digits."
  }
}

variable "region" {
  description = "AWS region of the stack, e.g. eu-west-1."
  type        = string
  validation {
    # Two to four letters first: eusc-de-east-1 (European Sovereign Cloud) as well as eu-west-1.
    condition     = can(regex("^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "environment" {
  description = "Environment name, used in the Environment tag of every resource (production, staging, ...)."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.environment))
    error_message = "environment must be 2-20 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "name" {
  description = "Prefix of resource names (cluster, service, log groups, repository, roles)."
  type        = string
  default     = "openclaw"
  validation {
    # It is also the RDS instance identifier and parameter group prefix, which may not end with a hyphen
    # or hold two in a row.
    condition     = can(regex("^[a-z][a-z0-9-]{0,18}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must be 2-20 lowercase letters, digits or hyphens, starting with a letter, not ending with a hyphen, without two hyphens in a row."
  }
}

# --- networking -------------------------------------------------------------------------------------------

variable "vpc_cidr" {
  description = "CIDR block of the VPC. A /16: private task subnets are /20 each, room for thousands of concurrent agent tasks."
  type        = string
  default     = "10.40.0.0/16"
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && endswith(var.vpc_cidr, "/16")
    error_message = "vpc_cidr must be a valid IPv4 /16 block, e.g. 10.40.0.0/16."
  }
}

variable "az_count" {
  description = "Number of availability zones to spread subnets (and the database's standby) over."
  type        = number
  default     = 2
  validation {
    condition     = var.az_count >= 2 && var.az_count <= 4 && floor(var.az_count) == var.az_count
    error_message = "az_count must be a whole number from 2 to 4 (RDS needs subnets in at least two zones)."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper) instead of one per zone (survives the loss of a zone)."
  type        = bool
  default     = false
}

variable "interface_endpoints" {
  description = "AWS services reached through interface VPC endpoints instead of the NAT gateway. S3 always gets a (free) gateway endpoint."
  type        = list(string)
  default     = ["secretsmanager", "ecr.api", "ecr.dkr", "logs", "sts"]
  validation {
    condition = alltrue([
      for service in var.interface_endpoints :
      contains(["secretsmanager", "ecr.api", "ecr.dkr", "logs", "sts", "ecs", "bedrock-runtime", "kms", "ssm"], service)
    ])
    error_message = "interface_endpoints may contain: secretsmanager, ecr.api, ecr.dkr, logs, sts, ecs, bedrock-runtime, kms, ssm."
  }
}

# --- database ---------------------------------------------------------------------------------------------

variable "db_engine_version" {
  description = "PostgreSQL version: major 16, optionally with a minor (16.4). A major alone follows RDS's default minor."
  type        = string
  default     = "16"
  validation {
    condition     = can(regex("^16(\\.[0-9]+)?$", var.db_engine_version))
    error_message = "db_engine_version must be 16 or 16.<minor>: the parameter group family is postgres16."
  }
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.medium"
  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.db_instance_class))
    error_message = "db_instance_class must be an RDS class such as db.t4g.medium or db.r7g.large."
  }
}

variable "db_allocated_storage" {
  description = "Initial storage of the database in GiB (gp3)."
  type        = number
  default     = 50
  validation {
    condition     = var.db_allocated_storage >= 20 && var.db_allocated_storage <= 65536
    error_message = "db_allocated_storage must be from 20 to 65536 GiB."
  }
}

variable "db_max_allocated_storage" {
  description = "Ceiling for storage autoscaling in GiB; must be at least db_allocated_storage."
  type        = number
  default     = 500
  validation {
    condition     = var.db_max_allocated_storage >= var.db_allocated_storage && var.db_max_allocated_storage <= 65536
    error_message = "db_max_allocated_storage must be at least db_allocated_storage and at most 65536 GiB."
  }
}

variable "db_multi_az" {
  description = "Keep a synchronous standby in a second zone (recommended for production)."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 14
  validation {
    condition     = var.db_backup_retention_days >= 7 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be from 7 to 35."
  }
}

variable "db_name" {
  description = "Name of the database the controller and the tenants' schemas live in."
  type        = string
  default     = "openclaw"
  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_name))
    error_message = "db_name must start with a letter and hold at most 63 lowercase letters, digits or underscores."
  }
}

variable "db_master_username" {
  description = "Master user of the database; the controller connects as this user to create tenant schemas and roles."
  type        = string
  default     = "openclaw_admin"
  validation {
    # RDS takes 1-16 letters, digits or underscores for a master user (CreateDBInstance's MasterUsername),
    # not PostgreSQL's 63. rdsadmin is RDS's own; postgres and admin are refused as the first names guessed.
    condition     = can(regex("^[a-z][a-z0-9_]{0,15}$", var.db_master_username)) && !contains(["postgres", "admin", "rdsadmin"], var.db_master_username)
    error_message = "db_master_username must be 1-16 lowercase letters, digits or underscores starting with a letter (RDS's limit), and not rdsadmin (RDS's own user), postgres or admin (the first names guessed)."
  }
}

# --- storage ----------------------------------------------------------------------------------------------

variable "tenant_bucket_name" {
  description = "Name of the shared tenant bucket; empty derives <name>-tenants-<account>-<region>."
  type        = string
  default     = ""
  validation {
    # S3's naming rules beyond the characters: no ".." or ".-"/"-.", not an IP address, none of the reserved
    # prefixes (xn--, sthree-, amzn-s3-demo-) and suffixes (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3).
    condition = var.tenant_bucket_name == "" || (
      can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.tenant_bucket_name)) &&
      !can(regex("\\.\\.|\\.-|-\\.", var.tenant_bucket_name)) &&
      !can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", var.tenant_bucket_name)) &&
      !can(regex("^(xn--|sthree-|amzn-s3-demo-)", var.tenant_bucket_name)) &&
      !can(regex("(-s3alias|--ol-s3|\\.mrap|--x-s3|--table-s3)$", var.tenant_bucket_name))
    )
    error_message = "tenant_bucket_name must be empty or a valid S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, no '..', '.-' or '-.', not an IP address, no reserved prefix (xn--, sthree-, amzn-s3-demo-) or suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)."
  }
}

# --- email --------------------------------------------------------------------------------------------------

variable "email_domain" {
  description = "The domain butler's digest is sent from: verified in SES with Easy DKIM (publish the dkim_tokens output as CNAMEs)."
  type        = string
  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.email_domain))
    error_message = "email_domain must be a lowercase DNS domain name such as mail.example.com."
  }
}

variable "email_from_local_part" {
  description = "The part before @ of the one address agents send from (<local part>@<email_domain>)."
  type        = string
  default     = "digest"
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._+-]{0,63}$", var.email_from_local_part))
    error_message = "email_from_local_part must be 1-64 lowercase letters, digits and . _ + -, starting with a letter or digit."
  }
}

# --- compute ----------------------------------------------------------------------------------------------

variable "image_tag" {
  description = "Tag of the image in the stack's ECR repository that the controller and agents run. The terraform workflow passes the tag that is deployed now."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag)) && var.image_tag != "latest"
    error_message = "image_tag must be a Docker tag (letters, digits, _ . -), and not 'latest': the repository's tags are immutable."
  }
}

variable "controller_cpu" {
  description = "Fargate CPU units of the controller task."
  type        = number
  default     = 512
  validation {
    condition     = contains(keys(local.fargate_memory_by_cpu), tostring(var.controller_cpu))
    error_message = "controller_cpu must be one of Fargate's CPU sizes: 256, 512, 1024, 2048, 4096, 8192, 16384."
  }
}

variable "controller_memory" {
  description = "Memory (MiB) of the controller task."
  type        = number
  default     = 1024
  validation {
    condition     = contains(lookup(local.fargate_memory_by_cpu, tostring(var.controller_cpu), []), var.controller_memory)
    error_message = "controller_memory must be a memory size Fargate allows with controller_cpu (CPU: MiB): 256: 512, 1024, 2048; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384; 4096: 8192-30720 (by 1024); 8192: 16384-61440 by 4096; 16384: 32768-122880 by 8192."
  }
}

variable "controller_heap_mb" {
  description = "Cap (MiB) of the V8 old space of the controller's Node process (NODE_OPTIONS=--max-old-space-size): V8 keeps the pages its heap grew to, so the cap bounds the task's resident memory. null: 3/8 of controller_memory, rounded down (1024 => 384, 2048 => 768); the rest of the task is for code, native memory and a pass's bursts (docs/DEPLOY.md, Sizing)."
  type        = number
  default     = null
  validation {
    condition     = var.controller_heap_mb == null ? true : floor(var.controller_heap_mb) == var.controller_heap_mb && var.controller_heap_mb >= 128
    error_message = "controller_heap_mb must be null (3/8 of controller_memory) or a whole number of MiB, 128 at least."
  }
  validation {
    condition     = var.controller_heap_mb == null ? true : var.controller_heap_mb <= var.controller_memory - 256
    error_message = "controller_heap_mb must be at most controller_memory - 256: the task needs about 256 MiB beside the heap for code, native memory and V8's young generation."
  }
}

variable "http_port" {
  description = "Port of the controller's HTTP server (/healthz, /readyz, /metrics)."
  type        = number
  default     = 8080
  validation {
    condition     = var.http_port >= 1024 && var.http_port <= 65535
    error_message = "http_port must be from 1024 to 65535: the container runs as a non-root user."
  }
}

variable "public_port" {
  description = "Port of the controller's public listener: onboarding links and the OAuth callback, apart from the ops API."
  type        = number
  default     = 8081
  validation {
    condition     = var.public_port >= 1024 && var.public_port <= 65535 && var.public_port != var.http_port
    error_message = "public_port must be from 1024 to 65535 and differ from http_port."
  }
}

variable "public_url" {
  description = "Base URL customers reach for onboarding (https://connect.example.com); the OAuth redirect URI is <public_url>/callback. Empty: no customers' load balancer."
  type        = string
  default     = ""
  validation {
    condition     = var.public_url == "" || can(regex("^https://[^/?#\\s]+(/[^?#\\s]*[^?#/\\s])?$", var.public_url))
    error_message = "public_url must be an https:// base URL without query, fragment or trailing slash, or empty."
  }
}

variable "public_certificate_arn" {
  description = "ACM certificate of the customers' load balancer for the host of public_url; required with public_url."
  type        = string
  default     = ""
  validation {
    condition     = var.public_certificate_arn == "" || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/[0-9a-f-]+$", var.public_certificate_arn))
    error_message = "public_certificate_arn must be an ACM certificate ARN, or empty."
  }
}

variable "oauth_client_ids" {
  description = "Client id of each OAuth client registered for onboarding (google, microsoft, hubspot); each gets a secret placeholder for its client secret."
  type        = map(string)
  default     = {}
  validation {
    condition     = alltrue([for provider, id in var.oauth_client_ids : contains(["google", "microsoft", "hubspot"], provider) && can(regex("^[\\x21-\\x7e]{1,512}$", id))])
    error_message = "oauth_client_ids keys must be google, microsoft or hubspot, and each value a client id (printable, no spaces)."
  }
}

variable "agents" {
  description = "Agent task definitions, one per agent, with Fargate CPU units and memory (MiB). Keys are the agents of agents/catalog.ts."
  type = map(object({
    cpu    = number
    memory = number
  }))
  default = {
    butler = { cpu = 256, memory = 512 }
    scout  = { cpu = 512, memory = 1024 }
    writer = { cpu = 512, memory = 1024 }
  }
  validation {
    condition = alltrue([
      for agent, size in var.agents :
      contains(["butler", "scout", "writer"], agent) &&
      contains(lookup(local.fargate_memory_by_cpu, tostring(size.cpu), []), size.memory)
    ])
    error_message = "agents keys must be butler, scout or writer, each with a cpu and memory pair Fargate allows (CPU: MiB): 256: 512, 1024, 2048; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384; 4096: 8192-30720 (by 1024); 8192: 16384-61440 by 4096; 16384: 32768-122880 by 8192."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the controller's and the agents' logs."
  type        = number
  default     = 30
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

# --- controller configuration -----------------------------------------------------------------------------

variable "log_level" {
  description = "OPENCLAW_LOG_LEVEL of the controller and the agents."
  type        = string
  default     = "info"
  validation {
    condition     = contains(["fatal", "error", "warn", "info", "debug", "trace", "silent"], var.log_level)
    error_message = "log_level must be one of fatal, error, warn, info, debug, trace, silent."
  }
}

variable "git_url" {
  description = "OPENCLAW_GIT_URL: the repository the controller reads tenant manifests from. Never a credential in it: see git_token_secret_arn and github_app."
  type        = string
  validation {
    condition     = can(regex("^(https://|ssh://|git@)[^\\s]+$", var.git_url)) && !can(regex("^[a-z]+://[^/@]*:[^/@]*@", var.git_url))
    error_message = "git_url must be an https://, ssh:// or git@host:path URL without a password or token in it."
  }
}

variable "git_token_secret_arn" {
  description = "Secrets Manager secret whose value is a git token (a personal access token) for git_url; ECS gives it to the controller as OPENCLAW_GIT_TOKEN. Null for a public repository or a GitHub App."
  type        = string
  default     = null
  validation {
    condition     = var.git_token_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:\\S+$", var.git_token_secret_arn))
    error_message = "git_token_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "github_app" {
  description = "A GitHub App that reads git_url: its id, the installation id, and the Secrets Manager secret holding its private key (PEM), which ECS gives the controller as OPENCLAW_GITHUB_APP_PRIVATE_KEY."
  type = object({
    app_id                 = string
    installation_id        = string
    private_key_secret_arn = string
  })
  default = null
  validation {
    condition     = var.github_app == null || (can(regex("^\\d+$", var.github_app.app_id)) && can(regex("^\\d+$", var.github_app.installation_id)) && can(regex("^arn:aws[a-z-]*:secretsmanager:", var.github_app.private_key_secret_arn)))
    error_message = "github_app needs numeric app_id and installation_id and a Secrets Manager secret ARN."
  }
}

variable "git_branch" {
  description = "OPENCLAW_GIT_BRANCH: the branch the controller follows."
  type        = string
  default     = "main"
  validation {
    condition     = can(regex("^[A-Za-z0-9_./-]{1,200}$", var.git_branch)) && !startswith(var.git_branch, "-")
    error_message = "git_branch must be a branch name."
  }
}

variable "git_path" {
  description = "OPENCLAW_GIT_PATH: folder of the manifests inside the repository."
  type        = string
  default     = "tenants/"
  validation {
    condition     = can(regex("^[A-Za-z0-9_./-]*$", var.git_path)) && !startswith(var.git_path, "/") && !strcontains(var.git_path, "..")
    error_message = "git_path must be a relative path inside the repository, without '..'."
  }
}

variable "iam_path" {
  description = "OPENCLAW_IAM_PATH: the IAM path of tenant roles; the controller's IAM rights are limited to it."
  type        = string
  default     = "/openclaw/tenants/"
  validation {
    condition     = can(regex("^/([A-Za-z0-9+=,.@_-]+/)+$", var.iam_path))
    error_message = "iam_path must start and end with '/', e.g. /openclaw/tenants/."
  }
}

variable "secrets_prefix" {
  description = "OPENCLAW_SECRETS_PREFIX: tenant secrets are named <prefix>/tenants/<tenant>/..."
  type        = string
  default     = "openclaw"
  validation {
    condition     = can(regex("^[A-Za-z0-9_+=.@-]{1,64}$", var.secrets_prefix))
    error_message = "secrets_prefix must be 1-64 letters, digits or _+=.@-"
  }
}

variable "agent_task_definition_prefix" {
  description = "OPENCLAW_AGENT_TASK_DEFINITION_PREFIX: agent task definition families are <prefix><agent>."
  type        = string
  default     = "openclaw-agent-"
  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,200}$", var.agent_task_definition_prefix))
    error_message = "agent_task_definition_prefix must be letters, digits, '_' and '-'."
  }
}

# --- GitHub -----------------------------------------------------------------------------------------------

variable "github_repository" {
  description = "owner/name of the GitHub repository whose workflows may assume the deploy and terraform roles."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "github_environment" {
  description = "GitHub environment (with required reviewers) that gates terraform apply; only it may assume the apply role."
  type        = string
  default     = "production"
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,255}$", var.github_environment))
    error_message = "github_environment must be a GitHub environment name."
  }
}

variable "github_plan_environment" {
  description = "GitHub environment of the pull-request plan job; only its jobs may assume the read-only plan role."
  type        = string
  default     = "terraform-plan"
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,255}$", var.github_plan_environment))
    error_message = "github_plan_environment must be a GitHub environment name."
  }
}

variable "terraform_state_bucket" {
  description = "Name of the bucket that holds the Terraform state (the backend's bucket): the plan role reads it."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.terraform_state_bucket))
    error_message = "terraform_state_bucket must be an S3 bucket name."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider; false when the account already has one (there can be only one per URL)."
  type        = bool
  default     = true
}

variable "no_pass_alarm_minutes" {
  description = "Minutes without a successful reconcile pass before the no-successful-pass alarm (the resync runs every 5)."
  type        = number
  default     = 15
  validation {
    condition     = var.no_pass_alarm_minutes >= 10 && var.no_pass_alarm_minutes <= 1440 && floor(var.no_pass_alarm_minutes) == var.no_pass_alarm_minutes
    error_message = "no_pass_alarm_minutes must be a whole number of minutes from 10 to 1440."
  }
}

variable "agent_failure_rate_threshold" {
  description = "Share of agent runs failing over 15 minutes above which the agent-failure-rate alarm fires."
  type        = number
  default     = 0.25
  validation {
    condition     = var.agent_failure_rate_threshold > 0 && var.agent_failure_rate_threshold <= 1
    error_message = "agent_failure_rate_threshold must be a share above 0 and at most 1."
  }
}

variable "pool_workers" {
  description = "The pooled workers' service (pooled tenants' agent runs): Fargate size of a task, runs one task executes at once (OPENCLAW_POOL_WORKERS), the bounds of its task count, and the runs waiting per task that target tracking keeps (PoolQueueDepth / running tasks)."
  type = object({
    cpu            = number
    memory         = number
    runs_per_task  = number
    min_tasks      = number
    max_tasks      = number
    queue_per_task = number
  })
  default = {
    cpu            = 1024
    memory         = 2048
    runs_per_task  = 4
    min_tasks      = 1
    max_tasks      = 20
    queue_per_task = 8
  }
  validation {
    condition     = contains(lookup(local.fargate_memory_by_cpu, tostring(var.pool_workers.cpu), []), var.pool_workers.memory)
    error_message = "pool_workers cpu and memory must be a pair Fargate allows (as for agents)."
  }
  validation {
    condition = (
      floor(var.pool_workers.min_tasks) == var.pool_workers.min_tasks && floor(var.pool_workers.max_tasks) == var.pool_workers.max_tasks &&
      var.pool_workers.min_tasks >= 1 && var.pool_workers.min_tasks <= var.pool_workers.max_tasks && var.pool_workers.max_tasks <= 1000
    )
    error_message = "pool_workers min_tasks and max_tasks must be whole numbers with 1 <= min_tasks <= max_tasks <= 1000 (the backlog per task is undefined without a running task)."
  }
  validation {
    condition = (
      floor(var.pool_workers.runs_per_task) == var.pool_workers.runs_per_task && var.pool_workers.runs_per_task >= 1 && var.pool_workers.runs_per_task <= 64 &&
      var.pool_workers.queue_per_task > 0
    )
    error_message = "pool_workers runs_per_task must be a whole number from 1 to 64 (OPENCLAW_POOL_WORKERS) and queue_per_task greater than 0."
  }
}
