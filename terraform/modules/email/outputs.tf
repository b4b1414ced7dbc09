output "from_address" {
  description = "The one address agents send from (OPENCLAW_SES_FROM_ADDRESS)."
  value       = local.from_address
}

output "identity_arn" {
  description = "ARN of the sending domain's SES identity."
  value       = aws_sesv2_email_identity.sender.arn
}

output "configuration_set_name" {
  description = "The configuration set every message goes through (OPENCLAW_SES_CONFIGURATION_SET)."
  value       = aws_sesv2_configuration_set.digests.configuration_set_name
}

output "configuration_set_arn" {
  description = "ARN of the configuration set."
  value       = aws_sesv2_configuration_set.digests.arn
}

output "dkim_tokens" {
  description = "Publish each as a CNAME <token>._domainkey.<domain> → <token>.dkim.amazonses.com to verify the domain."
  value       = aws_sesv2_email_identity.sender.dkim_signing_attributes[0].tokens
}
