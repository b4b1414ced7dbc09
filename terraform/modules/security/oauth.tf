# One placeholder per OAuth client the controller uses for onboarding. Terraform creates it without a value:
# an operator puts the client secret the provider issued into it (docs/DEPLOY.md), so the value never passes
# through Terraform, its state or the task definition. The controller reads it (OPENCLAW_<P>_CLIENT_SECRET_ARN)
# at the first token request, and says which secret is still empty if it is.
resource "aws_secretsmanager_secret" "oauth_client" {
  for_each    = var.oauth_providers
  name        = "${var.name}/oauth/${each.key}-client-secret"
  description = "Client secret of OpenClaw's ${each.key} OAuth client, put here by an operator."
}

locals {
  oauth_client_secret_arns = [for secret in aws_secretsmanager_secret.oauth_client : secret.arn]
}
