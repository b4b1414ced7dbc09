import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsDouble } from '../index.js';
import { startAwsDoubleServer, type AwsDoubleServer } from './index.js';

/** A request as the Terraform AWS provider signs it for EC2 (the signature itself is not checked). */
const ec2 = (server: AwsDoubleServer, region: string, body: string) => fetch(server.url, {
  method: 'POST',
  headers: {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    authorization: `AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
  },
  body,
});

describe('EC2 DescribeAvailabilityZones over HTTP', () => {
  let server: AwsDoubleServer;
  beforeAll(async () => { server = await startAwsDoubleServer(createAwsDouble()); });
  afterAll(async () => server.close());

  it('answers the signed region’s zones a, b and c as available, in EC2’s item-list XML', async () => {
    const response = await ec2(server, 'eu-west-1', 'Action=DescribeAvailabilityZones&Version=2016-11-15&Filter.1.Name=state&Filter.1.Value.1=available');
    const xml = await response.text();
    expect(response.status).toBe(200);
    expect([...xml.matchAll(/<zoneName>([^<]+)<\/zoneName>/g)].map((m) => m[1])).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect([...xml.matchAll(/<zoneId>([^<]+)<\/zoneId>/g)].map((m) => m[1])).toEqual(['euw1-az1', 'euw1-az2', 'euw1-az3']);
    expect(xml).toMatch(/^<\?xml[^>]*>\n<DescribeAvailabilityZonesResponse xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2016-11-15\/"><requestId>/);
    expect(server.requests.at(-1)).toMatchObject({ operation: 'DescribeAvailabilityZones', status: 200 });
  });

  it('answers any other EC2 action UnsupportedOperation, in EC2’s error format', async () => {
    const response = await ec2(server, 'us-gov-west-1', 'Action=RunInstances&Version=2016-11-15');
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/<Response><Errors><Error><Code>UnsupportedOperation<\/Code><Message>aws-double: EC2 RunInstances is not served<\/Message>/);
  });
});
