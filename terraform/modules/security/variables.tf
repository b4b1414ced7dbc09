# Validated at the root module; here only typed and described.

variable "name" {
  description = "Prefix of role and policy names, and their IAM path (/<name>/)."
  type        = string
}

variable "iam_path" {
  description = "IAM path of tenant roles (OPENCLAW_IAM_PATH)."
  type        = string
}

variable "secrets_prefix" {
  description = "Prefix of tenant secret names (OPENCLAW_SECRETS_PREFIX)."
  type        = string
}

variable "tenant_bucket_arn" {
  description = "ARN of the shared tenant bucket."
  type        = string
}

variable "cluster_name" {
  description = "Name of the ECS cluster agents run on."
  type        = string
}

variable "controller_family" {
  description = "Task definition family of the controller."
  type        = string
}

variable "controller_service_name" {
  description = "Name of the controller's ECS service."
  type        = string
}

variable "agent_families" {
  description = "Task definition family of each agent."
  type        = map(string)
}

variable "log_group_names" {
  description = "Log group names, keyed controller and agents; one execution role is made per key."
  type        = map(string)
}

variable "ecr_repository_arn" {
  description = "ARN of the image repository."
  type        = string
}

variable "database_secret_arn" {
  description = "ARN of the RDS-managed master secret the controller's task reads at start."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the repository whose workflows may assume the GitHub roles."
  type        = string
}

variable "github_environment" {
  description = "GitHub environment whose jobs may assume the terraform apply role."
  type        = string
}

variable "controller_secret_arns" {
  description = "Secrets ECS reads into the controller's environment at task start (the git credentials)."
  type        = list(string)
}

variable "github_plan_environment" {
  description = "GitHub environment whose jobs may assume the read-only terraform plan role."
  type        = string
}

variable "terraform_state_bucket" {
  description = "Bucket of the Terraform state, which the plan role reads."
  type        = string
}

variable "create_github_oidc_provider" {
  description = "Create the GitHub OIDC provider, or use the account's existing one."
  type        = bool
}

variable "oauth_providers" {
  description = "OAuth providers with a registered client (google, microsoft, hubspot): each gets a placeholder secret for its client secret."
  type        = set(string)
  default     = []
}

variable "ses_identity_arn" {
  description = "ARN of the SES identity agents send from."
  type        = string
}

variable "ses_configuration_set_arn" {
  description = "ARN of the SES configuration set every message goes through."
  type        = string
}

variable "ses_from_address" {
  description = "The one address tenant roles may send as (ses:FromAddress)."
  type        = string
}

variable "pool_worker_family" {
  description = "Task definition family of the pooled workers (the deploy workflow registers its revisions)."
  type        = string
}

variable "pool_worker_service_name" {
  description = "ECS service of the pooled workers (the deploy workflow rolls it)."
  type        = string
}
