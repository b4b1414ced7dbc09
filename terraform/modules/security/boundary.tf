# The permissions boundary of every tenant role. The controller writes each tenant's inline policy
# (its own prefix, its own secrets); the boundary caps what any such policy can ever grant, so a bug or a
# compromised controller cannot hand a tenant role more than tenant-shaped access. Nothing IAM is in it.

data "aws_iam_policy_document" "tenant_boundary" {
  statement {
    sid       = "TenantObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging", "s3:PutObjectTagging"]
    resources = [local.tenant_objects_arn]
  }

  statement {
    sid       = "TenantListing"
    actions   = ["s3:ListBucket"]
    resources = [var.tenant_bucket_arn]
  }

  statement {
    sid       = "TenantSecrets"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [local.tenant_secrets_arn]
  }

  # Agents call Bedrock models directly or through cross-region inference profiles.
  statement {
    sid     = "Models"
    actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    resources = [
      "arn:${local.partition}:bedrock:*::foundation-model/*",
      "arn:${local.partition}:bedrock:${local.region}:${local.account}:inference-profile/*",
    ]
  }

  # butler's digest: SES v2 SendEmail through the stack's identity and configuration set, as its one sender.
  statement {
    sid       = "DigestEmail"
    actions   = ["ses:SendEmail"]
    resources = [var.ses_identity_arn, var.ses_configuration_set_arn]
    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = [var.ses_from_address]
    }
  }

  statement {
    sid       = "AgentLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arns["agents"]}:*"]
  }
}

resource "aws_iam_policy" "tenant_boundary" {
  name        = "${var.name}-tenant-boundary"
  path        = "/${var.name}/"
  description = "Permissions boundary of OpenClaw tenant roles: tenant-shaped S3, secrets, models, logs and digest email; no IAM."
  policy      = data.aws_iam_policy_document.tenant_boundary.json
}
