# The customers' way in: an internet-facing ALB whose HTTPS listener forwards only the onboarding routes
# (/connect/*, /callback) and the digest's one-click unsubscribe (/unsubscribe, GET and POST) to the
# controller's public listener; everything else, the ops API included, gets a
# 404 from the load balancer itself. The ops port is never a target.

locals {
  public_face = var.public_face == null ? [] : [var.public_face]
}

resource "aws_security_group" "public_alb" {
  count       = length(local.public_face)
  name        = "${var.cluster_name}-public-alb"
  description = "Customers' load balancer: HTTPS from anywhere, to the controller's public port only."
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "public_alb_https" {
  count             = length(local.public_face)
  security_group_id = aws_security_group.public_alb[0].id
  description       = "HTTPS from customers"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "public_alb_to_tasks" {
  count                        = length(local.public_face)
  security_group_id            = aws_security_group.public_alb[0].id
  description                  = "To the controller's public listener"
  ip_protocol                  = "tcp"
  from_port                    = var.public_port
  to_port                      = var.public_port
  referenced_security_group_id = var.security_group_ids[0]
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_public_alb" {
  count                        = length(local.public_face)
  security_group_id            = var.security_group_ids[0]
  description                  = "Customers' load balancer to the controller's public listener"
  ip_protocol                  = "tcp"
  from_port                    = var.public_port
  to_port                      = var.public_port
  referenced_security_group_id = aws_security_group.public_alb[0].id
}

resource "aws_lb" "public" {
  count                      = length(local.public_face)
  name                       = "${var.cluster_name}-public"
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = local.public_face[0].subnet_ids
  security_groups            = [aws_security_group.public_alb[0].id]
  drop_invalid_header_fields = true
}

resource "aws_lb_target_group" "public" {
  count       = length(local.public_face)
  name        = "${var.cluster_name}-public"
  port        = var.public_port
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id
  # The public listener has no probe route: a callback without a state is refused with 400, which shows
  # the onboarding application itself answers.
  health_check {
    path    = "/callback"
    matcher = "400"
  }
}

resource "aws_lb_listener" "public" {
  count             = length(local.public_face)
  load_balancer_arn = aws_lb.public[0].arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = local.public_face[0].certificate_arn
  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "Not found"
      status_code  = "404"
    }
  }
}

resource "aws_lb_listener_rule" "public_routes" {
  count        = length(local.public_face)
  listener_arn = aws_lb_listener.public[0].arn
  priority     = 10
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.public[0].arn
  }
  condition {
    path_pattern {
      values = ["/connect/*", "/callback", "/unsubscribe"]
    }
  }
}
