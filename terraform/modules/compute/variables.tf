# Validated at the root module; here only typed and described.

variable "cluster_name" {
  description = "Name of the ECS cluster (OPENCLAW_ECS_CLUSTER)."
  type        = string
}

variable "repository_name" {
  description = "Name of the ECR repository of the image."
  type        = string
}

variable "controller_family" {
  description = "Task definition family of the controller."
  type        = string
}

variable "controller_service_name" {
  description = "Name of the controller's ECS service."
  type        = string
}

variable "image_tag" {
  description = "Image tag the controller and the agents run."
  type        = string
}

variable "controller_cpu" {
  description = "Fargate CPU units of the controller."
  type        = number
}

variable "controller_memory" {
  description = "Memory (MiB) of the controller."
  type        = number
}

variable "http_port" {
  description = "Port of the controller's HTTP server."
  type        = number
}

variable "controller_environment" {
  description = "Environment variables of the controller container."
  type        = map(string)
}

variable "controller_secrets" {
  description = "Environment variables of the controller filled by ECS from Secrets Manager: name => valueFrom."
  type        = map(string)
}

variable "controller_task_role_arn" {
  description = "Role the controller's code runs with."
  type        = string
}

variable "controller_execution_role_arn" {
  description = "Role ECS uses to pull the image, write logs and read the controller's secrets."
  type        = string
}

variable "agents" {
  description = "Agents with their Fargate CPU units and memory."
  type = map(object({
    cpu    = number
    memory = number
  }))
}

variable "agent_families" {
  description = "Task definition family of each agent."
  type        = map(string)
}

variable "agent_environment" {
  description = "Environment variables common to every agent task."
  type        = map(string)
}

variable "agent_execution_role_arn" {
  description = "Role ECS uses to pull the image and write logs for agent tasks."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the controller task."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the controller task."
  type        = list(string)
}

variable "log_group_names" {
  description = "Log group names, keyed controller and agents."
  type        = map(string)
}

variable "log_retention_days" {
  description = "Days logs are kept."
  type        = number
}

variable "vpc_id" {
  description = "VPC of the controller service and of the customers' load balancer."
  type        = string
}

variable "public_port" {
  description = "Port of the controller's public listener (onboarding links and the OAuth callback)."
  type        = number
}

variable "public_face" {
  description = "The customers' load balancer: public subnets and the ACM certificate of its HTTPS listener; null for none."
  type = object({
    subnet_ids      = list(string)
    certificate_arn = string
  })
  default = null
}

variable "pool_worker_family" {
  description = "Task definition family of the pooled workers."
  type        = string
}

variable "pool_worker_service_name" {
  description = "Name of the pooled workers' ECS service."
  type        = string
}

variable "pool_workers" {
  description = "Size of a worker task, runs per task, task count bounds and the target backlog per task."
  type = object({
    cpu            = number
    memory         = number
    runs_per_task  = number
    min_tasks      = number
    max_tasks      = number
    queue_per_task = number
  })
}

variable "pool_worker_environment" {
  description = "Environment variables of the worker container."
  type        = map(string)
}

variable "pool_worker_task_role_arn" {
  description = "Role the workers run with: vend tenant credentials, read the pool's logins."
  type        = string
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the controller's metrics (PoolQueueDepth)."
  type        = string
}
