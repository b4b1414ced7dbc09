/**
 * JSON files the controller keeps for itself on this machine (the local provider's roles, objects and
 * secrets, the agents' user ids, the embedded database's address), read back against the shape they
 * were written in: a file damaged by hand or by a full disk stops with an error naming the file and
 * what is wrong in it, instead of a crash later far from the cause.
 */
import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject, type JSONSchemaType, type ValidateFunction } from 'ajv';
import { TerminalError, errorMessage, systemErrorCode } from '../contract/errors.js';

const ajv = new Ajv({ allErrors: true });

export class CorruptFileError extends TerminalError {
  constructor(file: string, problem: string, cause?: unknown) {
    super('INTERNAL', `${file} is corrupt: ${problem}`, cause);
    this.name = 'CorruptFileError';
  }
}

/** What one kind of file holds: said in words for the error, checked by a schema compiled on first use. */
export interface JsonFileShape<T> {
  readonly what: string;
  validate(): ValidateFunction<T>;
}

export function jsonFileShape<T>(what: string, schema: JSONSchemaType<T>): JsonFileShape<T> {
  let compiled: ValidateFunction<T> | undefined;
  return { what, validate: () => (compiled ??= ajv.compile(schema)) };
}

/** `{ [name]: string }`, the shape of tags and metadata. */
export const STRING_MAP: JSONSchemaType<Record<string, string>> = { type: 'object', additionalProperties: { type: 'string' }, required: [] };

const describe = (e: ErrorObject) => `${e.instancePath === '' ? 'the document' : e.instancePath} ${e.message ?? 'is not valid'}`;

/** `text`, the content of `file`, parsed and checked against `shape`. */
export function parseJsonFile<T>(file: string, text: string, shape: JsonFileShape<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorruptFileError(file, `it is not JSON (${errorMessage(error)}); expected ${shape.what}`, error);
  }
  const validate = shape.validate();
  if (validate(value)) return value;
  throw new CorruptFileError(file, `expected ${shape.what}, but ${(validate.errors ?? []).slice(0, 3).map(describe).join('; ')}`);
}

/** Reads and checks a JSON file; undefined when it does not exist. */
export async function readJsonFile<T>(file: string, shape: JsonFileShape<T>): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  return parseJsonFile(file, text, shape);
}
