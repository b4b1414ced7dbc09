#!/usr/bin/env bash
# Prints IMAGE_TAG=<tag> of the image the controller service runs now, or nothing before the first deploy.
# Terraform is given this tag so that a plan never proposes to roll the service back to an older image:
# the deploy workflow decides which image runs, Terraform decides everything else (modules/compute/tasks.tf).
# Run from terraform/ after `terraform init`.
set -euo pipefail

cluster=$(terraform output -raw openclaw_ecs_cluster 2>/dev/null) || exit 0
service=$(terraform output -raw controller_service_name 2>/dev/null) || exit 0
task_definition=$(aws ecs describe-services --cluster "$cluster" --services "$service" \
  --query 'services[0].taskDefinition' --output text 2>/dev/null) || exit 0
if [ -z "$task_definition" ] || [ "$task_definition" = "None" ]; then exit 0; fi

image=$(aws ecs describe-task-definition --task-definition "$task_definition" \
  --query 'taskDefinition.containerDefinitions[0].image' --output text)
echo "IMAGE_TAG=${image##*:}"
