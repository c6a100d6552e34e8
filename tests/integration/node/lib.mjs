// Shared helpers for the JavaScript SDK tests (not a test file itself).
//
// EB_ENDPOINT  the daemon's endpoint, e.g. http://127.0.0.1:4566 (required).
// EB_TARGET    "eventbrokerd" (default) or "moto": with "moto", assertions that are specific to
//              eventbrokerd (account id 000000000000, move tasks...) are skipped so the same
//              tests can be checked against moto_server.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';

export const endpoint = process.env.EB_ENDPOINT;
if (!endpoint) {
  throw new Error('set EB_ENDPOINT to the daemon endpoint, e.g. http://127.0.0.1:4566');
}
if (!/^http:\/\/127\.0\.0\.1:\d+\/?$/.test(endpoint)) {
  throw new Error(`EB_ENDPOINT must be a local http://127.0.0.1:PORT endpoint, got ${endpoint}`);
}
export const target = process.env.EB_TARGET || 'eventbrokerd';
export const isEventbrokerd = target === 'eventbrokerd';
export const REGION = 'us-east-1';
/** The account id eventbrokerd uses in queue URLs and ARNs (DESIGN.md: wire compatibility). */
export const ACCOUNT = '000000000000';

export function makeClient() {
  return new SQSClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    // One attempt: a retried 5xx or a reset connection must fail the test, not hide.
    maxAttempts: 1,
  });
}

let counter = 0;
/** A queue name unique to this process and call (alphanumerics, - and _; at most 80). */
export function uniqueName(prefix) {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`.slice(0, 80);
}

export async function createQueue(client, prefix, attributes = {}, tags = undefined) {
  const name = uniqueName(prefix);
  const Attributes = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, String(v)]));
  const out = await client.send(new CreateQueueCommand({ QueueName: name, Attributes, tags }));
  assert.ok(out.QueueUrl, 'CreateQueue returned no QueueUrl');
  return { name, url: out.QueueUrl };
}

export async function queueAttributes(client, url, names = ['All']) {
  const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }));
  return out.Attributes ?? {};
}

export function md5Hex(data) {
  return createHash('md5').update(data).digest('hex');
}

function lengthPrefixed(bytes) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return [length, Buffer.from(bytes)];
}

/**
 * MD5OfMessageAttributes as AWS documents it: for each attribute, names sorted by byte value,
 * the 4-byte big-endian length and UTF-8 bytes of the name, the same for the data type, one
 * transport byte (1 = String/Number, 2 = Binary), then the length-prefixed value.
 */
export function md5OfMessageAttributes(attributes) {
  const names = Object.keys(attributes).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const parts = [];
  for (const name of names) {
    const { DataType, StringValue, BinaryValue } = attributes[name];
    parts.push(...lengthPrefixed(Buffer.from(name, 'utf8')));
    parts.push(...lengthPrefixed(Buffer.from(DataType, 'utf8')));
    if (BinaryValue !== undefined) {
      parts.push(Buffer.from([2]), ...lengthPrefixed(BinaryValue));
    } else {
      parts.push(Buffer.from([1]), ...lengthPrefixed(Buffer.from(StringValue, 'utf8')));
    }
  }
  return md5Hex(Buffer.concat(parts));
}

/**
 * HTTP status and query-compatible code (header x-amzn-query-error: CODE;Sender) of the SQS
 * errors the tests expect, as the AWS SQS service model declares them.
 */
const ERROR_WIRE = {
  QueueDoesNotExist: [400, 'AWS.SimpleQueueService.NonExistentQueue'],
  InvalidAttributeName: [400, 'InvalidAttributeName'],
  ReceiptHandleIsInvalid: [404, 'ReceiptHandleIsInvalid'],
  EmptyBatchRequest: [400, 'AWS.SimpleQueueService.EmptyBatchRequest'],
  TooManyEntriesInBatchRequest: [400, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest'],
  BatchEntryIdsNotDistinct: [400, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct'],
};

/**
 * Asserts that `promise` rejects with the SDK's typed exception: an instance of `ErrorClass`
 * (exported by @aws-sdk/client-sqs) whose name is the AWS error code, with the modelled HTTP
 * status and, on eventbrokerd, the query-compatible code and a request id. Returns the error.
 */
export async function expectSdkError(promise, ErrorClass, name = ErrorClass.name) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected ${name}, but the call succeeded`);
  assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
  assert.ok(error instanceof ErrorClass, `${error.name} is not an instance of the SDK's ${ErrorClass.name}`);
  assert.equal(error.$fault, 'client');
  assert.ok(error.message, `${name} has no message`);
  const [status, queryCode] = ERROR_WIRE[name] ?? [400, undefined];
  if (isEventbrokerd) {
    assert.equal(error.$metadata?.httpStatusCode, status, `${name}: HTTP status`);
    // [eventbrokerd] DESIGN.md: JSON errors carry x-amzn-query-error, which the SDK exposes as Code/Type.
    if (queryCode) assert.equal(error.Code, queryCode, `${name}: x-amzn-query-error code`);
    assert.equal(error.Type, 'Sender', `${name}: x-amzn-query-error type`);
    assert.ok(error.$metadata?.requestId, `${name}: no request id`);
  } else {
    // moto_server answers some of these (ReceiptHandleIsInvalid) with 400 instead of the model's 404.
    assert.ok([400, status].includes(error.$metadata?.httpStatusCode), `${name}: HTTP status`);
  }
  return error;
}

/** Polls `fn` every `intervalMs` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually(fn, { timeoutMs = 5000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() >= deadline) {
      throw new Error(`${what} not reached within ${timeoutMs} ms (last value: ${JSON.stringify(last)})`);
    }
    await sleep(intervalMs);
  }
}
