import { describe, expect, it } from 'vitest';
import { ControllerError } from '../../contract/errors.js';
import { classifyAwsError, isNotFound, isThrottling } from '../../controller/providers/aws/errors.js';

const awsError = (name: string, message: string, status = 400, fault: 'client' | 'server' = status >= 500 ? 'server' : 'client') =>
  Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: status } });

describe('classification of AWS errors', () => {
  it.each(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'SlowDown', 'RequestLimitExceeded'])('retries %s as throttling', (name) => {
    const error = awsError(name, 'Rate exceeded', name === 'SlowDown' ? 503 : 400);
    expect(isThrottling(error)).toBe(true);
    expect(classifyAwsError(error, 'iam:CreateRole')).toMatchObject({ code: 'TRANSIENT', retryable: true });
  });

  it.each([['ServiceFailureException', 500], ['InternalError', 500], ['ServiceUnavailable', 503], ['Whatever', 502]])('retries %s (%i) as a server failure', (name, status) => {
    expect(classifyAwsError(awsError(name, 'oops', status), 's3:PutObject')).toMatchObject({ code: 'TRANSIENT', retryable: true });
  });

  it('stops at AccessDenied with AWS’s message and the operation', () => {
    const error = classifyAwsError(awsError('AccessDenied', 'User: x is not authorized to perform: iam:CreateRole', 403), 'iam:CreateRole');
    expect(error).toMatchObject({ code: 'PERMISSION_DENIED', retryable: false, name: 'TerminalError' });
    expect(error.message).toBe('iam:CreateRole: AccessDenied: User: x is not authorized to perform: iam:CreateRole');
    expect(classifyAwsError(awsError('AccessDeniedException', 'no', 400), 'secretsmanager:CreateSecret').code).toBe('PERMISSION_DENIED');
  });

  it.each([['LimitExceededException', 'LIMIT_EXCEEDED'], ['LimitExceeded', 'LIMIT_EXCEEDED'], ['MalformedPolicyDocumentException', 'INTERNAL'], ['ValidationError', 'INTERNAL'], ['InvalidParameterException', 'INTERNAL'], ['MalformedXML', 'INTERNAL']])('stops at %s as %s', (name, code) => {
    expect(classifyAwsError(awsError(name, 'no'), 'iam:PutRolePolicy')).toMatchObject({ code, retryable: false });
  });

  it('reports a taken name as a conflict', () => {
    expect(classifyAwsError(awsError('EntityAlreadyExistsException', 'Role exists', 409), 'iam:CreateRole').code).toBe('CONFLICT');
    expect(classifyAwsError(awsError('ResourceExistsException', 'exists'), 'secretsmanager:CreateSecret').code).toBe('CONFLICT');
  });

  it('recognizes not-found answers, also through the controller error that wraps them', () => {
    const raw = awsError('NoSuchEntityException', 'no role', 404);
    expect(isNotFound(raw)).toBe(true);
    expect(isNotFound(new ControllerError('INTERNAL', 'x', { cause: raw }))).toBe(true);
    expect(isNotFound(awsError('NotFound', '', 404))).toBe(true);
    expect(isNotFound(awsError('AccessDenied', '', 403))).toBe(false);
  });

  it('leaves controller errors as they are', () => {
    const error = new ControllerError('NOT_OWNED', 'mine');
    expect(classifyAwsError(error, 'iam:CreateRole')).toBe(error);
  });
});
