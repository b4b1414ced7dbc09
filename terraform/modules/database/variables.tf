# Validated at the root module; here only typed and described.

variable "name" {
  description = "Identifier prefix of the instance and its companions."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (two zones at least) the database may live in."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups allowed to connect on 5432 (the controller's and the agents' tasks)."
  type        = list(string)
}

variable "engine_version" {
  description = "PostgreSQL version (16 or 16.<minor>)."
  type        = string
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
}

variable "max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB."
  type        = number
}

variable "multi_az" {
  description = "Keep a standby in a second zone."
  type        = bool
}

variable "backup_retention_days" {
  description = "Days of automated backups."
  type        = number
}

variable "db_name" {
  description = "Name of the database."
  type        = string
}

variable "master_username" {
  description = "Master user name."
  type        = string
}
