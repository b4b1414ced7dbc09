# S3 through a gateway endpoint: free, and it carries the agents' object traffic and ECR's image layers.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${data.aws_region.current.name}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.private[*].id
  tags              = { Name = "${var.name}-s3" }
}

# Interface endpoints cost an hourly fee per zone; they pay off for the services every task start calls
# (ECR, logs, STS, Secrets Manager). The list is a variable so a small environment can drop them.
resource "aws_vpc_endpoint" "interface" {
  for_each            = toset(var.interface_endpoints)
  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${data.aws_region.current.name}.${each.value}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = aws_subnet.private[*].id
  security_group_ids  = [aws_security_group.endpoints.id]
  private_dns_enabled = true
  tags                = { Name = "${var.name}-${each.value}" }
}

resource "aws_security_group" "endpoints" {
  name        = "${var.name}-endpoints"
  description = "HTTPS from inside the VPC to the interface endpoints"
  vpc_id      = aws_vpc.this.id
  tags        = { Name = "${var.name}-endpoints" }
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_https" {
  security_group_id = aws_security_group.endpoints.id
  description       = "HTTPS from the VPC"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = aws_vpc.this.cidr_block
}

# The controller and the agents share one group: no inbound rule (nothing calls them; the health check
# runs inside the container), outbound to AWS APIs, the database and the git host.
resource "aws_security_group" "tasks" {
  name        = "${var.name}-tasks"
  description = "Controller and agent tasks: no inbound, all outbound"
  vpc_id      = aws_vpc.this.id
  tags        = { Name = "${var.name}-tasks" }
}

resource "aws_vpc_security_group_egress_rule" "tasks_all" {
  security_group_id = aws_security_group.tasks.id
  description       = "AWS APIs, PostgreSQL, git over HTTPS or SSH"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}
