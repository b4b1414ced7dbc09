# The pooled workers: a long-lived service whose tasks claim pooled tenants' runs from openclaw.pool_queue
# (tenantctl pool-worker) and run each as a child process with credentials vended for its tenant alone.
# Application Auto Scaling keeps the backlog per task (PoolQueueDepth, which the controller emits, over the
# service's running tasks) near queue_per_task, between min_tasks and max_tasks.

resource "aws_ecs_task_definition" "pool_worker" {
  family                   = var.pool_worker_family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.pool_workers.cpu
  memory                   = var.pool_workers.memory
  task_role_arn            = var.pool_worker_task_role_arn
  # Pulls the image and writes to the agents' log group: the agents' execution role does exactly that.
  execution_role_arn = var.agent_execution_role_arn
  track_latest       = true
  skip_destroy       = true

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name      = "pool-worker"
    image     = local.image
    essential = true
    command   = ["node", "bin/tenantctl.js", "pool-worker"]
    # Root in its container, so that each tenant's runs get an unprivileged uid of their own
    # (controller/scheduler/local-identity.ts): a run can read neither the worker's environment (its task
    # role's credentials endpoint) nor a run of another tenant's (its vended credentials).
    user            = "0"
    environment     = [for key, value in var.pool_worker_environment : { name = key, value = value }]
    linuxParameters = { initProcessEnabled = true }
    # Fargate's longest: runs in progress get SIGTERM; a run cut short is claimed again once its heartbeat stops.
    stopTimeout = 120
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this["agents"].name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = "pool-worker"
      }
    }
  }])
}

resource "aws_ecs_service" "pool_worker" {
  name                               = var.pool_worker_service_name
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.pool_worker.arn
  desired_count                      = var.pool_workers.min_tasks
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"

  capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 1
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = false
  }

  # The task count is Application Auto Scaling's from the first apply on.
  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

resource "aws_appautoscaling_target" "pool_worker" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.pool_worker.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.pool_workers.min_tasks
  max_capacity       = var.pool_workers.max_tasks
}

# Backlog per task: runs waiting (the controller's PoolQueueDepth, dimension Service=controller) over the
# service's running tasks (Container Insights). Target tracking adds tasks when it is above queue_per_task
# and removes them, more slowly, when it is below.
resource "aws_appautoscaling_policy" "pool_worker_backlog" {
  name               = "${var.pool_worker_service_name}-backlog"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.pool_worker.service_namespace
  resource_id        = aws_appautoscaling_target.pool_worker.resource_id
  scalable_dimension = aws_appautoscaling_target.pool_worker.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.pool_workers.queue_per_task
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    customized_metric_specification {
      metrics {
        id          = "depth"
        label       = "Pooled runs waiting"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = var.metrics_namespace
            metric_name = "PoolQueueDepth"
            dimensions {
              name  = "Service"
              value = "controller"
            }
          }
        }
      }
      metrics {
        id          = "tasks"
        label       = "Running worker tasks"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"
            dimensions {
              name  = "ClusterName"
              value = aws_ecs_cluster.this.name
            }
            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.pool_worker.name
            }
          }
        }
      }
      metrics {
        id          = "backlog"
        label       = "Pooled runs waiting per worker task"
        expression  = "depth / tasks"
        return_data = true
      }
    }
  }
}
