# Validated at the root module; here only typed and described.

variable "name" {
  description = "Prefix of the configuration set name."
  type        = string
}

variable "domain" {
  description = "The domain email is sent from; verified as an SES identity with Easy DKIM."
  type        = string
}

variable "from_local_part" {
  description = "The part before @ of the one address agents send from."
  type        = string
}
