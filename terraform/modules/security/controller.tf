# The controller's task role, at least privilege. Its actions are exactly the AWS operations the code in
# controller/ issues (test/deploy/controller-permissions.test.ts computes them from the code and fails on
# a missing action, an action no code uses, and any wildcard action). Resources are the tenant path,
# the tenant bucket and prefix, the tenant secrets and this cluster's agent task definitions.

data "aws_iam_policy_document" "controller_task" {
  # Observation in batches: one paginated read returns every role with its inline policies, boundary and
  # tags, so no per-role Get/List call is needed. The action does not support resource-level scoping.
  statement {
    sid       = "ObserveRoles"
    actions   = ["iam:GetAccountAuthorizationDetails"]
    resources = ["*"]
  }

  # A pass of a few tenants reads each one's role by name, at whatever path it sits (a role of that name
  # elsewhere is a conflict to report): the listing above reads every role of the account already, so
  # reading one by name grants nothing more.
  statement {
    sid       = "ObserveOneRole"
    actions   = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies"]
    resources = ["arn:${local.partition}:iam::${local.account}:role/*"]
  }

  # The account's headroom in a plan: the roles in use and their quota (GetAccountSummary has no resource
  # to scope to), and the applied "Roles per account" quota in Service Quotas.
  statement {
    sid       = "ReadAccountSummary"
    actions   = ["iam:GetAccountSummary"]
    resources = ["*"]
  }

  statement {
    sid       = "ReadRolesQuota"
    actions   = ["servicequotas:GetServiceQuota"]
    resources = ["arn:${local.partition}:servicequotas:*:${local.account}:iam/L-FE177D64"]
  }

  # Every IAM write is limited to the tenant path and to roles the controller owns: a new role must carry the
  # boundary and the managed-by tag; an existing one is changed only while it has the managed-by tag, so the
  # controller cannot rewrite the trust or policy of any other role, even one at the tenant path.
  statement {
    sid       = "CreateTenantRolesUnderBoundary"
    actions   = ["iam:CreateRole"]
    resources = [local.tenant_roles_arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [aws_iam_policy.tenant_boundary.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.managed_by_tag}"
      values   = [local.managed_by_value]
    }
  }

  # CreateRole with tags is also authorized as TagRole, before the role (and so its tags) exists.
  statement {
    sid       = "TagNewTenantRoles"
    actions   = ["iam:TagRole"]
    resources = [local.tenant_roles_arn]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.managed_by_tag}"
      values   = [local.managed_by_value]
    }
  }

  statement {
    sid       = "WriteManagedTenantRolesUnderBoundary"
    actions   = ["iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"]
    resources = [local.tenant_roles_arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [aws_iam_policy.tenant_boundary.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.managed_by_tag}"
      values   = [local.managed_by_value]
    }
  }

  statement {
    sid = "ManageManagedTenantRoles"
    actions = [
      "iam:DeleteRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:DeleteRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
    ]
    resources = [local.tenant_roles_arn]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.managed_by_tag}"
      values   = [local.managed_by_value]
    }
  }

  # The managed-by tag is what the conditions above trust: the controller never removes it.
  statement {
    sid       = "KeepManagedByTag"
    effect    = "Deny"
    actions   = ["iam:UntagRole"]
    resources = [local.tenant_roles_arn]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "aws:TagKeys"
      values   = [local.managed_by_tag]
    }
  }

  # RunTask with overrides.taskRoleArn passes the tenant role, and the agent task definition's execution role.
  statement {
    sid       = "PassAgentRoles"
    actions   = ["iam:PassRole"]
    resources = [local.tenant_roles_arn, aws_iam_role.execution["agents"].arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "TenantBucket"
    actions   = ["s3:ListBucket", "s3:ListBucketVersions", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"]
    resources = [var.tenant_bucket_arn]
  }

  statement {
    sid = "TenantObjects"
    # DeleteObjectVersion: a purge removes every version and delete marker of the tenant's objects.
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObjectTagging", "s3:PutObjectTagging"]
    resources = [local.tenant_objects_arn]
  }

  # ListSecrets does not support resource-level scoping; the controller filters by name prefix.
  statement {
    sid       = "ListSecrets"
    actions   = ["secretsmanager:ListSecrets"]
    resources = ["*"]
  }

  statement {
    sid = "TenantSecrets"
    actions = [
      "secretsmanager:CreateSecret",
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue",
      "secretsmanager:PutSecretValue",
      "secretsmanager:TagResource",
      "secretsmanager:UntagResource",
      "secretsmanager:DeleteSecret",
      "secretsmanager:RestoreSecret",
    ]
    resources = [local.tenant_secrets_arn]
  }

  # The pool's database logins: the controller generates each password once into its secret (never in git
  # or the state) and gives the role it; the pooled runs and the worker service read them.
  statement {
    sid       = "PoolLogins"
    actions   = ["secretsmanager:CreateSecret", "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:TagResource"]
    resources = [local.pool_secrets_arn]
  }

  # The database password, read by the controller itself (OPENCLAW_DB_SECRET_ARN) at start and again after
  # the server refuses it: RDS rotates this secret, and a value ECS injected at task start would go stale.
  statement {
    sid       = "ReadDatabasePassword"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.database_secret_arn]
  }

  # Notification channels (controller/notify/): their secrets, and the SNS topics of sns channels.
  statement {
    sid       = "ReadNotificationSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.notification_secrets_arn]
  }

  statement {
    sid       = "PublishNotifications"
    actions   = ["sns:Publish"]
    resources = [local.notification_topics_arn]
  }

  # The OAuth clients' secrets, read by the controller at its first token request (onboarding, refresh).
  dynamic "statement" {
    for_each = length(local.oauth_client_secret_arns) > 0 ? [true] : []
    content {
      sid       = "ReadOAuthClientSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.oauth_client_secret_arns
    }
  }

  statement {
    sid       = "RunAgents"
    actions   = ["ecs:RunTask"]
    resources = local.agent_revisions
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [local.cluster_arn]
    }
  }

  # RunTask with tags (tenant, agent) also needs TagResource on the task it creates, and only then.
  statement {
    sid       = "TagAgentTasks"
    actions   = ["ecs:TagResource"]
    resources = [local.cluster_tasks]
    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RunTask"]
    }
  }

  statement {
    sid       = "WatchAgentTasks"
    actions   = ["ecs:DescribeTasks", "ecs:StopTask"]
    resources = [local.cluster_tasks]
  }
}

resource "aws_iam_role" "controller_task" {
  name               = "${var.name}-controller-task"
  path               = "/${var.name}/"
  description        = "Role of the OpenClaw controller's code: tenant roles, prefixes, secrets and agent runs."
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

resource "aws_iam_role_policy" "controller_task" {
  name   = "controller"
  role   = aws_iam_role.controller_task.id
  policy = data.aws_iam_policy_document.controller_task.json
}

# Execution roles are what ECS itself uses before the code starts: pull the image, write the logs and, for
# the controller, read its task-definition secrets.
# One per log group: controller and agents.
data "aws_iam_policy_document" "execution" {
  for_each = var.log_group_names

  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = [var.ecr_repository_arn]
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arns[each.key]}:*"]
  }

  # The controller's task-definition secrets (the git credentials), and nothing for the agents.
  dynamic "statement" {
    for_each = each.key == "controller" && length(var.controller_secret_arns) > 0 ? [var.controller_secret_arns] : []
    content {
      sid       = "ReadControllerSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = statement.value
    }
  }
}

resource "aws_iam_role" "execution" {
  for_each           = var.log_group_names
  name               = "${var.name}-${each.key}-execution"
  path               = "/${var.name}/"
  description        = "ECS execution role of the OpenClaw ${each.key} tasks."
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

resource "aws_iam_role_policy" "execution" {
  for_each = var.log_group_names
  name     = "execution"
  role     = aws_iam_role.execution[each.key].id
  policy   = data.aws_iam_policy_document.execution[each.key].json
}
