# The image registry, the cluster and the logs. Tasks are in tasks.tf.

data "aws_region" "current" {}

resource "aws_ecr_repository" "this" {
  name = var.repository_name
  # A tag names one image forever, so a task definition revision always means the same code and a
  # circuit-breaker rollback really goes back to the previous image.
  image_tag_mutability = "IMMUTABLE"
  force_delete         = false
  image_scanning_configuration {
    scan_on_push = true
  }
  encryption_configuration {
    encryption_type = "AES256"
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the last 100 images: enough to roll back, bounded storage."
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 100 }
      action       = { type = "expire" }
    }]
  })
}

resource "aws_ecs_cluster" "this" {
  name = var.cluster_name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

# Both Fargate flavours: the controller runs on FARGATE; the scheduler puts starter-tier agent runs on
# FARGATE_SPOT (up to 70 % cheaper, may be interrupted: acceptable for a retried batch job).
resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]
  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 1
  }
}

resource "aws_cloudwatch_log_group" "this" {
  for_each          = var.log_group_names
  name              = each.value
  retention_in_days = var.log_retention_days
}
