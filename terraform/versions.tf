terraform {
  # 1.11 is the first release where the S3 backend's native lockfile (use_lockfile) is generally available,
  # so no DynamoDB table is needed for state locking.
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.37 added track_latest on aws_ecs_task_definition, which lets the deploy workflow register
      # new image revisions without Terraform reverting them (see modules/compute).
      version = "~> 5.90"
    }
  }

  # Partial configuration: bucket, key and region come from `terraform init -backend-config=backend.hcl`
  # (docs/DEPLOY.md, step 1), so no account-specific name is committed here.
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
