# Task definitions and the controller service. The deploy workflow registers a new revision of each family
# with the new image (everything else copied from the latest revision); track_latest makes Terraform read
# that latest revision instead of the one it created, so a deploy is not seen as drift and reverted.
# skip_destroy keeps old revisions registered so running tasks and rollbacks can still use them.

locals {
  image = "${aws_ecr_repository.this.repository_url}:${var.image_tag}"
  # contract/catalog.ts: command = [...agent_command, <agent>]. The same image (compiled JavaScript) runs the
  # controller and the agents.
  agent_command = ["node", "agents/run.js"]
  # No curl in a slim image: node itself probes the health endpoint.
  healthcheck = "fetch('http://127.0.0.1:${var.http_port}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
}

resource "aws_ecs_task_definition" "controller" {
  family                   = var.controller_family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.controller_cpu
  memory                   = var.controller_memory
  task_role_arn            = var.controller_task_role_arn
  execution_role_arn       = var.controller_execution_role_arn
  track_latest             = true
  skip_destroy             = true

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name         = "controller"
    image        = local.image
    essential    = true
    command      = ["node", "bin/tenantctl.js", "run"]
    portMappings = [{ containerPort = var.http_port, protocol = "tcp" }, { containerPort = var.public_port, protocol = "tcp" }]
    environment  = [for key, value in var.controller_environment : { name = key, value = value }]
    secrets      = [for key, value in var.controller_secrets : { name = key, valueFrom = value }]
    # An init process forwards SIGTERM to node and reaps git's child processes.
    linuxParameters = { initProcessEnabled = true }
    stopTimeout     = 30
    healthCheck = {
      command     = ["CMD", "node", "-e", local.healthcheck]
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = 60
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this["controller"].name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = "controller"
      }
    }
  }])
}

resource "aws_ecs_service" "controller" {
  name            = var.controller_service_name
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.controller.arn
  # One replica: leader election makes a second one a standby, not a second scheduler. During a rolling
  # deploy the old and new task overlap briefly and the lease decides which one schedules.
  desired_count                      = 1
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"

  capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 1
  }

  # A revision whose tasks never become healthy is rolled back to the last one that did.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  dynamic "load_balancer" {
    for_each = aws_lb_target_group.public
    content {
      target_group_arn = load_balancer.value.arn
      container_name   = "controller"
      container_port   = var.public_port
    }
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = false
  }

  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

# One family per agent. No task role: the controller sets overrides.taskRoleArn to the tenant's own role on
# every RunTask, and a task started without it gets no AWS credentials at all. The controller also sets the
# tenant's environment and the capacity provider (Spot for the starter tier) per run.
resource "aws_ecs_task_definition" "agent" {
  for_each                 = var.agents
  family                   = var.agent_families[each.key]
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = var.agent_execution_role_arn
  track_latest             = true
  skip_destroy             = true

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name            = "agent"
    image           = local.image
    essential       = true
    command         = concat(local.agent_command, [each.key])
    environment     = [for key, value in var.agent_environment : { name = key, value = value }]
    linuxParameters = { initProcessEnabled = true }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this["agents"].name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = each.key
      }
    }
  }])
}
