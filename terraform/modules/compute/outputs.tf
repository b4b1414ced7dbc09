output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "controller_service_name" {
  description = "Name of the controller's ECS service."
  value       = aws_ecs_service.controller.name
}

output "ecr_repository_url" {
  description = "URL of the image repository."
  value       = aws_ecr_repository.this.repository_url
}

output "ecr_repository_arn" {
  description = "ARN of the image repository."
  value       = aws_ecr_repository.this.arn
}
