# Email the agents send (butler's digest) through Amazon SES v2: the sending domain as a verified identity
# with Easy DKIM, and one configuration set every message goes through (the controller passes it to every
# run as OPENCLAW_SES_CONFIGURATION_SET). Tenant roles may send only as the one address below: the
# boundary (security module) and each tenant's inline policy condition ses:SendEmail on ses:FromAddress.

locals {
  from_address = "${var.from_local_part}@${var.domain}"
}

resource "aws_sesv2_configuration_set" "digests" {
  configuration_set_name = "${var.name}-digests"

  delivery_options {
    tls_policy = "REQUIRE"
  }
  reputation_options {
    reputation_metrics_enabled = true
  }
  sending_options {
    sending_enabled = true
  }
  # Addresses that bounced or complained are not sent to again, account-wide.
  suppression_options {
    suppressed_reasons = ["BOUNCE", "COMPLAINT"]
  }
}

# Verified once its DKIM records (the dkim_tokens output) are published in the domain's DNS.
resource "aws_sesv2_email_identity" "sender" {
  email_identity         = var.domain
  configuration_set_name = aws_sesv2_configuration_set.digests.configuration_set_name
}
