# Alarms on the controller, all to one SNS topic: its task not running, no successful pass for a while,
# Degraded tenants, agents failing, a tenant over budget. The controller's metrics come from its Embedded
# Metric Format log lines (controller/status/emf.ts), dimension Service=controller; the task's from AWS/ECS.

locals {
  dimensions = { Service = "controller" }
  threshold_alarms = {
    "no-successful-pass" = {
      description = "No reconcile pass succeeded for ${var.no_pass_alarm_minutes} minutes (the resync runs every 5): see the controller's log and GET /api/fleet."
      metric      = "SuccessfulPasses", statistic = "Sum", period = var.no_pass_alarm_minutes * 60, periods = 1, below = true, threshold = 1
    }
    "degraded-tenants" = {
      description = "At least one tenant is Degraded after two passes in a row: tenantctl status shows which and why."
      metric      = "DegradedTenants", statistic = "Maximum", period = 300, periods = 2, below = false, threshold = 0
    }
    "budget-exceeded" = {
      description = "A tenant spent its monthly budget: its agent runs are skipped (docs/USAGE.md)."
      metric      = "BudgetExceededTenants", statistic = "Maximum", period = 300, periods = 1, below = false, threshold = 0
    }
  }
}

# Not encrypted with the AWS-managed key aws/sns: CloudWatch alarms cannot publish to a topic under it
# (its key policy cannot grant cloudwatch.amazonaws.com). Alarm messages carry no tenant data.
resource "aws_sns_topic" "alarms" {
  name = "${var.name}-alarms"
}

# ECS reports CPUUtilization once a minute for each running task of the service: none means no task runs.
resource "aws_cloudwatch_metric_alarm" "controller_not_running" {
  alarm_name          = "${var.name}-controller-not-running"
  alarm_description   = "The controller service has no running task: nothing reconciles, schedules or serves the ops API."
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  dimensions          = { ClusterName = var.cluster_name, ServiceName = var.controller_service_name }
  statistic           = "SampleCount"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "agent_failure_rate" {
  alarm_name          = "${var.name}-agent-failure-rate"
  alarm_description   = "More than ${var.agent_failure_rate_threshold * 100}% of agent runs failed over 15 minutes."
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.agent_failure_rate_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "rate"
    expression  = "IF(finished > 0, failed / finished, 0)"
    label       = "Share of agent runs that failed"
    return_data = true
  }

  metric_query {
    id = "failed"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "AgentRunsFailed"
      dimensions  = local.dimensions
      stat        = "Sum"
      period      = 900
    }
  }

  metric_query {
    id = "finished"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "AgentRunsFinished"
      dimensions  = local.dimensions
      stat        = "Sum"
      period      = 900
    }
  }
}

# The controller's own metrics against a threshold, one alarm each.
resource "aws_cloudwatch_metric_alarm" "controller" {
  for_each            = local.threshold_alarms
  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = var.metrics_namespace
  metric_name         = each.value.metric
  dimensions          = local.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = each.value.periods
  comparison_operator = each.value.below ? "LessThanThreshold" : "GreaterThanThreshold"
  threshold           = each.value.threshold
  # No line at all means no pass ran: for the pass alarm that is the alarm itself.
  treat_missing_data = each.value.below ? "breaching" : "notBreaching"
  alarm_actions      = [aws_sns_topic.alarms.arn]
  ok_actions         = [aws_sns_topic.alarms.arn]
}
