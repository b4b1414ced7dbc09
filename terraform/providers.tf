provider "aws" {
  region = var.region
  # Refuse to run against any other account: a wrong profile must fail at plan, not create a second stack.
  allowed_account_ids = [var.aws_account_id]

  # Every taggable resource gets these tags from here; modules declare no provider of their own, so they inherit them.
  default_tags {
    tags = {
      Project     = "openclaw"
      ManagedBy   = "terraform"
      Environment = var.environment
    }
  }
}
