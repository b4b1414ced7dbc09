import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENTS, AGENT_CONTAINER, AGENT_NAMES } from '../../contract/catalog.js';
import { EMF_DIMENSION } from '../../controller/status/emf.js';
import { statementsOf } from './lib/iam.js';
import { REPO_ROOT, allModules, blocks, loadStack, type Block, type TfModule } from './lib/terraform.js';

const stack = await loadStack();
const child = (name: string): TfModule => stack.children.get(name)!;

function resource(module: TfModule, address: string): Block {
  const body = module.resources.get(address);
  if (!body) throw new Error(`${module.name}: resource ${address} not found`);
  return body;
}

function only(module: TfModule, type: string): Block {
  const found = [...module.resources].filter(([address]) => address.startsWith(`${type}.`));
  expect(found.map(([address]) => address), `${module.name}: one ${type}`).toHaveLength(1);
  return found[0][1];
}

const REQUIRED_TAGS = { Project: 'openclaw', ManagedBy: 'terraform', Environment: '${var.environment}' };

describe('tags', () => {
  it('tags every taggable resource with Project, ManagedBy and Environment through the provider default_tags', () => {
    expect(stack.root.providers).toHaveLength(1);
    const [defaultTags] = blocks(stack.root.providers[0], 'default_tags');
    expect(defaultTags?.tags).toEqual(REQUIRED_TAGS);
  });

  it('never overrides the required tags on a resource', () => {
    const overrides = allModules(stack).flatMap((m) => [...m.resources].flatMap(([address, body]) =>
      Object.keys(body.tags ?? {}).filter((key) => key in REQUIRED_TAGS).map((key) => `${m.name}: ${address} sets ${key}`)));
    expect(overrides).toEqual([]);
  });
});

describe('storage module', () => {
  const storage = child('storage');

  it('encrypts the tenant bucket at rest', () => {
    const sse = only(storage, 'aws_s3_bucket_server_side_encryption_configuration');
    const algorithm = blocks(blocks(sse, 'rule')[0], 'apply_server_side_encryption_by_default')[0]?.sse_algorithm;
    expect(['AES256', 'aws:kms']).toContain(algorithm);
  });

  it('blocks every kind of public access and turns ACLs off', () => {
    expect(only(storage, 'aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
    });
    expect(blocks(only(storage, 'aws_s3_bucket_ownership_controls'), 'rule')[0]?.object_ownership).toBe('BucketOwnerEnforced');
  });

  it('versions objects and refuses to destroy a bucket that still holds data', () => {
    expect(blocks(only(storage, 'aws_s3_bucket_versioning'), 'versioning_configuration')[0]?.status).toBe('Enabled');
    expect(only(storage, 'aws_s3_bucket').force_destroy).toBe(false);
  });

  it('denies any request to the bucket or its objects that is not made over TLS', () => {
    const policy = only(storage, 'aws_s3_bucket_policy');
    const document = storage.data.get(String(policy.policy).replace(/^\$\{data\.(.+)\.json\}$/, '$1'));
    const deny = statementsOf(document).find((s) => s.effect === 'Deny' && s.conditions.some((c) => c.variable === 'aws:SecureTransport'));
    expect(deny?.actions).toEqual(['s3:*']);
    expect(deny?.conditions).toContainEqual({ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] });
    expect(deny?.resources).toEqual(expect.arrayContaining(['${aws_s3_bucket.this.arn}', '${aws_s3_bucket.this.arn}/*']));
  });

  it('leaves the bucket lifecycle configuration to the controller, which owns it', () => {
    expect([...storage.resources.keys()].filter((a) => a.startsWith('aws_s3_bucket_lifecycle_configuration.'))).toEqual([]);
  });
});

describe('database module', () => {
  const database = child('database');
  const instance = only(database, 'aws_db_instance');

  it('runs PostgreSQL 16, encrypted, in private subnets, with its password managed in Secrets Manager', () => {
    expect(instance).toMatchObject({
      engine: 'postgres', storage_encrypted: true, manage_master_user_password: true, publicly_accessible: false,
    });
    expect(instance.password).toBeUndefined();
    expect(stack.root.variables.get('db_engine_version')?.default).toMatch(/^16(\.\d+)?$/);
    expect(only(database, 'aws_db_parameter_group').family).toBe('postgres16');
    expect(stack.root.modules.get('database')?.subnet_ids).toBe('${module.networking.private_subnet_ids}');
  });

  it('refuses non-TLS connections', () => {
    expect(blocks(only(database, 'aws_db_parameter_group'), 'parameter')).toContainEqual({ name: 'rds.force_ssl', value: '1' });
  });

  it('keeps backups for at least 7 days, and is protected from deletion with a final snapshot', () => {
    expect(instance).toMatchObject({ deletion_protection: true, skip_final_snapshot: false, backup_retention_period: '${var.backup_retention_days}' });
    const retention = stack.root.variables.get('db_backup_retention_days')!;
    expect(retention.default).toBeGreaterThanOrEqual(7);
    expect(blocks(retention, 'validation')[0]?.condition).toContain('var.db_backup_retention_days >= 7');
  });
});

describe('compute module', () => {
  const compute = child('compute');

  it('offers Fargate and Fargate Spot capacity on the cluster', () => {
    expect(only(compute, 'aws_ecs_cluster_capacity_providers').capacity_providers).toEqual(['FARGATE', 'FARGATE_SPOT']);
  });

  it('runs one controller task, with a deployment circuit breaker that rolls back, in private subnets', () => {
    const service = resource(compute, 'aws_ecs_service.controller');
    expect(service.desired_count).toBe(1);
    expect(blocks(service, 'deployment_circuit_breaker')[0]).toEqual({ enable: true, rollback: true });
    expect(blocks(service, 'network_configuration')[0]?.assign_public_ip).toBe(false);
  });

  it('defines one agent task definition per agent of agents/catalog.ts, with its size and command', () => {
    const agents = stack.root.variables.get('agents')!.default as Record<string, { cpu: number; memory: number }>;
    expect(Object.keys(agents).sort()).toEqual([...AGENT_NAMES].sort());
    for (const name of AGENT_NAMES) expect(agents[name], name).toEqual({ cpu: AGENTS[name].cpu, memory: AGENTS[name].memory });
    const agent = resource(compute, 'aws_ecs_task_definition.agent');
    expect(agent.for_each).toBe('${var.agents}');
    // The scheduler's RunTask overrides name this container.
    expect(String(agent.container_definitions)).toMatch(new RegExp(`name\\s*=\\s*"${AGENT_CONTAINER}"`));
    const prefix = compute.locals.get('agent_command') as string[];
    for (const name of AGENT_NAMES) expect([...prefix, name]).toEqual(AGENTS[name].command);
  });

  it('runs the pooled workers as a long-lived service of tenantctl pool-worker, on their own task role and database login', () => {
    const task = resource(compute, 'aws_ecs_task_definition.pool_worker');
    expect(task.task_role_arn).toBe('${var.pool_worker_task_role_arn}');
    expect(String(task.container_definitions)).toMatch(/command\s*=\s*\["node", "bin\/tenantctl.js", "pool-worker"\]/);
    // Root, so each tenant's runs get a uid of their own and cannot read the worker's or each other's environment.
    expect(String(task.container_definitions)).toMatch(/user\s*=\s*"0"/);
    const service = resource(compute, 'aws_ecs_service.pool_worker');
    expect(service.desired_count).toBe('${var.pool_workers.min_tasks}');
    expect(blocks(service, 'lifecycle')[0]?.ignore_changes).toEqual(['${desired_count}']);
    expect(blocks(service, 'deployment_circuit_breaker')[0]).toEqual({ enable: true, rollback: true });
    expect(blocks(service, 'network_configuration')[0]?.assign_public_ip).toBe(false);
    const computeCall = stack.root.modules.get('compute')!;
    expect(computeCall.pool_worker_task_role_arn).toBe('${module.security.pool_worker_role_arn}');
    const env = stack.root.locals.get('pool_worker_environment') as Record<string, string>;
    expect(env.DATABASE_URL).toMatch(/^postgresql:\/\/openclaw_pool_worker@/);
    expect(env.OPENCLAW_DB_SECRET_ARN).toBe('${module.security.pool_worker_db_secret_arn}');
    expect(env.OPENCLAW_TENANT_ACCESS_ROLE_ARN).toBe('${module.security.tenant_access_role_arn}');
    expect(env.OPENCLAW_POOL_WORKERS).toBe('${tostring(var.pool_workers.runs_per_task)}');
  });

  it('scales the workers on the backlog per task, PoolQueueDepth over running tasks, between validated bounds', () => {
    const target = resource(compute, 'aws_appautoscaling_target.pool_worker');
    expect(target).toMatchObject({ service_namespace: 'ecs', scalable_dimension: 'ecs:service:DesiredCount', min_capacity: '${var.pool_workers.min_tasks}', max_capacity: '${var.pool_workers.max_tasks}' });
    const policy = resource(compute, 'aws_appautoscaling_policy.pool_worker_backlog');
    expect(policy.policy_type).toBe('TargetTrackingScaling');
    const [tracking] = blocks(policy, 'target_tracking_scaling_policy_configuration');
    expect(tracking.target_value).toBe('${var.pool_workers.queue_per_task}');
    const metrics = blocks(blocks(tracking, 'customized_metric_specification')[0], 'metrics');
    const named = (id: string) => metrics.find((m) => m.id === id)!;
    const metric = (id: string) => blocks(blocks(named(id), 'metric_stat')[0], 'metric')[0];
    expect(metric('depth')).toMatchObject({ namespace: '${var.metrics_namespace}', metric_name: 'PoolQueueDepth' });
    expect(blocks(metric('depth'), 'dimensions')).toEqual(Object.entries(EMF_DIMENSION).map(([name, value]) => ({ name, value })));
    expect(metric('tasks')).toMatchObject({ namespace: 'ECS/ContainerInsights', metric_name: 'RunningTaskCount' });
    expect(named('backlog')).toMatchObject({ expression: 'depth / tasks', return_data: true });
    expect(metrics.filter((m) => m.return_data === true)).toHaveLength(1);
    expect(stack.root.locals.get('metrics_namespace')).toBe('OpenClaw/Controller');
    expect(blocks(stack.root.variables.get('pool_workers'), 'validation')).toHaveLength(3);
  });

  it('forwards every route the public listener serves, one-click unsubscribe included, and no other path', () => {
    const source = readFileSync(join(REPO_ROOT, 'controller', 'integrations', 'public-server.ts'), 'utf8');
    const served = [...source.matchAll(/app\.(get|post)(?:<[^(]*>)?\('([^']+)'/g)].map(([, method, path]) => `${method.toUpperCase()} ${path}`);
    expect(served).toEqual(expect.arrayContaining(['GET /unsubscribe', 'POST /unsubscribe', 'GET /callback', 'POST /connect/:link']));
    const rule = resource(compute, 'aws_lb_listener_rule.public_routes');
    expect(blocks(rule, 'action')[0]?.type).toBe('forward');
    // A path pattern matches every method: the rule forwards GET and POST alike.
    const patterns: string[] = blocks(blocks(rule, 'condition')[0], 'path_pattern')[0]?.values;
    const forwarded = (path: string) => patterns.some((pattern) => new RegExp(`^${pattern.replace('*', '.*')}$`).test(path));
    for (const route of served) expect(forwarded(route.split(' ')[1].replace(/:\w+/, 'x')), route).toBe(true);
    expect([...patterns].sort()).toEqual([...new Set(served.map((route) => route.split(' ')[1].replace(/:\w+/, '*')))].sort());
  });

  it('keeps logs for a bounded, validated number of days', () => {
    expect(only(compute, 'aws_cloudwatch_log_group').retention_in_days).toBe('${var.log_retention_days}');
    expect(blocks(stack.root.variables.get('log_retention_days'), 'validation')).toHaveLength(1);
  });

  it('stores images in an immutable, scanned repository', () => {
    const repository = only(compute, 'aws_ecr_repository');
    expect(repository.image_tag_mutability).toBe('IMMUTABLE');
    expect(blocks(repository, 'image_scanning_configuration')[0]?.scan_on_push).toBe(true);
  });
});

describe('networking module', () => {
  const networking = child('networking');

  it('reaches S3 through a gateway endpoint and the per-task services through interface endpoints', () => {
    expect(resource(networking, 'aws_vpc_endpoint.s3').vpc_endpoint_type).toBe('Gateway');
    expect(resource(networking, 'aws_vpc_endpoint.interface')).toMatchObject({ vpc_endpoint_type: 'Interface', private_dns_enabled: true });
    expect(stack.root.variables.get('interface_endpoints')?.default).toEqual(
      expect.arrayContaining(['secretsmanager', 'ecr.api', 'ecr.dkr', 'logs', 'sts']));
  });

  it('gives private subnets no public addresses and routes them through NAT', () => {
    expect(resource(networking, 'aws_subnet.private').map_public_ip_on_launch).toBeUndefined();
    expect(blocks(resource(networking, 'aws_route_table.private'), 'route')[0]?.nat_gateway_id).toMatch(/aws_nat_gateway\.this/);
  });
});

describe('email module', () => {
  const email = child('email');

  it('sends through one configuration set that requires TLS and suppresses bounces and complaints', () => {
    const set = only(email, 'aws_sesv2_configuration_set');
    expect(blocks(set, 'delivery_options')[0]?.tls_policy).toBe('REQUIRE');
    expect(blocks(set, 'suppression_options')[0]?.suppressed_reasons).toEqual(['BOUNCE', 'COMPLAINT']);
    expect(blocks(set, 'reputation_options')[0]?.reputation_metrics_enabled).toBe(true);
  });

  it('verifies the sending domain, with that configuration set as its default', () => {
    expect(only(email, 'aws_sesv2_email_identity')).toMatchObject({
      email_identity: '${var.domain}', configuration_set_name: '${aws_sesv2_configuration_set.digests.configuration_set_name}',
    });
  });
});
