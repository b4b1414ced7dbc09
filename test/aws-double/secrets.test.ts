import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  paginateListSecrets,
} from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { rejection, setup } from './fixtures.js';

const DAY = 86_400_000;
const tags = (tenant: string) => [{ Key: 'tenant', Value: tenant }, { Key: 'managed-by', Value: 'openclaw' }];

describe('Secrets Manager double', () => {
  it('creates a secret with a suffixed ARN that works as its id, and reads the value', async () => {
    const { secrets } = setup();
    const created = await secrets.send(new CreateSecretCommand({ Name: 'openclaw/tenants/a/db', SecretString: '{"password":"p"}', Tags: tags('a'), Description: 'db' }));
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:openclaw\/tenants\/a\/db-[A-Za-z0-9]{6}$/);
    const byArn = await secrets.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    expect(byArn).toMatchObject({ Name: 'openclaw/tenants/a/db', SecretString: '{"password":"p"}', VersionStages: ['AWSCURRENT'], VersionId: created.VersionId });
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: 'openclaw/tenants/a/db' }));
    expect(described).toMatchObject({ ARN: created.ARN, Description: 'db', Tags: tags('a'), VersionIdsToStages: { [created.VersionId!]: ['AWSCURRENT'] } });
    expect(described.LastAccessedDate).toBeInstanceOf(Date);
  });

  it('refuses a duplicate name with ResourceExistsException and a bad name with the service errors', async () => {
    const { secrets } = setup();
    await secrets.send(new CreateSecretCommand({ Name: 's', SecretString: 'x' }));
    expect(await rejection(secrets.send(new CreateSecretCommand({ Name: 's', SecretString: 'y' })))).toBeInstanceOf(ResourceExistsException);
    expect((await rejection(secrets.send(new CreateSecretCommand({ Name: 'x'.repeat(513) })))).name).toBe('ValidationException');
    expect((await rejection(secrets.send(new CreateSecretCommand({ Name: 'bad name!' })))).name).toBe('InvalidParameterException');
  });

  it('answers ResourceNotFoundException for an unknown secret and for a secret without a value', async () => {
    const { secrets } = setup();
    expect(await rejection(secrets.send(new GetSecretValueCommand({ SecretId: 'nope' })))).toBeInstanceOf(ResourceNotFoundException);
    await secrets.send(new CreateSecretCommand({ Name: 'placeholder' }));
    const error = await rejection(secrets.send(new GetSecretValueCommand({ SecretId: 'placeholder' })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toContain('staging label: AWSCURRENT');
  });

  it('moves AWSCURRENT to each new value and AWSPREVIOUS to the one before', async () => {
    const { secrets } = setup();
    const first = await secrets.send(new CreateSecretCommand({ Name: 's', SecretString: 'v1' }));
    const second = await secrets.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'v2' }));
    expect(second.VersionId).not.toBe(first.VersionId);
    const updated = await secrets.send(new UpdateSecretCommand({ SecretId: 's', SecretString: 'v3', Description: 'rotated' }));
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: 's' }))).SecretString).toBe('v3');
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: 's', VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('v2');
    const stages = (await secrets.send(new DescribeSecretCommand({ SecretId: 's' }))).VersionIdsToStages;
    expect(stages).toEqual({ [second.VersionId!]: ['AWSPREVIOUS'], [updated.VersionId!]: ['AWSCURRENT'] });
    await secrets.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'same', ClientRequestToken: 'token-000000000000000000000000000001' }));
    await secrets.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'same', ClientRequestToken: 'token-000000000000000000000000000001' }));
    const conflict = await rejection(secrets.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'other', ClientRequestToken: 'token-000000000000000000000000000001' })));
    expect(conflict.name).toBe('ResourceExistsException');
  });

  it('lists secrets by name prefix and tag across pages, leaving out planned deletions unless asked', async () => {
    const { secrets, clock } = setup();
    for (let i = 0; i < 7; i++) {
      await secrets.send(new CreateSecretCommand({ Name: `openclaw/tenants/t${i}/db`, SecretString: 'x', Tags: tags(`t${i}`) }));
      clock.advance(1000);
    }
    await secrets.send(new CreateSecretCommand({ Name: 'someone-else', Tags: [{ Key: 'team', Value: 'x' }] }));
    await secrets.send(new DeleteSecretCommand({ SecretId: 'openclaw/tenants/t6/db', RecoveryWindowInDays: 7 }));
    const names: string[] = [];
    for await (const page of paginateListSecrets({ client: secrets, pageSize: 3 }, { Filters: [{ Key: 'name', Values: ['openclaw/tenants/'] }] })) {
      expect(page.SecretList!.length).toBeLessThanOrEqual(3);
      names.push(...page.SecretList!.map((s) => s.Name!));
    }
    expect(names).toEqual([5, 4, 3, 2, 1, 0].map((i) => `openclaw/tenants/t${i}/db`));
    const withDeleted = await secrets.send(new ListSecretsCommand({ IncludePlannedDeletion: true, Filters: [{ Key: 'tag-key', Values: ['managed-by'] }] }));
    expect(withDeleted.SecretList).toHaveLength(7);
    expect(withDeleted.SecretList!.find((s) => s.Name === 'openclaw/tenants/t6/db')?.DeletedDate).toBeInstanceOf(Date);
    const t3 = await secrets.send(new ListSecretsCommand({ Filters: [{ Key: 'tag-value', Values: ['t3'] }, { Key: 'tag-key', Values: ['tenant'] }] }));
    expect(t3.SecretList?.map((s) => s.Name)).toEqual(['openclaw/tenants/t3/db']);
    const notOurs = await secrets.send(new ListSecretsCommand({ Filters: [{ Key: 'tag-key', Values: ['!managed-by'] }] }));
    expect(notOurs.SecretList?.map((s) => s.Name)).toEqual(['someone-else']);
    expect((await rejection(secrets.send(new ListSecretsCommand({ MaxResults: 101 })))).name).toBe('ValidationException');
    expect((await rejection(secrets.send(new ListSecretsCommand({ NextToken: 'bogus' })))).name).toBe('InvalidNextTokenException');
  });

  it('keeps a deleted secret for its recovery window, refusing its use, then frees the name', async () => {
    const { secrets, clock } = setup();
    await secrets.send(new CreateSecretCommand({ Name: 's', SecretString: 'x' }));
    const deleted = await secrets.send(new DeleteSecretCommand({ SecretId: 's', RecoveryWindowInDays: 7 }));
    expect(deleted.DeletionDate?.getTime()).toBe(clock.now() + 7 * DAY);
    expect((await rejection(secrets.send(new GetSecretValueCommand({ SecretId: 's' })))).name).toBe('InvalidRequestException');
    expect((await rejection(secrets.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'y' })))).name).toBe('InvalidRequestException');
    const recreate = await rejection(secrets.send(new CreateSecretCommand({ Name: 's', SecretString: 'y' })));
    expect(recreate.name).toBe('InvalidRequestException');
    expect(recreate.message).toContain('scheduled for deletion');
    expect((await secrets.send(new DescribeSecretCommand({ SecretId: 's' }))).DeletedDate).toBeInstanceOf(Date);
    await secrets.send(new RestoreSecretCommand({ SecretId: 's' }));
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: 's' }))).SecretString).toBe('x');
    await secrets.send(new DeleteSecretCommand({ SecretId: 's' }));
    clock.advance(29 * DAY);
    expect((await secrets.send(new DescribeSecretCommand({ SecretId: 's' }))).Name).toBe('s');
    clock.advance(1 * DAY);
    expect((await rejection(secrets.send(new DescribeSecretCommand({ SecretId: 's' })))).name).toBe('ResourceNotFoundException');
    await secrets.send(new CreateSecretCommand({ Name: 's', SecretString: 'new' }));
  });

  it('validates the recovery window and removes at once when forced', async () => {
    const { secrets } = setup();
    await secrets.send(new CreateSecretCommand({ Name: 's', SecretString: 'x' }));
    for (const days of [6, 31]) {
      expect((await rejection(secrets.send(new DeleteSecretCommand({ SecretId: 's', RecoveryWindowInDays: days })))).name).toBe('InvalidParameterException');
    }
    const both = await rejection(secrets.send(new DeleteSecretCommand({ SecretId: 's', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })));
    expect(both.name).toBe('InvalidParameterException');
    await secrets.send(new DeleteSecretCommand({ SecretId: 's', ForceDeleteWithoutRecovery: true }));
    expect((await rejection(secrets.send(new DescribeSecretCommand({ SecretId: 's' })))).name).toBe('ResourceNotFoundException');
  });

  it('tags and untags a secret', async () => {
    const { secrets } = setup();
    await secrets.send(new CreateSecretCommand({ Name: 's', Tags: tags('a') }));
    await secrets.send(new TagResourceCommand({ SecretId: 's', Tags: [{ Key: 'tier', Value: 'pro' }, { Key: 'tenant', Value: 'b' }] }));
    await secrets.send(new UntagResourceCommand({ SecretId: 's', TagKeys: ['managed-by'] }));
    expect((await secrets.send(new DescribeSecretCommand({ SecretId: 's' }))).Tags).toEqual([{ Key: 'tenant', Value: 'b' }, { Key: 'tier', Value: 'pro' }]);
  });
});

describe('STS double', () => {
  it('tells the caller its account and ARN', async () => {
    const { sts } = setup({ accountId: '210987654321' });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe('210987654321');
    expect(me.Arn).toMatch(/^arn:aws:sts::210987654321:assumed-role\//);
  });
});
