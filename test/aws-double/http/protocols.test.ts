// The wire codecs alone, on requests as the SDK writes them (captured from the real clients) and on
// outputs as the double returns them.
import * as iamSdk from '@aws-sdk/client-iam';
import * as s3Sdk from '@aws-sdk/client-s3';
import * as secretsSdk from '@aws-sdk/client-secrets-manager';
import * as ecsSdk from '@aws-sdk/client-ecs';
import * as sesSdk from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { fromJson, jsonErrorBody, toJson } from './json.js';
import { decodeQueryInput, queryErrorXml, queryResponseXml } from './query.js';
import { restJsonProtocol } from './rest-json.js';
import { decodeAwsChunked, decodeRestXml, encodeRestXml, s3Address } from './rest-xml.js';
import { operationModel, type OperationModel } from './schema.js';
import { SERVICE_WIRES, serviceOf } from './server.js';
import type { WireRequest } from './wire.js';
import { parseXml } from './xml.js';

const model = (sdk: object, name: string): OperationModel => operationModel(sdk as Record<string, unknown>, name)!;
const call = (sdk: object, name: string) => ({ model: model(sdk, name), input: {} });
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const AT = new Date(Date.UTC(2025, 0, 1, 12, 30, 15));

function request(method: string, url: string, headers: Record<string, string> = {}, body = ''): WireRequest {
  const u = new URL(url, 'http://127.0.0.1');
  return { method, path: u.pathname, query: u.searchParams, headers, body: Buffer.from(body) };
}

describe('awsQuery (IAM, STS)', () => {
  it('decodes a form body into the SDK input: members, Tags.member.N structs, numbers', () => {
    const form =
      'Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=%7B%22a%22%3A%20%22b%26c%22%7D' +
      '&Path=%2Fx%2F&MaxSessionDuration=7200&Tags.member.1.Key=k&Tags.member.1.Value=v&Tags.member.2.Key=e&Tags.member.2.Value=';
    expect(decodeQueryInput(model(iamSdk, 'CreateRole').input, form)).toEqual({
      RoleName: 'r',
      AssumeRolePolicyDocument: '{"a": "b&c"}',
      Path: '/x/',
      MaxSessionDuration: 7200,
      Tags: [{ Key: 'k', Value: 'v' }, { Key: 'e', Value: '' }],
    });
  });

  it('decodes lists of strings, and an empty list sent as `Name=`', () => {
    const details = 'Action=GetAccountAuthorizationDetails&Version=2010-05-08&Filter.member.1=Role&Filter.member.2=User&MaxItems=1000&Marker=m1';
    expect(decodeQueryInput(model(iamSdk, 'GetAccountAuthorizationDetails').input, details)).toEqual({ Filter: ['Role', 'User'], MaxItems: 1000, Marker: 'm1' });
    expect(decodeQueryInput(model(iamSdk, 'UntagRole').input, 'Action=UntagRole&Version=2010-05-08&RoleName=r&TagKeys=')).toEqual({ RoleName: 'r', TagKeys: [] });
  });

  it('writes <XResponse><XResult>…</XResult><ResponseMetadata> with <member> lists and date-time timestamps', () => {
    const output = {
      Role: {
        Path: '/x/', RoleName: 'r', RoleId: 'AROA1', Arn: 'arn:aws:iam::123456789012:role/x/r', CreateDate: AT,
        AssumeRolePolicyDocument: '%7B%7D', MaxSessionDuration: 3600, Tags: [{ Key: 'k', Value: 'a<b' }], RoleLastUsed: {},
      },
    };
    const xml = queryResponseXml(call(iamSdk, 'GetRole'), output, 'req-1', IAM_NS);
    expect(xml).toContain(`<GetRoleResponse xmlns="${IAM_NS}"><GetRoleResult><Role>`);
    expect(xml).toContain('<CreateDate>2025-01-01T12:30:15Z</CreateDate>');
    expect(xml).toContain('<Tags><member><Key>k</Key><Value>a&lt;b</Value></member></Tags>');
    expect(xml).toContain('<RoleLastUsed/>');
    expect(xml).toContain('</GetRoleResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetRoleResponse>');
    expect(parseXml(xml).children.map((c) => c.name)).toEqual(['GetRoleResult', 'ResponseMetadata']);
  });

  it('writes no <XResult> for an operation without output, and errors as <ErrorResponse>', () => {
    expect(queryResponseXml(call(iamSdk, 'DeleteRole'), {}, 'req-2', IAM_NS)).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><DeleteRoleResponse xmlns="${IAM_NS}"><ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata></DeleteRoleResponse>`,
    );
    const error = { code: 'NoSuchEntity', message: 'The role with name r cannot be found.', status: 404, fault: 'client' as const, requestId: 'req-3' };
    expect(queryErrorXml(error, IAM_NS)).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>` +
        '<Message>The role with name r cannot be found.</Message></Error><RequestId>req-3</RequestId></ErrorResponse>',
    );
  });
});

describe('awsJson1_1 (Secrets Manager, ECS)', () => {
  it('decodes JSON into the SDK input: blobs from base64, nested structures as they are', () => {
    const body = { Name: 'n', ClientRequestToken: 't', SecretBinary: 'AQI=', Tags: [{ Key: 'a', Value: 'b' }], Unmodeled: 1 };
    expect(fromJson(model(secretsSdk, 'CreateSecret').input, body)).toEqual({
      Name: 'n', ClientRequestToken: 't', SecretBinary: new Uint8Array([1, 2]), Tags: [{ Key: 'a', Value: 'b' }],
    });
    const run = {
      cluster: 'c', taskDefinition: 'td', launchType: 'FARGATE', count: 1,
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'DISABLED' } },
      overrides: { containerOverrides: [{ name: 'agent', environment: [{ name: 'K', value: 'V' }] }] },
      tags: [{ key: 'k', value: 'v' }],
    };
    expect(fromJson(model(ecsSdk, 'RunTask').input, run)).toEqual(run);
  });

  it('encodes outputs with timestamps as epoch seconds and absent or unmodeled members left out', () => {
    const output = {
      ARN: 'arn', Name: 'n', Description: undefined, CreatedDate: AT, DeletedDate: new Date(AT.getTime() + 1500),
      Tags: [{ Key: 'a', Value: 'b' }], VersionIdsToStages: { v1: ['AWSCURRENT'] }, internal: 'x',
    };
    expect(toJson(model(secretsSdk, 'DescribeSecret').output, output)).toEqual({
      ARN: 'arn', Name: 'n', CreatedDate: AT.getTime() / 1000, DeletedDate: AT.getTime() / 1000 + 1.5,
      Tags: [{ Key: 'a', Value: 'b' }], VersionIdsToStages: { v1: ['AWSCURRENT'] },
    });
    const task = { taskArn: 'arn:t', createdAt: AT, lastStatus: 'RUNNING', containers: [{ name: 'agent', exitCode: 0 }] };
    expect(toJson(model(ecsSdk, 'DescribeTasks').output, { tasks: [task], failures: [] })).toEqual({
      tasks: [{ ...task, createdAt: AT.getTime() / 1000 }], failures: [],
    });
    expect(JSON.parse(jsonErrorBody({ code: 'ResourceExistsException', message: 'exists', status: 400, fault: 'client', requestId: 'r' }))).toEqual({
      __type: 'ResourceExistsException', message: 'exists',
    });
  });
});

describe('REST-XML (S3, path-style)', () => {
  const s3 = SERVICE_WIRES.s3.protocol;
  const route = (method: string, url: string) => s3.decode(request(method, url)).model.name;

  it.each([
    ['PUT', '/b/tenants/a/x.json?x-id=PutObject', 'PutObject'],
    ['GET', '/b/k?x-id=GetObject', 'GetObject'],
    ['GET', '/b/k', 'GetObject'],
    ['HEAD', '/b/k', 'HeadObject'],
    ['DELETE', '/b/k?x-id=DeleteObject', 'DeleteObject'],
    ['GET', '/b/k?tagging=', 'GetObjectTagging'],
    ['PUT', '/b/k?tagging=', 'PutObjectTagging'],
    ['DELETE', '/b/k?tagging=', 'DeleteObjectTagging'],
    ['GET', '/b/?delimiter=%2F&list-type=2&max-keys=1000&prefix=tenants%2F', 'ListObjectsV2'],
    ['GET', '/b/?lifecycle=', 'GetBucketLifecycleConfiguration'],
    ['PUT', '/b/?lifecycle=', 'PutBucketLifecycleConfiguration'],
    ['DELETE', '/b/?lifecycle=', 'DeleteBucketLifecycle'],
    ['POST', '/b/?delete=', 'DeleteObjects'],
  ])('routes %s %s to %s (method, key, static query)', (method, url, operation) => {
    expect(route(method, url)).toBe(operation);
  });

  it('reads the bucket and the key from a path-style address', () => {
    expect(s3Address('/b/tenants/a%20b/x%2By.json')).toEqual({ bucket: 'b', key: 'tenants/a b/x+y.json' });
    expect(s3Address('/b/')).toEqual({ bucket: 'b' });
  });

  it('binds path, query, headers (x-amz-meta-*, x-amz-tagging) and the blob payload', () => {
    const put = request('PUT', '/b/tenants/a%20b/x.json?x-id=PutObject', {
      'content-type': 'application/json', 'x-amz-meta-foo': 'bar', 'x-amz-tagging': 'a=b', 'content-length': '7',
    }, '{"a":1}');
    expect(decodeRestXml(model(s3Sdk, 'PutObject'), put)).toEqual({
      Bucket: 'b', Key: 'tenants/a b/x.json', ContentType: 'application/json', ContentLength: 7,
      Metadata: { foo: 'bar' }, Tagging: 'a=b', Body: Buffer.from('{"a":1}'),
    });
    const list = request('GET', '/b/?continuation-token=t&delimiter=%2F&list-type=2&max-keys=1000&prefix=tenants%2F');
    expect(decodeRestXml(model(s3Sdk, 'ListObjectsV2'), list)).toEqual({ Bucket: 'b', Delimiter: '/', MaxKeys: 1000, Prefix: 'tenants/', ContinuationToken: 't' });
  });

  it('decodes XML payloads as the SDK writes them: flattened <Rule>, <Transition>, <Tag>, <Object>', () => {
    const lifecycle =
      '<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><Status>Enabled</Status>' +
      '<Expiration><Days>365</Days></Expiration><ID>r</ID><Filter><And><Prefix>p/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>' +
      '<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition></Rule><Rule><ID>x</ID><Status>Disabled</Status>' +
      '<Filter><Prefix></Prefix></Filter><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>';
    expect(decodeRestXml(model(s3Sdk, 'PutBucketLifecycleConfiguration'), request('PUT', '/b/?lifecycle=', {}, lifecycle))).toEqual({
      Bucket: 'b',
      LifecycleConfiguration: {
        Rules: [
          { ID: 'r', Status: 'Enabled', Expiration: { Days: 365 }, Filter: { And: { Prefix: 'p/', Tags: [{ Key: 'k', Value: 'v' }] } }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }] },
          { ID: 'x', Status: 'Disabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
        ],
      },
    });
    const del = `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="${S3_NS}"><Object><Key>a</Key></Object><Object><Key>b&amp;c</Key></Object><Quiet>true</Quiet></Delete>`;
    expect(decodeRestXml(model(s3Sdk, 'DeleteObjects'), request('POST', '/b/?delete=', {}, del))).toEqual({
      Bucket: 'b', Delete: { Objects: [{ Key: 'a' }, { Key: 'b&c' }], Quiet: true },
    });
    expect(() => decodeRestXml(model(s3Sdk, 'DeleteObjects'), request('POST', '/b/?delete=', {}, '<Delete><Object>'))).toThrow(/not well-formed/);
  });

  it('reads aws-chunked uploads', () => {
    const chunked = Buffer.from('5;chunk-signature=ab\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n');
    expect(decodeAwsChunked(chunked).toString()).toBe('hello world');
    const put = request('PUT', '/b/k?x-id=PutObject', { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '11' });
    put.body = chunked;
    expect(decodeRestXml(model(s3Sdk, 'PutObject'), put).Body).toEqual(Buffer.from('hello world'));
  });

  it('writes body members under the output’s XML name, flattened lists without a wrapper', async () => {
    const output = {
      Name: 'b', Prefix: 'tenants/', Delimiter: '/', MaxKeys: 1000, KeyCount: 2, IsTruncated: false,
      Contents: [{ Key: 'tenants/x', LastModified: AT, ETag: '"e"', Size: 3, StorageClass: 'STANDARD' }],
      CommonPrefixes: [{ Prefix: 'tenants/a/' }],
    };
    const response = await encodeRestXml(model(s3Sdk, 'ListObjectsV2'), output, S3_NS, false);
    expect(response.status).toBe(200);
    const xml = String(response.body);
    expect(xml).toContain(`<ListBucketResult xmlns="${S3_NS}"><IsTruncated>false</IsTruncated>`);
    expect(xml).toContain('<Contents><Key>tenants/x</Key><LastModified>2025-01-01T12:30:15Z</LastModified><ETag>&quot;e&quot;</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>');
    expect(xml).toContain('<CommonPrefixes><Prefix>tenants/a/</Prefix></CommonPrefixes>');
    const tagging = await encodeRestXml(model(s3Sdk, 'GetObjectTagging'), { TagSet: [{ Key: 'k', Value: 'v' }] }, S3_NS, false);
    expect(String(tagging.body)).toContain(`<Tagging xmlns="${S3_NS}"><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`);
    const lifecycle = await encodeRestXml(model(s3Sdk, 'GetBucketLifecycleConfiguration'), { Rules: [{ ID: 'r', Status: 'Enabled', Filter: { Prefix: 'p/' }, Transitions: [{ Days: 1, StorageClass: 'GLACIER' }] }] }, S3_NS, false);
    expect(String(lifecycle.body)).toContain(`<LifecycleConfiguration xmlns="${S3_NS}"><Rule><Status>Enabled</Status><ID>r</ID><Filter><Prefix>p/</Prefix></Filter><Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition></Rule></LifecycleConfiguration>`);
    expect(await encodeRestXml(model(s3Sdk, 'DeleteObject'), {}, S3_NS, false)).toMatchObject({ status: 204, body: '' });
  });

  it('writes header members (http-date, x-amz-meta-*) and no body for HEAD', async () => {
    const head = { ContentLength: 7, ETag: '"e"', LastModified: AT, ContentType: 'application/json', Metadata: { foo: 'bar' }, TagCount: 2 };
    const response = await encodeRestXml(model(s3Sdk, 'HeadObject'), head, S3_NS, true);
    expect(response).toEqual({
      status: 200,
      headers: {
        'Content-Length': '7', ETag: '"e"', 'Last-Modified': 'Wed, 01 Jan 2025 12:30:15 GMT', 'Content-Type': 'application/json',
        'x-amz-meta-foo': 'bar', 'x-amz-tagging-count': '2',
      },
      body: '',
    });
  });

  it('writes errors as <Error>, with no body for HEAD', () => {
    const error = { code: 'NoSuchKey', message: 'The specified key does not exist.', status: 404, fault: 'client' as const, requestId: 'r1' };
    const get = s3.error(error, request('GET', '/b/k?x-id=GetObject'));
    expect(get.status).toBe(404);
    expect(get.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>k</Key><RequestId>r1</RequestId></Error>',
    );
    expect(s3.error({ ...error, code: 'NotFound' }, request('HEAD', '/b/k'))).toMatchObject({ status: 404, body: '' });
  });
});

describe('REST-JSON (SES v2)', () => {
  const ses = restJsonProtocol(sesSdk);
  it('finds the operation by method and path template, binding labels, query members (date-time, numbers) and the JSON body', () => {
    const listed = ses.decode(request('GET', '/v2/email/deliverability-dashboard/domains/mail.example.com/campaigns?StartDate=2025-01-01T12%3A30%3A15Z&EndDate=2025-01-02T00%3A00%3A00Z&PageSize=5'));
    expect(listed.model.name).toBe('ListDomainDeliverabilityCampaigns');
    expect(listed.input).toEqual({ SubscribedDomain: 'mail.example.com', StartDate: AT, EndDate: new Date(Date.UTC(2025, 0, 2)), PageSize: 5 });
    const sent = ses.decode(request('POST', '/v2/email/outbound-emails', {}, JSON.stringify({ FromEmailAddress: 'a@b.example', Content: { Raw: { Data: Buffer.from('raw').toString('base64') } } })));
    expect(sent.model.name).toBe('SendEmail');
    expect(sent.input).toEqual({ FromEmailAddress: 'a@b.example', Content: { Raw: { Data: new Uint8Array(Buffer.from('raw')) } } });
    expect(ses.decode(request('GET', '/v2/email/identities/ops%40acme.example')).input).toEqual({ EmailIdentity: 'ops@acme.example' });
    expect(ses.decode(request('GET', '/v2/email/identities/acme.example/policies')).model.name).toBe('GetEmailIdentityPolicies');
    expect(() => ses.decode(request('GET', '/v2/email/nothing-here'))).toThrow(/No operation for GET/);
  });

  it('writes errors with their code in x-amzn-errortype and a JSON message', () => {
    const error = { code: 'NotFoundException', message: 'Email identity <x> does not exist.', status: 404, fault: 'client' as const, requestId: 'r1' };
    expect(ses.error(error, request('GET', '/v2/email/identities/x'))).toEqual({
      status: 404, headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'r1', 'x-amzn-errortype': 'NotFoundException' }, body: '{"message":"Email identity <x> does not exist."}',
    });
  });
});

describe('routing to a service', () => {
  const signed = (service: string) => ({ authorization: `AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0` });
  it('goes by the SigV4 credential scope, else by the target, the Action or S3', () => {
    expect(serviceOf(request('POST', '/', signed('iam'), 'Action=GetCallerIdentity'))).toBe('iam');
    expect(serviceOf(request('POST', '/', signed('sts'), 'Action=GetCallerIdentity'))).toBe('sts');
    expect(serviceOf(request('GET', '/b/k', signed('s3')))).toBe('s3');
    expect(serviceOf(request('POST', '/v2/email/outbound-emails', signed('ses')))).toBe('sesv2');
    expect(serviceOf(request('POST', '/', signed('bedrock')))).toBeUndefined();
    expect(serviceOf(request('POST', '/', { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.RunTask' }))).toBe('ecs');
    expect(serviceOf(request('POST', '/', { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=GetCallerIdentity&Version=2011-06-15'))).toBe('sts');
    expect(serviceOf(request('POST', '/', { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=CreateRole&Version=2010-05-08'))).toBe('iam');
    expect(serviceOf(request('GET', '/b/?X-Amz-Credential=test%2F20250101%2Fus-east-1%2Fs3%2Faws4_request'))).toBe('s3');
  });
});
