# Validated at the root module; here only typed and described.

variable "name" {
  description = "Prefix of resource names."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR block (/16) of the VPC."
  type        = string
}

variable "az_count" {
  description = "Number of availability zones."
  type        = number
}

variable "single_nat_gateway" {
  description = "One NAT gateway shared by all zones instead of one per zone."
  type        = bool
}

variable "interface_endpoints" {
  description = "Services reached through interface endpoints (short names: secretsmanager, ecr.api, ...)."
  type        = list(string)
}
