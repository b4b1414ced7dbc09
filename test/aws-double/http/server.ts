// The AWS double as an AWS-compatible endpoint: one HTTP server for IAM, STS, S3, Secrets Manager,
// ECS, SES v2, SNS and Service Quotas, so that unmodified SDK clients built from configuration (AWS_ENDPOINT_URL, path-style S3) reach
// the same in-memory state across a socket. Each request is routed to its service by the SigV4
// credential scope, decoded by that service's wire protocol into the SDK input shape, run through the
// double's dispatcher (recorded, with its latency, throttling and faults), and the output or error is
// encoded back. Signatures are not verified.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as ecsSdk from '@aws-sdk/client-ecs';
import * as iamSdk from '@aws-sdk/client-iam';
import * as s3Sdk from '@aws-sdk/client-s3';
import * as secretsSdk from '@aws-sdk/client-secrets-manager';
import * as sesSdk from '@aws-sdk/client-sesv2';
import * as snsSdk from '@aws-sdk/client-sns';
import * as stsSdk from '@aws-sdk/client-sts';
import * as quotasSdk from '@aws-sdk/client-service-quotas';
import type { AwsDouble, ServiceName } from '../index.js';
import { ec2Response, isEc2Request } from './ec2.js';
import { jsonProtocol } from './json.js';
import { queryProtocol } from './query.js';
import { restJsonProtocol } from './rest-json.js';
import { restXmlProtocol } from './rest-xml.js';
import { operationModel } from './schema.js';
import { wireError, type Protocol, type WireRequest, type WireResponse } from './wire.js';

type Sdk = Record<string, unknown>;
const sdk = (ns: object): Sdk => Object.fromEntries(Object.entries(ns));

/** Services served over HTTP: all of the double's. */
export type WireService = ServiceName;

/** Each service's SDK models and wire protocol, with the namespaces and targets its client uses. */
export const SERVICE_WIRES: Record<WireService, { sdk: Sdk; protocol: Protocol }> = {
  iam: { sdk: sdk(iamSdk), protocol: queryProtocol(sdk(iamSdk), 'https://iam.amazonaws.com/doc/2010-05-08/') },
  sts: { sdk: sdk(stsSdk), protocol: queryProtocol(sdk(stsSdk), 'https://sts.amazonaws.com/doc/2011-06-15/') },
  s3: { sdk: sdk(s3Sdk), protocol: restXmlProtocol(sdk(s3Sdk), 'http://s3.amazonaws.com/doc/2006-03-01/') },
  secretsmanager: { sdk: sdk(secretsSdk), protocol: jsonProtocol(sdk(secretsSdk), 'secretsmanager') },
  ecs: { sdk: sdk(ecsSdk), protocol: jsonProtocol(sdk(ecsSdk), 'AmazonEC2ContainerServiceV20141113') },
  sns: { sdk: sdk(snsSdk), protocol: queryProtocol(sdk(snsSdk), 'http://sns.amazonaws.com/doc/2010-03-31/') },
  sesv2: { sdk: sdk(sesSdk), protocol: restJsonProtocol(sdk(sesSdk)) },
  servicequotas: { sdk: sdk(quotasSdk), protocol: jsonProtocol(sdk(quotasSdk), 'ServiceQuotasV20190624') },
};

const JSON_TARGETS: Record<string, WireService> = { secretsmanager: 'secretsmanager', AmazonEC2ContainerServiceV20141113: 'ecs', ServiceQuotasV20190624: 'servicequotas' };
const SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/,\s]+)\/aws4_request/;
/** Signing names that are not the double's service names: SES v2 signs as `ses`. */
const SIGNING_NAMES: Record<string, WireService> = { ses: 'sesv2' };

/**
 * The service a request is for: the signing name in its SigV4 credential scope
 * (`Credential=AKID/20250101/us-east-1/iam/aws4_request`, or X-Amz-Credential when presigned);
 * unsigned, the JSON target, the query Action, else S3.
 */
export function serviceOf(request: WireRequest): WireService | undefined {
  const credential = request.headers.authorization ?? (request.query.get('X-Amz-Credential') ? `Credential=${request.query.get('X-Amz-Credential')}` : '');
  const scope = SCOPE.exec(String(credential))?.[1];
  if (scope) return SIGNING_NAMES[scope] ?? (scope in SERVICE_WIRES ? (scope as WireService) : undefined);
  const target = request.headers['x-amz-target'];
  if (target) return JSON_TARGETS[String(target).split('.')[0]];
  const action = new URLSearchParams(String(request.headers['content-type']).includes('form') ? request.body.toString('utf8') : '').get('Action');
  if (action) return operationModel(SERVICE_WIRES.sts.sdk, action) ? 'sts' : 'iam';
  return 's3';
}

export interface HttpExchange {
  method: string;
  /** Path and query string as received. */
  url: string;
  service?: ServiceName;
  operation?: string;
  status: number;
}

export interface AwsDoubleServer {
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL. */
  url: string;
  port: number;
  /** Every HTTP request served, in order. */
  readonly requests: HttpExchange[];
  close(): Promise<void>;
}

export interface AwsDoubleServerOptions {
  /** 0 or absent: a free port. */
  port?: number;
  host?: string;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, response: WireResponse): void {
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (!res.hasHeader('content-length')) res.setHeader('content-length', String(body.length));
  res.end(body);
}

export async function startAwsDoubleServer(double: AwsDouble, options: AwsDoubleServerOptions = {}): Promise<AwsDoubleServer> {
  const requests: HttpExchange[] = [];
  let served = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://aws-double');
    const request: WireRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: await readBody(req) };
    const exchange: HttpExchange = { method: request.method, url: url.pathname + url.search, status: 0 };
    requests.push(exchange);
    if (isEc2Request(request)) {
      const { operation, response } = ec2Response(request, `aws-double-http-${++served}`);
      Object.assign(exchange, { operation, status: response.status });
      send(res, response);
      return;
    }
    const service = serviceOf(request);
    exchange.service = service;
    if (!service) {
      exchange.status = 400;
      send(res, { status: 400, headers: { 'content-type': 'text/plain' }, body: 'aws-double: this endpoint serves iam, sts, s3, secretsmanager, ecs, sesv2, sns, servicequotas and EC2 DescribeAvailabilityZones' });
      return;
    }
    const wire = SERVICE_WIRES[service];
    let response: WireResponse;
    try {
      const call = wire.protocol.decode(request);
      exchange.operation = call.model.name;
      // The access key of the SigV4 signature says who calls (an STS session is authorized call by call).
      const accessKeyId = /Credential=([^/,\s]+)\//.exec(String(request.headers.authorization ?? ''))?.[1];
      const { $metadata, ...output } = await double.invoke(service, call.model.name, call.input, accessKeyId ? { accessKeyId } : {});
      const requestId = (($metadata ?? {}) as { requestId?: string }).requestId ?? `aws-double-http-${++served}`;
      response = await wire.protocol.encode(call, output, requestId, request);
    } catch (error) {
      response = wire.protocol.error(wireError(wire.sdk, error, `aws-double-http-${++served}`), request);
    }
    exchange.status = response.status;
    send(res, response);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: `aws-double: ${String(error)}` });
      else res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
