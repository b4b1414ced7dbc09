# Validated at the root module; here only typed and described.

variable "name" {
  description = "Prefix of the alarm names and of the SNS topic."
  type        = string
}

variable "cluster_name" {
  description = "The ECS cluster the controller service runs on."
  type        = string
}

variable "controller_service_name" {
  description = "The controller's ECS service: its task not running is an alarm."
  type        = string
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the controller's Embedded Metric Format lines (OPENCLAW_METRICS_NAMESPACE)."
  type        = string
}

variable "no_pass_alarm_minutes" {
  description = "Minutes without a successful reconcile pass before the alarm."
  type        = number
}

variable "agent_failure_rate_threshold" {
  description = "Share of agent runs failing over 15 minutes above which the alarm fires (0 to 1)."
  type        = number
}
