output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "private_subnet_ids" {
  description = "Private subnets, one per zone, for the controller, the agents and the database."
  value       = aws_subnet.private[*].id
}

output "tasks_security_group_id" {
  description = "Security group of the controller and agent tasks."
  value       = aws_security_group.tasks.id
}

output "public_subnet_ids" {
  description = "Public subnets, one per zone, for the customers' load balancer."
  value       = aws_subnet.public[*].id
}
