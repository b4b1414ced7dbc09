# GitHub Actions reach AWS through OIDC: short-lived credentials per job, no access keys anywhere.
# Each role trusts one exact token subject, so a workflow gets only the role its trigger deserves:
#   deploy          - pushes to main (build, push, update the service)
#   terraform-plan  - jobs of the plan environment (pull requests): reads what a plan refreshes, nothing else
#   terraform-apply - jobs of the approved GitHub environment only

resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_github_oidc_provider ? 1 : 0
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
  # AWS validates GitHub's certificate against its own CA store and ignores these; older providers still require them.
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
}

data "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 0 : 1
  url   = "https://token.actions.githubusercontent.com"
}

locals {
  github_oidc_provider_arn = var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : data.aws_iam_openid_connect_provider.github[0].arn
  github_subjects = {
    deploy            = "repo:${var.github_repository}:ref:refs/heads/main"
    "terraform-plan"  = "repo:${var.github_repository}:environment:${var.github_plan_environment}"
    "terraform-apply" = "repo:${var.github_repository}:environment:${var.github_environment}"
  }
}

data "aws_iam_policy_document" "github_trust" {
  for_each = local.github_subjects
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [each.value]
    }
  }
}

resource "aws_iam_role" "github" {
  for_each             = local.github_subjects
  name                 = "${var.name}-github-${each.key}"
  path                 = "/${var.name}/"
  description          = "Assumed by GitHub Actions (${each.value}) through OIDC."
  assume_role_policy   = data.aws_iam_policy_document.github_trust[each.key].json
  max_session_duration = 3600
}

# Deploy: push the image, register new revisions of the task definitions, roll the controller service.
data "aws_iam_policy_document" "github_deploy" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:InitiateLayerUpload",
      "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload",
      "ecr:PutImage",
      "ecr:BatchGetImage",
      # A re-run finds its tag pushed already and skips the push (scripts/push-image.sh).
      "ecr:DescribeImages",
    ]
    resources = [var.ecr_repository_arn]
  }

  # Neither action supports resource-level scoping.
  statement {
    sid       = "RegisterRevisions"
    actions   = ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"]
    resources = ["*"]
  }

  # New revisions keep the Project/ManagedBy/Environment tags of the revision they are copied from.
  statement {
    sid       = "TagRevisions"
    actions   = ["ecs:TagResource"]
    resources = local.all_revisions
    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RegisterTaskDefinition"]
    }
  }

  statement {
    sid     = "RollServices"
    actions = ["ecs:UpdateService", "ecs:DescribeServices"]
    resources = [
      "${local.ecs_arn}:service/${var.cluster_name}/${var.controller_service_name}",
      "${local.ecs_arn}:service/${var.cluster_name}/${var.pool_worker_service_name}",
    ]
  }

  statement {
    sid     = "PassTaskRoles"
    actions = ["iam:PassRole"]
    resources = [
      aws_iam_role.controller_task.arn,
      aws_iam_role.execution["controller"].arn,
      aws_iam_role.execution["agents"].arn,
      aws_iam_role.pool_worker.arn,
    ]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "github_deploy" {
  name   = "deploy"
  role   = aws_iam_role.github["deploy"].id
  policy = data.aws_iam_policy_document.github_deploy.json
}

# Plan: only what `terraform plan` refreshes for the resource types of this stack, and the state. No tenant
# data (no objects, no secret values) and no write, so a hostile pull request learns the stack's shape at most.
data "aws_iam_policy_document" "github_plan" {
  statement {
    sid = "RefreshStack"
    actions = [
      "ec2:Describe*",
      "ecs:Describe*",
      "ecs:ListTagsForResource",
      "ecr:DescribeRepositories",
      "ecr:GetLifecyclePolicy",
      "ecr:GetRepositoryPolicy",
      "ecr:ListTagsForResource",
      "rds:DescribeDBInstances",
      "rds:DescribeDBParameterGroups",
      "rds:DescribeDBParameters",
      "rds:DescribeDBSubnetGroups",
      "rds:ListTagsForResource",
      "logs:DescribeLogGroups",
      "logs:ListTagsForResource",
      "logs:ListTagsLogGroup",
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListRolePolicies",
      "iam:ListAttachedRolePolicies",
      "iam:GetPolicy",
      "iam:GetPolicyVersion",
      "iam:ListPolicyVersions",
      "iam:GetOpenIDConnectProvider",
      "iam:ListOpenIDConnectProviders",
      "ses:GetEmailIdentity",
      "ses:GetConfigurationSet",
      "ses:ListTagsForResource",
    ]
    resources = ["*"]
  }

  # The bucket's configuration, never its objects.
  statement {
    sid       = "RefreshTenantBucket"
    actions   = ["s3:GetBucket*", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:GetAccelerateConfiguration", "s3:ListBucket"]
    resources = [var.tenant_bucket_arn]
  }

  statement {
    sid       = "ReadState"
    actions   = ["s3:ListBucket", "s3:GetObject"]
    resources = ["arn:${local.partition}:s3:::${var.terraform_state_bucket}", "arn:${local.partition}:s3:::${var.terraform_state_bucket}/*"]
  }

  statement {
    sid       = "NoTenantObjects"
    effect    = "Deny"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.tenant_bucket_arn}/*"]
  }

  statement {
    sid       = "NoSecretValues"
    effect    = "Deny"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "github_plan" {
  name   = "plan"
  role   = aws_iam_role.github["terraform-plan"].id
  policy = data.aws_iam_policy_document.github_plan.json
}

# Apply creates and changes IAM, networking and databases, so it is an administrator; what guards it is
# its trust: only a job of the GitHub environment, which requires a reviewer's approval, can assume it.
resource "aws_iam_role_policy_attachment" "github_apply_admin" {
  role       = aws_iam_role.github["terraform-apply"].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AdministratorAccess"
}
