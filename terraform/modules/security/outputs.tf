output "permissions_boundary_arn" {
  description = "ARN of the tenant roles' permissions boundary (OPENCLAW_PERMISSIONS_BOUNDARY_ARN)."
  value       = aws_iam_policy.tenant_boundary.arn
}

output "controller_task_role_arn" {
  description = "ARN of the controller's task role."
  value       = aws_iam_role.controller_task.arn
}

output "controller_execution_role_arn" {
  description = "ARN of the controller's execution role."
  value       = aws_iam_role.execution["controller"].arn
}

output "agent_execution_role_arn" {
  description = "ARN of the agents' execution role."
  value       = aws_iam_role.execution["agents"].arn
}

output "github_deploy_role_arn" {
  description = "ARN of the role the deploy workflow assumes."
  value       = aws_iam_role.github["deploy"].arn
}

output "github_terraform_plan_role_arn" {
  description = "ARN of the role the terraform workflow assumes to plan."
  value       = aws_iam_role.github["terraform-plan"].arn
}

output "github_terraform_apply_role_arn" {
  description = "ARN of the role the terraform workflow assumes to apply."
  value       = aws_iam_role.github["terraform-apply"].arn
}

output "oauth_client_secret_arns" {
  description = "ARN of each OAuth client's secret placeholder, by provider."
  value       = { for provider, secret in aws_secretsmanager_secret.oauth_client : provider => secret.arn }
}

output "tenant_access_role_arn" {
  description = "The shared tenant-access role of pooled tenants' runs (OPENCLAW_TENANT_ACCESS_ROLE_ARN)."
  value       = aws_iam_role.tenant_access.arn
}

output "pool_worker_role_arn" {
  description = "The task role of the pooled workers."
  value       = aws_iam_role.pool_worker.arn
}
