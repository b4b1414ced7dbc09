import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsDouble } from '../aws-double/index.js';
import { startAwsDoubleServer, type AwsDoubleServer } from '../aws-double/http/index.js';
import { locateTerraform, parsePlanJson, prepareWorkdir, terraform, writeTfvars, type Run } from './lib/terraform-cli.js';
import { TERRAFORM_DIR, allModules, loadStack } from './lib/terraform.js';

/**
 * What a plan of a new stack creates, by module. A resource added to terraform/ is added here too;
 * the last test also fails when a declared resource is planned nowhere.
 */
const PLANNED: Record<string, string[]> = {
  networking: [
    'aws_vpc.this', 'aws_default_security_group.this', 'aws_internet_gateway.this',
    'aws_subnet.private[0]', 'aws_subnet.private[1]', 'aws_subnet.public[0]', 'aws_subnet.public[1]',
    'aws_eip.nat[0]', 'aws_eip.nat[1]', 'aws_nat_gateway.this[0]', 'aws_nat_gateway.this[1]',
    'aws_route_table.private[0]', 'aws_route_table.private[1]', 'aws_route_table.public',
    'aws_route_table_association.private[0]', 'aws_route_table_association.private[1]',
    'aws_route_table_association.public[0]', 'aws_route_table_association.public[1]',
    'aws_security_group.endpoints', 'aws_security_group.tasks',
    'aws_vpc_security_group_egress_rule.tasks_all', 'aws_vpc_security_group_ingress_rule.endpoints_https',
    'aws_vpc_endpoint.s3', 'aws_vpc_endpoint.interface["ecr.api"]', 'aws_vpc_endpoint.interface["ecr.dkr"]',
    'aws_vpc_endpoint.interface["logs"]', 'aws_vpc_endpoint.interface["secretsmanager"]', 'aws_vpc_endpoint.interface["sts"]',
  ],
  database: [
    'aws_db_instance.this', 'aws_db_parameter_group.this', 'aws_db_subnet_group.this', 'aws_security_group.this',
    'aws_vpc_security_group_ingress_rule.clients[0]',
  ],
  storage: [
    'aws_s3_bucket.this', 'aws_s3_bucket_ownership_controls.this', 'aws_s3_bucket_policy.this', 'aws_s3_bucket_public_access_block.this',
    'aws_s3_bucket_server_side_encryption_configuration.this', 'aws_s3_bucket_versioning.this',
  ],
  compute: [
    'aws_ecr_repository.this', 'aws_ecr_lifecycle_policy.this', 'aws_ecs_cluster.this', 'aws_ecs_cluster_capacity_providers.this',
    'aws_cloudwatch_log_group.this["agents"]', 'aws_cloudwatch_log_group.this["controller"]', 'aws_ecs_service.controller',
    'aws_ecs_task_definition.controller', 'aws_ecs_task_definition.agent["butler"]',
    'aws_ecs_task_definition.pool_worker', 'aws_ecs_service.pool_worker', 'aws_appautoscaling_target.pool_worker', 'aws_appautoscaling_policy.pool_worker_backlog', 'aws_ecs_task_definition.agent["scout"]',
    'aws_ecs_task_definition.agent["writer"]',
    'aws_lb.public[0]', 'aws_lb_listener.public[0]', 'aws_lb_listener_rule.public_routes[0]', 'aws_lb_target_group.public[0]',
    'aws_security_group.public_alb[0]', 'aws_vpc_security_group_egress_rule.public_alb_to_tasks[0]',
    'aws_vpc_security_group_ingress_rule.public_alb_https[0]', 'aws_vpc_security_group_ingress_rule.tasks_from_public_alb[0]',
  ],
  email: ['aws_sesv2_configuration_set.digests', 'aws_sesv2_email_identity.sender'],
  monitoring: [
    'aws_sns_topic.alarms', 'aws_cloudwatch_metric_alarm.controller_not_running', 'aws_cloudwatch_metric_alarm.agent_failure_rate',
    'aws_cloudwatch_metric_alarm.controller["no-successful-pass"]', 'aws_cloudwatch_metric_alarm.controller["degraded-tenants"]',
    'aws_cloudwatch_metric_alarm.controller["budget-exceeded"]',
  ],
  security: [
    'aws_iam_openid_connect_provider.github[0]', 'aws_iam_policy.tenant_boundary',
    'aws_iam_role.controller_task', 'aws_iam_role.execution["agents"]', 'aws_iam_role.execution["controller"]',
    'aws_iam_role.github["deploy"]', 'aws_iam_role.github["terraform-apply"]', 'aws_iam_role.github["terraform-plan"]',
    'aws_iam_role.pool_worker', 'aws_iam_role.tenant_access',
    'aws_iam_role_policy.controller_task', 'aws_iam_role_policy.execution["agents"]', 'aws_iam_role_policy.execution["controller"]',
    'aws_iam_role_policy.github_deploy', 'aws_iam_role_policy.github_plan', 'aws_iam_role_policy.pool_worker', 'aws_iam_role_policy.tenant_access',
    'aws_iam_role_policy_attachment.github_apply_admin',
    'aws_secretsmanager_secret.oauth_client["google"]', 'aws_secretsmanager_secret.oauth_client["hubspot"]', 'aws_secretsmanager_secret.oauth_client["microsoft"]',
  ],
};

/** Resources a new stack with the test's variables does not create, on purpose (count = 0). */
const NOT_PLANNED_BY_DESIGN: string[] = [];

/** Every plan starts from the example variables file an operator copies (docs/DEPLOY.md, step 2). */
const EXAMPLE_TFVARS = join(TERRAFORM_DIR, 'environments', 'production.tfvars.example');

/**
 * The controller's heap cap for a task size and an optional explicit cap, as `terraform console` evaluates
 * the NODE_OPTIONS the controller runs with; or its refusal (here, not in REFUSED: terraform does not validate a
 * variable whose validation reads another one, controller_memory, that is itself refused).
 */
const HEAP_CAPS: { vars: Record<string, number>; nodeOptions?: string; refused?: string }[] = [
  { vars: { controller_cpu: 512, controller_memory: 1024 }, nodeOptions: '--max-old-space-size=384' },
  { vars: { controller_cpu: 512, controller_memory: 2048 }, nodeOptions: '--max-old-space-size=768' },
  { vars: { controller_cpu: 512, controller_memory: 1024, controller_heap_mb: 768 }, nodeOptions: '--max-old-space-size=768' },
  { vars: { controller_cpu: 512, controller_memory: 1024, controller_heap_mb: 769 }, refused: 'controller_heap_mb must be at most controller_memory - 256' },
  { vars: { controller_cpu: 512, controller_memory: 1024, controller_heap_mb: 127 }, refused: 'controller_heap_mb must be null (3/8 of controller_memory) or a whole number of MiB, 128 at least' },
];

/** Each value is one AWS refuses, and the message its validation gives. */
const REFUSED: { variable: string; value: unknown; message: string }[] = [
  { variable: 'controller_cpu', value: 1024, message: 'controller_memory must be a memory size Fargate allows' },
  { variable: 'controller_memory', value: 2500, message: 'controller_memory must be a memory size Fargate allows' },
  { variable: 'agents', value: { butler: { cpu: 256, memory: 1536 } }, message: 'agents keys must be butler, scout or writer, each with a cpu and memory pair Fargate allows' },
  { variable: 'name', value: 'openclaw-', message: 'name must be 2-20 lowercase letters' },
  { variable: 'tenant_bucket_name', value: 'tenants..bucket', message: 'tenant_bucket_name must be empty or a valid S3 bucket name' },
  { variable: 'db_master_username', value: 'openclaw_administrator', message: 'db_master_username must be 1-16 lowercase letters' },
  { variable: 'email_domain', value: 'Mail.Example.com', message: 'email_domain must be a lowercase DNS domain name' },
  {
    variable: 'pool_workers', value: { cpu: 1024, memory: 2048, runs_per_task: 4, min_tasks: 5, max_tasks: 2, queue_per_task: 8 },
    message: 'pool_workers min_tasks and max_tasks must be whole numbers with 1 <= min_tasks <= max_tasks <= 1000',
  },
];

const located = locateTerraform();
const skipped = located.ok ? '' : ` (skipped: ${located.reason})`;
if (!located.ok) console.warn(`terraform checks skipped: ${located.reason}`);

describe.skipIf(!located.ok)(`the Terraform stack, checked by terraform with the pinned hashicorp/aws provider${skipped}`, () => {
  let server: AwsDoubleServer;
  let workdir: ReturnType<typeof prepareWorkdir>;
  let validate: Run;
  let plan: Run;
  let refused: Run;
  let heapCaps: Run[];

  beforeAll(async () => {
    server = await startAwsDoubleServer(createAwsDouble({ region: 'eu-west-1' }));
    workdir = prepareWorkdir(server.url);
    const mirror = located.ok ? located.mirror : '';
    const init = await terraform(workdir.dir, ['init', '-no-color', '-input=false', '-lockfile=readonly', `-plugin-dir=${mirror}`]);
    if (init.code !== 0) throw new Error(`terraform init failed:\n${init.stdout}${init.stderr}`);
    // Valid but unusual sizes on purpose: 8 and 16 vCPU, and the largest memory each allows.
    copyFileSync(EXAMPLE_TFVARS, join(workdir.dir, 'example.tfvars'));
    const valid = writeTfvars(workdir.dir, 'valid.tfvars', {
      agents: { butler: { cpu: 256, memory: 512 }, scout: { cpu: 8192, memory: 61440 }, writer: { cpu: 16384, memory: 122880 } },
    });
    const invalid = writeTfvars(workdir.dir, 'invalid.tfvars', Object.fromEntries(REFUSED.map((r) => [r.variable, r.value])));
    // Independent of each other: run at once, each with the provider's own process.
    [validate, plan, refused] = await Promise.all([
      terraform(workdir.dir, ['validate', '-no-color']),
      terraform(workdir.dir, ['plan', '-json', '-lock=false', '-input=false', '-var-file=example.tfvars', `-var-file=${valid}`]),
      terraform(workdir.dir, ['plan', '-json', '-lock=false', '-input=false', '-var-file=example.tfvars', `-var-file=${invalid}`]),
    ]);
    // After the plans, not beside them: each console starts the provider too, and the machine has two cores.
    heapCaps = await Promise.all(HEAP_CAPS.map(({ vars, refused: refusal }, index) => {
      const file = writeTfvars(workdir.dir, `heap-${index}.tfvars`, vars);
      // A refused variable stops the console before it evaluates anything; asking for a local then would crash it.
      const expression = refusal ? 'var.controller_heap_mb' : 'local.controller_environment.NODE_OPTIONS';
      // A state of its own (empty) each: a console locks the state it reads, and they run at once.
      const state = `-state=heap-${index}.tfstate`;
      return terraform(workdir.dir, ['console', '-no-color', state, '-var-file=example.tfvars', `-var-file=${file}`], `${expression}\n`);
    }));
  }, 600_000);

  afterAll(async () => {
    workdir?.remove();
    await server?.close();
  });

  it('is valid for terraform validate', () => {
    expect(validate.stdout + validate.stderr).toContain('Success! The configuration is valid.');
    expect(validate.code).toBe(0);
  });

  it('plans a new stack against the AWS double without an error, reading only STS and EC2', () => {
    const { diagnostics } = parsePlanJson(plan.stdout);
    expect(diagnostics.filter((d) => d.severity === 'error'), plan.stderr).toEqual([]);
    expect(plan.code).toBe(0);
    const services = new Set(server.requests.map((r) => r.service ?? r.operation));
    expect([...services].sort()).toEqual(['DescribeAvailabilityZones', 'sts']);
  });

  it('creates exactly the planned resources of each module, and nothing else', () => {
    // Data sources whose inputs are unknown until apply show as reads; every resource is a create.
    const changes = parsePlanJson(plan.stdout).changes.filter((c) => !/(^|\.)data\./.test(c.address));
    expect(changes.filter((c) => c.action !== 'create')).toEqual([]);
    const byModule: Record<string, string[]> = {};
    for (const { address } of changes) {
      const [, module, resource] = /^module\.([\w-]+)\.(.+)$/.exec(address) ?? [undefined, 'root', address];
      (byModule[module] ??= []).push(resource);
    }
    for (const list of Object.values(byModule)) list.sort();
    expect(byModule).toEqual(Object.fromEntries(Object.entries(PLANNED).map(([module, list]) => [module, [...list].sort()])));
  });

  it('plans every resource block the configuration declares', async () => {
    const stack = await loadStack();
    const planned = new Set(Object.entries(PLANNED).flatMap(([module, list]) => list.map((address) => `${module}.${address.replace(/\[.*$/, '')}`)));
    const declared = allModules(stack).flatMap((m) => [...m.resources.keys()].map((address) => `${m.name}.${address}`));
    expect(declared.filter((address) => !planned.has(address) && !NOT_PLANNED_BY_DESIGN.includes(address))).toEqual([]);
  });

  it('caps the controller\'s heap at 3/8 of its task memory by default, or at controller_heap_mb, and refuses a cap under 128 MiB or leaving under 256 MiB beside it', () => {
    // A piped console prints a refused variable's error and still exits 0: the message is what tells.
    const outcomes = heapCaps.map((run, index) => {
      const refusal = HEAP_CAPS[index].refused;
      return refusal && (run.stdout + run.stderr).replace(/\s+/g, ' ').includes(refusal) ? { refused: refusal } : { nodeOptions: run.stdout.trim() };
    });
    // The console prints a string value quoted.
    expect(outcomes).toEqual(HEAP_CAPS.map(({ nodeOptions, refused: refusal }) => (refusal ? { refused: refusal } : { nodeOptions: JSON.stringify(nodeOptions) })));
  });

  it('refuses at plan, with its message, each value that AWS would refuse at apply', () => {
    const { diagnostics } = parsePlanJson(refused.stdout);
    expect(refused.code).toBe(1);
    const details = diagnostics.filter((d) => d.severity === 'error' && d.summary === 'Invalid value for variable').map((d) => d.detail);
    for (const { variable, message } of REFUSED) expect(details.some((detail) => detail.includes(message)), variable).toBe(true);
  });
});
