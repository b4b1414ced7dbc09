// EC2 over HTTP, for the one call a Terraform plan of this stack makes: DescribeAvailabilityZones (the
// networking module's data source). The double keeps no EC2 state, so this is not a service of its
// dispatcher: the zones are the requested region's a, b and c, all available. Any other EC2 action is
// answered UnsupportedOperation in EC2's own error format. The ec2 query protocol differs from awsQuery:
// lists are <item> elements and the root holds the result directly, without a ...Result wrapper.
import type { WireRequest, WireResponse } from './wire.js';

const NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const CREDENTIAL_REGION = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/ec2\/aws4_request/;

/** Is this request for EC2 (SigV4 scope), the service no other part of the double answers? */
export function isEc2Request(request: WireRequest): boolean {
  return CREDENTIAL_REGION.test(String(request.headers.authorization ?? ''));
}

/** us-east-1 → use1, eu-west-1 → euw1: the zone id prefix AWS uses. */
function zoneIdPrefix(region: string): string {
  const [area, direction, number] = [region.split('-')[0], region.split('-').slice(1, -1).join('-'), region.split('-').at(-1)];
  return `${area}${direction.split('-').map((word) => word[0]).join('')}${number}`;
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function ec2Response(request: WireRequest, requestId: string): { operation: string; response: WireResponse } {
  const region = CREDENTIAL_REGION.exec(String(request.headers.authorization ?? ''))?.[1] ?? 'us-east-1';
  const params = new URLSearchParams(request.body.toString('utf8'));
  const action = params.get('Action') ?? '';
  const headers = { 'content-type': 'text/xml;charset=UTF-8' };
  if (action !== 'DescribeAvailabilityZones') {
    return {
      operation: action,
      response: {
        status: 400, headers,
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>UnsupportedOperation</Code><Message>aws-double: EC2 ${escapeXml(action)} is not served</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      },
    };
  }
  const items = ['a', 'b', 'c'].map((letter, index) => `<item><zoneName>${region}${letter}</zoneName><zoneState>available</zoneState>`
    + `<regionName>${region}</regionName><zoneId>${zoneIdPrefix(region)}-az${index + 1}</zoneId><zoneType>availability-zone</zoneType>`
    + `<optInStatus>opt-in-not-required</optInStatus><groupName>${region}</groupName><networkBorderGroup>${region}</networkBorderGroup><messages/></item>`);
  return {
    operation: action,
    response: {
      status: 200, headers,
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeAvailabilityZonesResponse xmlns="${NAMESPACE}"><requestId>${requestId}</requestId>`
        + `<availabilityZoneInfo>${items.join('')}</availabilityZoneInfo></DescribeAvailabilityZonesResponse>`,
    },
  };
}
