# One output per controller environment variable, named after it in lower case (docs/DEPLOY.md has the table).
# The values are the ones the controller service runs with: they come from the same locals (main.tf).

output "database_url" {
  description = "DATABASE_URL (no password: see openclaw_db_secret_arn)."
  value       = local.controller_environment.DATABASE_URL
}

output "openclaw_db_secret_arn" {
  description = "OPENCLAW_DB_SECRET_ARN: the RDS-managed master secret the controller reads the password from; not the password itself."
  value       = local.controller_environment.OPENCLAW_DB_SECRET_ARN
}

output "aws_region" {
  description = "AWS_REGION."
  value       = local.controller_environment.AWS_REGION
}

output "openclaw_provider" {
  description = "OPENCLAW_PROVIDER."
  value       = local.controller_environment.OPENCLAW_PROVIDER
}

output "openclaw_tenant_bucket" {
  description = "OPENCLAW_TENANT_BUCKET."
  value       = local.controller_environment.OPENCLAW_TENANT_BUCKET
}

output "openclaw_permissions_boundary_arn" {
  description = "OPENCLAW_PERMISSIONS_BOUNDARY_ARN."
  value       = local.controller_environment.OPENCLAW_PERMISSIONS_BOUNDARY_ARN
}

output "openclaw_iam_path" {
  description = "OPENCLAW_IAM_PATH."
  value       = local.controller_environment.OPENCLAW_IAM_PATH
}

output "openclaw_secrets_prefix" {
  description = "OPENCLAW_SECRETS_PREFIX."
  value       = local.controller_environment.OPENCLAW_SECRETS_PREFIX
}

output "openclaw_ecs_cluster" {
  description = "OPENCLAW_ECS_CLUSTER."
  value       = local.controller_environment.OPENCLAW_ECS_CLUSTER
}

output "openclaw_subnets" {
  description = "OPENCLAW_SUBNETS (comma separated)."
  value       = local.controller_environment.OPENCLAW_SUBNETS
}

output "openclaw_security_groups" {
  description = "OPENCLAW_SECURITY_GROUPS (comma separated)."
  value       = local.controller_environment.OPENCLAW_SECURITY_GROUPS
}

output "openclaw_agent_task_definition_prefix" {
  description = "OPENCLAW_AGENT_TASK_DEFINITION_PREFIX."
  value       = local.controller_environment.OPENCLAW_AGENT_TASK_DEFINITION_PREFIX
}

output "openclaw_http_port" {
  description = "OPENCLAW_HTTP_PORT."
  value       = local.controller_environment.OPENCLAW_HTTP_PORT
}

output "openclaw_git_url" {
  description = "OPENCLAW_GIT_URL."
  value       = local.controller_environment.OPENCLAW_GIT_URL
}

output "openclaw_github_app_id" {
  description = "OPENCLAW_GITHUB_APP_ID (empty without a GitHub App)."
  value       = local.controller_environment.OPENCLAW_GITHUB_APP_ID
}

output "openclaw_github_app_installation_id" {
  description = "OPENCLAW_GITHUB_APP_INSTALLATION_ID (empty without a GitHub App)."
  value       = local.controller_environment.OPENCLAW_GITHUB_APP_INSTALLATION_ID
}

output "openclaw_git_branch" {
  description = "OPENCLAW_GIT_BRANCH."
  value       = local.controller_environment.OPENCLAW_GIT_BRANCH
}

output "openclaw_git_path" {
  description = "OPENCLAW_GIT_PATH."
  value       = local.controller_environment.OPENCLAW_GIT_PATH
}

output "openclaw_log_level" {
  description = "OPENCLAW_LOG_LEVEL."
  value       = local.controller_environment.OPENCLAW_LOG_LEVEL
}

# Not controller configuration: what the GitHub workflows need (docs/DEPLOY.md, "Connect GitHub").

output "ecr_repository_url" {
  description = "Repository the deploy workflow pushes the image to."
  value       = module.compute.ecr_repository_url
}

output "controller_service_name" {
  description = "ECS service of the controller, updated by the deploy workflow."
  value       = module.compute.controller_service_name
}

output "task_definition_families" {
  description = "Task definition families (controller first, then the agents and the pooled workers) the deploy workflow registers new image revisions of."
  value       = join(" ", concat([local.controller_family], values(local.agent_families), [local.pool_worker_family]))
}

output "pool_worker_service_name" {
  description = "ECS service of the pooled workers, updated by the deploy workflow (POOL_WORKER_SERVICE)."
  value       = local.pool_worker_service
}

output "github_deploy_role_arn" {
  description = "Role the deploy workflow assumes (push to main)."
  value       = module.security.github_deploy_role_arn
}

output "github_terraform_plan_role_arn" {
  description = "Read-only role the terraform workflow assumes to plan pull requests."
  value       = module.security.github_terraform_plan_role_arn
}

output "github_terraform_apply_role_arn" {
  description = "Role the terraform workflow assumes to apply, only from the approved GitHub environment."
  value       = module.security.github_terraform_apply_role_arn
}

output "openclaw_public_port" {
  description = "OPENCLAW_PUBLIC_PORT."
  value       = local.controller_environment.OPENCLAW_PUBLIC_PORT
}

output "openclaw_public_url" {
  description = "OPENCLAW_PUBLIC_URL."
  value       = local.controller_environment.OPENCLAW_PUBLIC_URL
}

output "openclaw_google_client_id" {
  description = "OPENCLAW_GOOGLE_CLIENT_ID."
  value       = local.controller_environment.OPENCLAW_GOOGLE_CLIENT_ID
}

output "openclaw_google_client_secret_arn" {
  description = "OPENCLAW_GOOGLE_CLIENT_SECRET_ARN."
  value       = local.controller_environment.OPENCLAW_GOOGLE_CLIENT_SECRET_ARN
}

output "openclaw_microsoft_client_id" {
  description = "OPENCLAW_MICROSOFT_CLIENT_ID."
  value       = local.controller_environment.OPENCLAW_MICROSOFT_CLIENT_ID
}

output "openclaw_microsoft_client_secret_arn" {
  description = "OPENCLAW_MICROSOFT_CLIENT_SECRET_ARN."
  value       = local.controller_environment.OPENCLAW_MICROSOFT_CLIENT_SECRET_ARN
}

output "openclaw_hubspot_client_id" {
  description = "OPENCLAW_HUBSPOT_CLIENT_ID."
  value       = local.controller_environment.OPENCLAW_HUBSPOT_CLIENT_ID
}

output "openclaw_hubspot_client_secret_arn" {
  description = "OPENCLAW_HUBSPOT_CLIENT_SECRET_ARN."
  value       = local.controller_environment.OPENCLAW_HUBSPOT_CLIENT_SECRET_ARN
}

output "openclaw_ses_from_address" {
  description = "OPENCLAW_SES_FROM_ADDRESS."
  value       = local.controller_environment.OPENCLAW_SES_FROM_ADDRESS
}

output "openclaw_ses_configuration_set" {
  description = "OPENCLAW_SES_CONFIGURATION_SET."
  value       = local.controller_environment.OPENCLAW_SES_CONFIGURATION_SET
}

output "ses_dkim_tokens" {
  description = "Publish each as a CNAME <token>._domainkey.<email_domain> → <token>.dkim.amazonses.com: SES verifies the domain from them."
  value       = module.email.dkim_tokens
}

output "alarm_topic_arn" {
  description = "The SNS topic the controller's CloudWatch alarms notify: subscribe the on-call address or chat to it."
  value       = module.monitoring.alarm_topic_arn
}

output "node_options" {
  description = "NODE_OPTIONS: the controller's V8 heap cap (controller_heap_mb, or 3/8 of controller_memory)."
  value       = local.controller_environment.NODE_OPTIONS
}
