/**
 * The AWS operations a body of TypeScript issues, found in its source: every value imported from an
 * `@aws-sdk/client-*` package that is a command class (XxxCommand) or a paginator (paginateXxx) and is
 * used beyond its import, e.g. `new ListSecretsCommand(...)`. Then the IAM actions those operations need.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface AwsOperation {
  /** The client package without "@aws-sdk/client-": iam, s3, secrets-manager, ... */
  client: string;
  /** SDK operation name: ListObjectsV2, CreateRole, ... */
  operation: string;
  file: string;
}

const IMPORT_BRACES = /import\s+(type\s+)?\{([^}]*)\}\s*from\s*['"]@aws-sdk\/client-([a-z0-9-]+)['"]\s*;?/g;
const IMPORT_NAMESPACE = /import\s+\*\s+as\s+(\w+)\s+from\s*['"]@aws-sdk\/client-([a-z0-9-]+)['"]\s*;?/g;
const DYNAMIC_IMPORT = /\{([^}]*)\}\s*=\s*await\s+import\(\s*['"]@aws-sdk\/client-([a-z0-9-]+)['"]\s*\)/g;

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:\\'"`])\/\/.*$/gm, '$1');
}

function operationOf(imported: string): string | undefined {
  if (/^\w+Command$/.test(imported)) return imported.slice(0, -'Command'.length);
  if (/^paginate\w+$/.test(imported)) return imported.slice('paginate'.length);
  return undefined;
}

/** Operations issued by one source file (`file` only labels the results). */
export function operationsInSource(source: string, file: string): AwsOperation[] {
  const code = stripComments(source);
  const bindings: { local: string; operation: string; client: string }[] = [];
  const namespaces: { local: string; client: string }[] = [];

  const addSpecifiers = (list: string, client: string) => {
    for (const raw of list.split(',')) {
      const specifier = raw.trim();
      if (!specifier || specifier.startsWith('type ')) continue;
      const [imported, local = imported] = specifier.split(/\s+as\s+|\s*:\s*/).map((s) => s.trim());
      const operation = operationOf(imported);
      if (operation) bindings.push({ local, operation, client });
    }
  };
  for (const match of code.matchAll(IMPORT_BRACES)) if (!match[1]) addSpecifiers(match[2], match[3]);
  for (const match of code.matchAll(DYNAMIC_IMPORT)) addSpecifiers(match[1], match[2]);
  for (const match of code.matchAll(IMPORT_NAMESPACE)) namespaces.push({ local: match[1], client: match[2] });

  // A name counts once it appears outside the import statements.
  const body = code.replace(IMPORT_BRACES, ' ').replace(IMPORT_NAMESPACE, ' ').replace(DYNAMIC_IMPORT, ' ');
  const found = new Map<string, AwsOperation>();
  const add = (client: string, operation: string) => found.set(`${client}:${operation}`, { client, operation, file });
  for (const { local, operation, client } of bindings) {
    if (new RegExp(`(?<![\\w$.])${local}(?![\\w$])`).test(body)) add(client, operation);
  }
  for (const { local, client } of namespaces) {
    for (const match of body.matchAll(new RegExp(`(?<![\\w$.])${local}\\.(\\w+)`, 'g'))) {
      const operation = operationOf(match[1]);
      if (operation) add(client, operation);
    }
  }
  return [...found.values()];
}

/** Operations issued by every .ts file under `dir` (tests and declaration files excluded). */
export function scanAwsOperations(dir: string, root = dir): AwsOperation[] {
  const operations: AwsOperation[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) operations.push(...scanAwsOperations(path, root));
    else if (entry.name.endsWith('.ts') && !/\.(test|d)\.ts$/.test(entry.name)) {
      operations.push(...operationsInSource(readFileSync(path, 'utf8'), relative(root, path)));
    }
  }
  return operations;
}

/** IAM service prefix of each SDK client package. */
export const SERVICE_PREFIX: Readonly<Record<string, string>> = {
  iam: 'iam',
  s3: 's3',
  'secrets-manager': 'secretsmanager',
  sts: 'sts',
  ecs: 'ecs',
  'bedrock-runtime': 'bedrock',
  sns: 'sns',
  'service-quotas': 'servicequotas',
};

/** Operations whose IAM action is not `<service>:<Operation>`. */
export const RENAMED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  's3:ListObjectsV2': ['s3:ListBucket'],
  's3:ListObjects': ['s3:ListBucket'],
  's3:HeadBucket': ['s3:ListBucket'],
  's3:HeadObject': ['s3:GetObject'],
  // The controller names a VersionId (a purge removes every version), which S3 authorizes as DeleteObjectVersion.
  's3:DeleteObjects': ['s3:DeleteObject', 's3:DeleteObjectVersion'],
  's3:ListObjectVersions': ['s3:ListBucketVersions'],
  's3:GetBucketLifecycleConfiguration': ['s3:GetLifecycleConfiguration'],
  's3:PutBucketLifecycleConfiguration': ['s3:PutLifecycleConfiguration'],
  's3:DeleteBucketLifecycle': ['s3:PutLifecycleConfiguration'],
  'bedrock:Converse': ['bedrock:InvokeModel'],
  'bedrock:ConverseStream': ['bedrock:InvokeModelWithResponseStream'],
};

/** Operations that need no IAM permission at all. */
export const FREE_ACTIONS: ReadonlySet<string> = new Set(['sts:GetCallerIdentity']);

/**
 * Actions AWS also checks when an operation is called the way the controller calls it: RunTask with tags
 * and overrides.taskRoleArn, CreateRole and CreateSecret with tags, AssumeRole with session tags.
 */
export const DEPENDENT_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'ecs:RunTask': ['ecs:TagResource', 'iam:PassRole'],
  'iam:CreateRole': ['iam:TagRole'],
  'secretsmanager:CreateSecret': ['secretsmanager:TagResource'],
  // Token vending always tags the session with the tenant.
  'sts:AssumeRole': ['sts:TagSession'],
};

export interface RequiredAction {
  action: string;
  /** "file: Operation" of each use that needs it. */
  neededBy: string[];
}

/** The IAM actions a set of operations needs, each with the operations that need it. */
export function requiredActions(operations: AwsOperation[]): Map<string, RequiredAction> {
  const required = new Map<string, RequiredAction>();
  const need = (action: string, by: string) => {
    const entry = required.get(action) ?? { action, neededBy: [] };
    if (!entry.neededBy.includes(by)) entry.neededBy.push(by);
    required.set(action, entry);
  };
  for (const { client, operation, file } of operations) {
    const prefix = SERVICE_PREFIX[client];
    if (!prefix) throw new Error(`${file}: @aws-sdk/client-${client} has no IAM service prefix in SERVICE_PREFIX; add it`);
    const sdkName = `${prefix}:${operation}`;
    if (FREE_ACTIONS.has(sdkName)) continue;
    for (const action of RENAMED_ACTIONS[sdkName] ?? [sdkName]) {
      need(action, `${file}: ${operation}`);
      for (const dependent of DEPENDENT_ACTIONS[action] ?? []) need(dependent, `${file}: ${operation} (dependent action)`);
    }
  }
  return required;
}
