# Pooled tenants (starter and professional by default) have no IAM role of their own. Their runs execute
# on the pooled workers, which obtain per-run credentials from one shared tenant-access role by
# sts:AssumeRole with the session tag `tenant` (token vending). The role's policy is written once with
# $${aws:PrincipalTag/tenant} (controller/desired/policy.ts pooledTenantPolicy, proven in
# test/unit/pool-iam-isolation.test.ts, and compared with this file in test/deploy/iam-policies.test.ts);
# the tenant boundary caps it like every tenant role.

data "aws_iam_policy_document" "pool_worker_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "pool_worker" {
  name               = "${var.name}-pool-worker"
  path               = "/${var.name}/"
  description        = "Role of the OpenClaw pooled workers: assume the tenant-access role for one tenant per run, read the pool's login."
  assume_role_policy = data.aws_iam_policy_document.pool_worker_trust.json
}

# The worker can do nothing but vend a tenant's credentials (assume the tenant-access role, tagging the
# session with `tenant` alone, never transitive) and read the pool's two database logins (its own, and the
# one it hands its runs); the queue itself is in PostgreSQL, behind the worker login's functions.
data "aws_iam_policy_document" "pool_worker" {
  statement {
    sid       = "AssumeTenantAccess"
    actions   = ["sts:AssumeRole"]
    resources = [aws_iam_role.tenant_access.arn]
  }

  statement {
    # The same conditions as the tenant-access role's trust (WorkerTagsTheTenantOnly): both sides say it.
    sid       = "TagTheTenantOnly"
    actions   = ["sts:TagSession"]
    resources = [aws_iam_role.tenant_access.arn]
    condition {
      test     = "StringLike"
      variable = "aws:RequestTag/tenant"
      values   = ["?*"]
    }
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["tenant"]
    }
    condition {
      test     = "Null"
      variable = "sts:TransitiveTagKeys"
      values   = ["true"]
    }
  }

  statement {
    sid     = "PoolLogins"
    actions = ["secretsmanager:GetSecretValue"]
    resources = [
      "arn:${local.partition}:secretsmanager:${local.region}:${local.account}:secret:${var.secrets_prefix}/pool/db-*",
      "arn:${local.partition}:secretsmanager:${local.region}:${local.account}:secret:${var.secrets_prefix}/pool/worker-db-*",
    ]
  }
}

resource "aws_iam_role_policy" "pool_worker" {
  name   = "pool-worker"
  role   = aws_iam_role.pool_worker.id
  policy = data.aws_iam_policy_document.pool_worker.json
}

data "aws_iam_policy_document" "tenant_access_trust" {
  statement {
    sid     = "WorkerAssumesForOneTenant"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.pool_worker.arn]
    }
    condition {
      test     = "StringLike"
      variable = "aws:RequestTag/tenant"
      values   = ["?*"]
    }
  }

  statement {
    sid     = "WorkerTagsTheTenantOnly"
    actions = ["sts:TagSession"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.pool_worker.arn]
    }
    condition {
      test     = "StringLike"
      variable = "aws:RequestTag/tenant"
      values   = ["?*"]
    }
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["tenant"]
    }
    condition {
      test     = "Null"
      variable = "sts:TransitiveTagKeys"
      values   = ["true"]
    }
  }
}

resource "aws_iam_role" "tenant_access" {
  name                 = "${var.name}-tenant-access"
  path                 = "/${var.name}/"
  description          = "Shared role of pooled tenants' runs: access scoped by the session tag tenant."
  assume_role_policy   = data.aws_iam_policy_document.tenant_access_trust.json
  permissions_boundary = aws_iam_policy.tenant_boundary.arn
  max_session_duration = 3600
}

data "aws_iam_policy_document" "tenant_access" {
  statement {
    sid       = "TenantObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging", "s3:PutObjectTagging"]
    resources = ["${var.tenant_bucket_arn}/tenants/$${aws:PrincipalTag/tenant}/*"]
  }

  statement {
    sid       = "ControllerOwnedKeys"
    effect    = "Deny"
    actions   = ["s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject"]
    resources = ["${var.tenant_bucket_arn}/tenants/$${aws:PrincipalTag/tenant}/.openclaw-tenant"]
  }

  statement {
    sid       = "TenantListing"
    actions   = ["s3:ListBucket"]
    resources = [var.tenant_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["tenants/$${aws:PrincipalTag/tenant}/", "tenants/$${aws:PrincipalTag/tenant}/*"]
    }
  }

  statement {
    sid       = "TenantSecrets"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = ["arn:${local.partition}:secretsmanager:${local.region}:${local.account}:secret:${var.secrets_prefix}/tenants/$${aws:PrincipalTag/tenant}/*"]
  }

  statement {
    sid     = "TenantModels"
    actions = ["bedrock:InvokeModel"]
    resources = [
      "arn:${local.partition}:bedrock:*::foundation-model/*",
      "arn:${local.partition}:bedrock:${local.region}:${local.account}:inference-profile/*",
    ]
  }

  # butler's digest, as in a silo tenant's role (digestEmailStatement): the one sender, through the stack's
  # configuration set. Any identity here, as the controller writes it; the boundary narrows it to the stack's.
  statement {
    sid       = "TenantDigestEmail"
    actions   = ["ses:SendEmail"]
    resources = ["arn:${local.partition}:ses:${local.region}:${local.account}:identity/*", var.ses_configuration_set_arn]
    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = [var.ses_from_address]
    }
  }
}

resource "aws_iam_role_policy" "tenant_access" {
  name   = "openclaw-tenant-access"
  role   = aws_iam_role.tenant_access.id
  policy = data.aws_iam_policy_document.tenant_access.json
}
