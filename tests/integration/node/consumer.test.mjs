// sqs-consumer (the common Node SQS worker library) running against the daemon.
// Run: EB_ENDPOINT=http://127.0.0.1:PORT node --test consumer.test.mjs
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';

import { createQueue, eventually, makeClient, queueAttributes } from './lib.mjs';

const client = makeClient();
after(() => client.destroy());

const TIMEOUT = { timeout: 20_000 };

/** Starts `consumer`, recording its error events; returns the list they go to. */
function start(consumer) {
  const errors = [];
  for (const event of ['error', 'timeout_error']) {
    consumer.on(event, (err) => errors.push(`${event}: ${err?.name}: ${err?.message}`));
  }
  consumer.start();
  return errors;
}

/** Stops `consumer` and waits (bounded) for its 'stopped' event, after the last poll ends. */
async function stop(consumer) {
  const stopped = once(consumer, 'stopped', { signal: AbortSignal.timeout(8000) });
  consumer.stop();
  await stopped;
  await eventually(() => !consumer.status.isPolling, { timeoutMs: 3000, what: 'consumer idle' });
  assert.equal(consumer.status.isRunning, false);
}

async function assertEmpty(url) {
  const attrs = await eventually(async () => {
    const a = await queueAttributes(client, url,
      ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
    return a.ApproximateNumberOfMessages === '0' && a.ApproximateNumberOfMessagesNotVisible === '0' ? a : null;
  }, { timeoutMs: 3000, what: 'queue empty' });
  assert.deepEqual(attrs, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
}

test('a consumer handles 20 messages exactly once and deletes them', TIMEOUT, async () => {
  const { url } = await createQueue(client, 'js-consumer', { VisibilityTimeout: 30 });
  const bodies = Array.from({ length: 20 }, (_, i) => `order-${i}-${'é'.repeat(i % 3)}`);
  for (let offset = 0; offset < bodies.length; offset += 10) {
    const out = await client.send(new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: bodies.slice(offset, offset + 10).map((body, i) => ({ Id: `m${offset + i}`, MessageBody: body })),
    }));
    assert.equal(out.Successful.length, 10);
  }

  const handled = [];
  const processed = [];
  const consumer = Consumer.create({
    queueUrl: url,
    sqs: client,
    waitTimeSeconds: 1,
    batchSize: 10,
    pollingCompleteWaitTimeMs: 5000,
    handleMessage: async (message) => {
      handled.push(message.Body);
      return message; // acknowledge: sqs-consumer deletes it
    },
  });
  consumer.on('message_processed', (message) => processed.push(message.Body));
  const errors = start(consumer);
  try {
    await eventually(() => processed.length >= bodies.length,
      { timeoutMs: 12_000, what: `20 messages processed (have ${processed.length})` });
  } finally {
    await stop(consumer);
  }

  assert.deepEqual(errors, []);
  assert.deepEqual([...handled].sort(), [...bodies].sort(), 'every body exactly once');
  assert.deepEqual([...processed].sort(), [...bodies].sort());
  await assertEmpty(url);
});

test('a handler that throws leaves the message to come back after its visibility timeout', TIMEOUT, async () => {
  const { url } = await createQueue(client, 'js-consumer-retry', { VisibilityTimeout: 1 });
  await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'flaky' }));

  const attempts = [];
  const processingErrors = [];
  let processed = false;
  const consumer = Consumer.create({
    queueUrl: url,
    sqs: client,
    waitTimeSeconds: 1,
    pollingCompleteWaitTimeMs: 5000,
    messageSystemAttributeNames: ['ApproximateReceiveCount'],
    handleMessage: async (message) => {
      attempts.push({ at: Date.now(), count: message.Attributes?.ApproximateReceiveCount, id: message.MessageId });
      if (attempts.length === 1) throw new Error('handler failed on purpose');
      return message;
    },
  });
  consumer.on('processing_error', (err) => processingErrors.push(err.message));
  consumer.on('message_processed', () => { processed = true; });
  const errors = start(consumer);
  try {
    await eventually(() => processed, { timeoutMs: 10_000, what: 'message processed on retry' });
  } finally {
    await stop(consumer);
  }

  assert.deepEqual(errors, []);
  assert.equal(processingErrors.length, 1);
  assert.match(processingErrors[0], /handler failed on purpose/);
  assert.equal(attempts.length, 2, `handler ran ${attempts.length} times`);
  assert.equal(attempts[1].id, attempts[0].id);
  assert.deepEqual(attempts.map((a) => a.count), ['1', '2']);
  const gap = attempts[1].at - attempts[0].at;
  assert.ok(gap >= 900, `the failed message came back after ${gap} ms, before its 1 s visibility timeout`);
  assert.ok(gap < 5000, `the failed message came back only after ${gap} ms`);
  await assertEmpty(url);
});

test('heartbeats extend visibility while a slow handler runs', TIMEOUT, async () => {
  const { url } = await createQueue(client, 'js-consumer-heartbeat');
  await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'slow' }));

  let started = false;
  let processed = false;
  const consumer = Consumer.create({
    queueUrl: url,
    sqs: client,
    waitTimeSeconds: 1,
    visibilityTimeout: 2,
    heartbeatInterval: 1,
    pollingCompleteWaitTimeMs: 8000,
    handleMessage: async (message) => {
      started = true;
      await sleep(3500);
      return message;
    },
  });
  consumer.on('message_processed', () => { processed = true; });
  const errors = start(consumer);
  try {
    await eventually(() => started, { timeoutMs: 5000, what: 'handler started' });
    // Past the 2 s visibility timeout the heartbeats (ChangeMessageVisibility) keep it hidden.
    await sleep(2600);
    const stolen = await client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }));
    assert.deepEqual(stolen.Messages ?? [], [], 'the message became visible while its handler was running');
    await eventually(() => processed, { timeoutMs: 5000, what: 'slow message processed' });
  } finally {
    await stop(consumer);
  }
  assert.deepEqual(errors, []);
  await assertEmpty(url);
});
