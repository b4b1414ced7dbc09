// The AWS double served over HTTP with the real AWS wire protocols (README.md in the parent folder).
export { startAwsDoubleServer, serviceOf, SERVICE_WIRES, type AwsDoubleServer, type AwsDoubleServerOptions, type HttpExchange } from './server.js';
export { decodeQueryInput, queryResponseXml, queryErrorXml } from './query.js';
export { fromJson, toJson, jsonErrorBody } from './json.js';
export { decodeRestXml, encodeRestXml, matchRoute, s3Address, decodeAwsChunked } from './rest-xml.js';
export { operationModel, shapeOf, type OperationModel, type Shape } from './schema.js';
export type { WireRequest, WireResponse, WireError } from './wire.js';
