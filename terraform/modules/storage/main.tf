# The shared tenant bucket: each tenant owns the prefix tenants/<name>/ (created by the controller).
# Its lifecycle configuration is deliberately NOT managed here: the controller owns it (read-modify-write of
# a few shared rules, never one per tenant), and two writers of one configuration would undo each other.

resource "aws_s3_bucket" "this" {
  bucket = var.bucket_name
  # Tenant data: a destroy must fail while objects remain.
  force_destroy = false
}

# SSE-S3 rather than a customer KMS key: a KMS key would need kms:Decrypt/GenerateDataKey in every tenant
# role and in the boundary, for no gain in isolation (that comes from the per-prefix IAM policies).
resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# ACLs off: access is decided by IAM and the bucket policy alone.
resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# A deleted or overwritten agent output can be recovered; the controller's lifecycle rules expire old versions.
resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.this.arn,
      "${aws_s3_bucket.this.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket.json
  # The public access block must be in place before any policy is attached.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
