# IAM of the stack: the boundary every tenant role is created under, the controller's own roles, the agents'
# execution role, and the roles GitHub workflows assume through OIDC. Policies are aws_iam_policy_document
# data sources, so test/deploy can read every statement of them.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.name

  # Tenant roles are named openclaw-tenant-<tenant> (controller/desired/names.ts) under the tenant path.
  tenant_roles_arn   = "arn:${local.partition}:iam::${local.account}:role${var.iam_path}openclaw-tenant-*"
  tenant_objects_arn = "${var.tenant_bucket_arn}/tenants/*"
  tenant_secrets_arn = "arn:${local.partition}:secretsmanager:${local.region}:${local.account}:secret:${var.secrets_prefix}/tenants/*"
  # NotificationChannel secrets (a Slack webhook URL, a webhook's signing key), read at each delivery.
  notification_secrets_arn = "arn:${local.partition}:secretsmanager:${local.region}:${local.account}:secret:${var.secrets_prefix}/notifications/*"
  # SNS notification channels: topics of this stack only, named <name>-… (the alarm topic is one).
  notification_topics_arn = "arn:${local.partition}:sns:${local.region}:${local.account}:${var.name}-*"
  # The tag the controller puts on everything it owns (controller/desired/tenant.ts): it never changes a role without it.
  managed_by_tag   = "openclaw:managed-by"
  managed_by_value = "openclaw-tenant-controller"

  ecs_arn         = "arn:${local.partition}:ecs:${local.region}:${local.account}"
  cluster_arn     = "${local.ecs_arn}:cluster/${var.cluster_name}"
  cluster_tasks   = "${local.ecs_arn}:task/${var.cluster_name}/*"
  agent_revisions = [for family in values(var.agent_families) : "${local.ecs_arn}:task-definition/${family}:*"]
  all_revisions   = concat(["${local.ecs_arn}:task-definition/${var.controller_family}:*"], local.agent_revisions)
  log_group_arns  = { for key, group in var.log_group_names : key => "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:${group}" }
}

# Trust of the controller's task role and of the execution roles: ECS tasks, as for the tenant roles
# (controller/desired/policy.ts). Who may start a task with a role is governed by iam:PassRole.
data "aws_iam_policy_document" "ecs_tasks_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}
