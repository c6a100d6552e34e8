// SQS through the AWS SDK for JavaScript v3 (AWS JSON 1.0), as a Node service uses it.
// Run: EB_ENDPOINT=http://127.0.0.1:PORT node --test sqs.test.mjs
//
// Assertions marked [eventbrokerd] depend on eventbrokerd's documented choices (DESIGN.md) and
// are skipped with EB_TARGET=moto; everything else is AWS-documented behaviour.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  BatchEntryIdsNotDistinct,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
  TooManyEntriesInBatchRequest,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';

import {
  ACCOUNT,
  REGION,
  createQueue,
  endpoint,
  eventually,
  expectSdkError,
  isEventbrokerd,
  makeClient,
  md5Hex,
  md5OfMessageAttributes,
  queueAttributes,
  uniqueName,
} from './lib.mjs';

const client = makeClient();
after(() => client.destroy());

const TIMEOUT = { timeout: 20_000 };
const host = new URL(endpoint).host;

async function receive(url, extra = {}) {
  const out = await client.send(new ReceiveMessageCommand({
    QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, ...extra,
  }));
  return out.Messages ?? [];
}

/** Receives until `count` messages arrived (bounded: a standard queue may answer with fewer). */
async function receiveAll(url, count, extra = {}) {
  const messages = [];
  const deadline = Date.now() + 5000;
  while (messages.length < count && Date.now() < deadline) {
    messages.push(...await receive(url, { WaitTimeSeconds: 1, ...extra }));
  }
  return messages;
}

async function queueArn(url) {
  return (await queueAttributes(client, url, ['QueueArn'])).QueueArn;
}

function assertQueueArn(arn, name) {
  assert.match(arn, new RegExp(`^arn:aws:sqs:${REGION}:\\d{12}:${name}$`));
  if (isEventbrokerd) assert.equal(arn, `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`); // [eventbrokerd]
}

/** SenderFault is a JSON boolean in AWS's answer (moto_server sends the string "true"). */
function assertSenderFault(entry) {
  if (isEventbrokerd) assert.equal(entry.SenderFault, true);
  else assert.equal(String(entry.SenderFault), 'true');
}

describe('queues', () => {
  test('CreateQueue, GetQueueUrl, ListQueues, Get/SetQueueAttributes, DeleteQueue', TIMEOUT, async () => {
    const name = uniqueName('js-life');
    const created = await client.send(new CreateQueueCommand({
      QueueName: name, Attributes: { VisibilityTimeout: '45', DelaySeconds: '0' },
    }));
    const url = created.QueueUrl;
    assert.match(url, new RegExp(`/\\d{12}/${name}$`));
    // [eventbrokerd] URL host is what the client used; account 000000000000.
    if (isEventbrokerd) assert.equal(url, `http://${host}/${ACCOUNT}/${name}`);

    // Creating again with the same attributes is idempotent.
    const again = await client.send(new CreateQueueCommand({
      QueueName: name, Attributes: { VisibilityTimeout: '45', DelaySeconds: '0' },
    }));
    assert.equal(again.QueueUrl, url);

    const got = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    assert.equal(got.QueueUrl, url);

    const listed = await client.send(new ListQueuesCommand({ QueueNamePrefix: name }));
    assert.deepEqual(listed.QueueUrls, [url]);
    const all = await client.send(new ListQueuesCommand({}));
    assert.ok(all.QueueUrls.includes(url), 'ListQueues without prefix misses the queue');

    const attrs = await queueAttributes(client, url, ['All']);
    for (const key of ['QueueArn', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed', 'CreatedTimestamp', 'LastModifiedTimestamp', 'VisibilityTimeout',
      'MaximumMessageSize', 'MessageRetentionPeriod', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds']) {
      assert.ok(key in attrs, `GetQueueAttributes(All) lacks ${key}: ${JSON.stringify(attrs)}`);
    }
    assertQueueArn(attrs.QueueArn, name);
    assert.equal(attrs.VisibilityTimeout, '45');
    assert.equal(attrs.DelaySeconds, '0');
    assert.equal(attrs.ApproximateNumberOfMessages, '0');
    assert.equal(attrs.ApproximateNumberOfMessagesNotVisible, '0');
    // AWS raised the default from 256 KiB to 1 MiB in 2025; accept either default.
    assert.ok(['262144', '1048576'].includes(attrs.MaximumMessageSize), `MaximumMessageSize ${attrs.MaximumMessageSize}`);
    assert.equal(attrs.MessageRetentionPeriod, '345600');
    // AWS: epoch seconds as an integer (moto_server sends a float).
    assert.match(attrs.CreatedTimestamp, isEventbrokerd ? /^\d{10}$/ : /^\d{10}(\.\d+)?$/);

    await client.send(new SetQueueAttributesCommand({
      QueueUrl: url, Attributes: { VisibilityTimeout: '10', ReceiveMessageWaitTimeSeconds: '2' },
    }));
    const some = await queueAttributes(client, url, ['VisibilityTimeout', 'ReceiveMessageWaitTimeSeconds']);
    assert.deepEqual(some, { VisibilityTimeout: '10', ReceiveMessageWaitTimeSeconds: '2' });

    await client.send(new DeleteQueueCommand({ QueueUrl: url }));
    await expectSdkError(client.send(new GetQueueUrlCommand({ QueueName: name })), QueueDoesNotExist);
    const afterDelete = await client.send(new ListQueuesCommand({ QueueNamePrefix: name }));
    assert.deepEqual(afterDelete.QueueUrls ?? [], []);
  });

  test('TagQueue, ListQueueTags, UntagQueue (and tags on CreateQueue)', TIMEOUT, async () => {
    const { url } = await createQueue(client, 'js-tags', {}, { created: 'yes' });
    assert.deepEqual((await client.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags, { created: 'yes' });

    await client.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: 'orders', env: 'dev' } }));
    assert.deepEqual((await client.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags,
      { created: 'yes', team: 'orders', env: 'dev' });

    await client.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['env', 'created'] }));
    assert.deepEqual((await client.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags, { team: 'orders' });
  });
});

describe('messages', () => {
  const attributes = {
    text: { DataType: 'String', StringValue: 'héllo wörld ✓ <&> "quoted"' },
    count: { DataType: 'Number', StringValue: '42.5' },
    blob: { DataType: 'Binary', BinaryValue: Uint8Array.from([0, 1, 2, 127, 128, 254, 255]) },
    custom: { DataType: 'String.custom', StringValue: 'custom-value' },
  };

  test('SendMessage with String, Number, Binary and custom attributes; ReceiveMessage returns them exactly',
    TIMEOUT, async () => {
      const { url } = await createQueue(client, 'js-attrs');
      const body = 'body with unicode: ünïcødé 😀, json {"a":[1,2]} and <xml>&amp;</xml>\ttab';
      const sent = await client.send(new SendMessageCommand({
        QueueUrl: url, MessageBody: body, MessageAttributes: attributes,
      }));
      // The SDK has already compared MD5OfMessageBody with its own digest; check both MD5s here too.
      assert.equal(sent.MD5OfMessageBody, md5Hex(Buffer.from(body, 'utf8')));
      assert.equal(sent.MD5OfMessageAttributes, md5OfMessageAttributes(attributes));
      assert.ok(sent.MessageId);

      const [message, ...rest] = await receive(url, {
        MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 1,
      });
      assert.equal(rest.length, 0);
      assert.ok(message, 'no message received');
      assert.equal(message.MessageId, sent.MessageId);
      assert.equal(message.Body, body);
      assert.equal(message.MD5OfBody, sent.MD5OfMessageBody);
      assert.equal(message.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
      assert.ok(message.ReceiptHandle);

      const got = message.MessageAttributes;
      assert.deepEqual(Object.keys(got).sort(), ['blob', 'count', 'custom', 'text']);
      assert.equal(got.text.DataType, 'String');
      assert.equal(got.text.StringValue, attributes.text.StringValue);
      assert.equal(got.count.DataType, 'Number');
      assert.equal(got.count.StringValue, '42.5');
      assert.equal(got.custom.DataType, 'String.custom');
      assert.equal(got.custom.StringValue, 'custom-value');
      assert.equal(got.blob.DataType, 'Binary');
      assert.ok(got.blob.BinaryValue instanceof Uint8Array);
      assert.deepEqual(Buffer.from(got.blob.BinaryValue), Buffer.from(attributes.blob.BinaryValue));

      const sys = message.Attributes;
      assert.equal(sys.ApproximateReceiveCount, '1');
      assert.match(sys.SentTimestamp, /^\d{13}$/);
      assert.match(sys.ApproximateFirstReceiveTimestamp, /^\d{13}$/);
      assert.ok(sys.SenderId, 'SenderId missing');
      assert.ok(Math.abs(Number(sys.SentTimestamp) - Date.now()) < 60_000, 'SentTimestamp is not now');
    });

  test('ReceiveMessage returns only the requested message attributes', TIMEOUT, async () => {
    const { url } = await createQueue(client, 'js-attr-filter');
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: attributes }));
    const [message] = await receive(url, { MessageAttributeNames: ['count', 'text'], WaitTimeSeconds: 1 });
    assert.ok(message);
    assert.deepEqual(Object.keys(message.MessageAttributes).sort(), ['count', 'text']);
    const wanted = { count: attributes.count, text: attributes.text };
    assert.equal(message.MD5OfMessageAttributes, md5OfMessageAttributes(wanted));
    // Nothing asked, nothing returned.
    await client.send(new ChangeMessageVisibilityCommand({
      QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0,
    }));
    const [bare] = await receive(url, { WaitTimeSeconds: 1 });
    assert.ok(bare);
    assert.equal(bare.MessageAttributes, undefined);
    assert.equal(bare.Attributes, undefined);
  });

  test('SendMessageBatch of 10 entries returns every id with the right MD5s', TIMEOUT, async () => {
    const { url } = await createQueue(client, 'js-batch');
    const entries = Array.from({ length: 10 }, (_, i) => ({
      Id: `e${i}`,
      MessageBody: `batch body ${i} ✓`,
      ...(i % 3 === 0 ? { MessageAttributes: { index: { DataType: 'Number', StringValue: String(i) } } } : {}),
    }));
    const out = await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    assert.deepEqual(out.Failed ?? [], []);
    assert.equal(out.Successful.length, 10);
    assert.deepEqual(out.Successful.map((s) => s.Id).sort(), entries.map((e) => e.Id).sort());
    const byId = Object.fromEntries(out.Successful.map((s) => [s.Id, s]));
    for (const entry of entries) {
      const result = byId[entry.Id];
      assert.ok(result.MessageId);
      assert.equal(result.MD5OfMessageBody, md5Hex(Buffer.from(entry.MessageBody, 'utf8')));
      if (entry.MessageAttributes) {
        assert.equal(result.MD5OfMessageAttributes, md5OfMessageAttributes(entry.MessageAttributes));
      } else {
        assert.equal(result.MD5OfMessageAttributes, undefined);
      }
    }
    assert.equal(new Set(out.Successful.map((s) => s.MessageId)).size, 10, 'MessageIds are not distinct');

    const messages = await receiveAll(url, 10);
    assert.deepEqual(messages.map((m) => m.Body).sort(), entries.map((e) => e.MessageBody).sort());
  });

  test('SendMessageBatch with one bad entry (DelaySeconds 1000) reports it in Failed', TIMEOUT, async () => {
    const { url } = await createQueue(client, 'js-batch-bad');
    const out = await client.send(new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: 'good', MessageBody: 'fine' },
        { Id: 'bad', MessageBody: 'too late', DelaySeconds: 1000 },
      ],
    }));
    assert.deepEqual(out.Successful.map((s) => s.Id), ['good']);
    assert.equal(out.Successful[0].MD5OfMessageBody, md5Hex('fine'));
    assert.equal(out.Failed.length, 1);
    const [failed] = out.Failed;
    assert.equal(failed.Id, 'bad');
    assertSenderFault(failed);
    assert.ok(failed.Code, 'Failed entry has no Code');
    assert.ok(failed.Message, 'Failed entry has no Message');

    const messages = await receiveAll(url, 1);
    assert.deepEqual(messages.map((m) => m.Body), ['fine']);
  });

  test('DeleteMessage and DeleteMessageBatch remove messages; a bad handle fails its entry', TIMEOUT, async () => {
    const { url } = await createQueue(client, 'js-delete');
    await client.send(new SendMessageBatchCommand({
      QueueUrl: url, Entries: ['a', 'b', 'c'].map((b) => ({ Id: b, MessageBody: b })),
    }));
    const messages = await receiveAll(url, 3);
    assert.equal(messages.length, 3);
    const [first, ...others] = messages;

    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle }));
    const out = await client.send(new DeleteMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        ...others.map((m, i) => ({ Id: `ok${i}`, ReceiptHandle: m.ReceiptHandle })),
        { Id: 'bogus', ReceiptHandle: 'not-a-receipt-handle' },
      ],
    }));
    assert.deepEqual((out.Successful ?? []).map((s) => s.Id).sort(), ['ok0', 'ok1']);
    assert.equal(out.Failed.length, 1);
    assert.equal(out.Failed[0].Id, 'bogus');
    assert.equal(out.Failed[0].Code, 'ReceiptHandleIsInvalid');
    assertSenderFault(out.Failed[0]);

    const attrs = await queueAttributes(client, url,
      ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
    assert.deepEqual(attrs, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    assert.deepEqual(await receive(url), []);
  });

  test('ChangeMessageVisibility to 0 makes the message receivable again', TIMEOUT, async () => {
    const { url } = await createQueue(client, 'js-visibility', { VisibilityTimeout: 60 });
    const sent = await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    const [first] = await receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    assert.equal(first.MessageId, sent.MessageId);
    assert.equal(first.Attributes.ApproximateReceiveCount, '1');
    assert.deepEqual(await receive(url), [], 'an in-flight message was received twice');
    const inFlight = await queueAttributes(client, url, ['ApproximateNumberOfMessagesNotVisible']);
    assert.equal(inFlight.ApproximateNumberOfMessagesNotVisible, '1');

    await client.send(new ChangeMessageVisibilityCommand({
      QueueUrl: url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0,
    }));
    const [second] = await receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    assert.ok(second, 'the message did not come back after ChangeMessageVisibility 0');
    assert.equal(second.MessageId, sent.MessageId);
    assert.equal(second.Body, 'again');
    assert.equal(second.Attributes.ApproximateReceiveCount, '2');
    assert.notEqual(second.ReceiptHandle, first.ReceiptHandle);
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second.ReceiptHandle }));
  });

  test('a long poll returns as soon as a message is sent', TIMEOUT, async () => {
    const { url } = await createQueue(client, 'js-longpoll');
    const started = Date.now();
    const polling = client.send(new ReceiveMessageCommand({
      QueueUrl: url, WaitTimeSeconds: 5, MaxNumberOfMessages: 1,
    }));
    await sleep(300);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
    const out = await polling;
    const elapsed = Date.now() - started;
    assert.equal(out.Messages?.length, 1, 'the long poll returned no message');
    assert.equal(out.Messages[0].Body, 'wake up');
    assert.ok(elapsed < 3000, `long poll took ${elapsed} ms to return a message sent after 300 ms`);
  });

  test('a long poll on an empty queue waits WaitTimeSeconds and returns no messages', TIMEOUT, async () => {
    const { url } = await createQueue(client, 'js-longpoll-empty');
    const started = Date.now();
    const out = await client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    const elapsed = Date.now() - started;
    assert.deepEqual(out.Messages ?? [], []);
    assert.ok(elapsed >= 900, `returned after ${elapsed} ms, before WaitTimeSeconds`);
    assert.ok(elapsed < 4000, `returned after ${elapsed} ms`);
  });
});

describe('errors surface as the SDK typed exceptions', () => {
  test('QueueDoesNotExist for a missing queue', TIMEOUT, async () => {
    const missing = uniqueName('js-missing');
    await expectSdkError(client.send(new GetQueueUrlCommand({ QueueName: missing })), QueueDoesNotExist);
    const { url } = await createQueue(client, 'js-exists');
    const missingUrl = url.replace(/[^/]+$/, missing);
    await expectSdkError(client.send(new SendMessageCommand({ QueueUrl: missingUrl, MessageBody: 'x' })),
      QueueDoesNotExist);
    await expectSdkError(client.send(new ReceiveMessageCommand({ QueueUrl: missingUrl })), QueueDoesNotExist);
    await expectSdkError(client.send(new GetQueueAttributesCommand({ QueueUrl: missingUrl, AttributeNames: ['All'] })),
      QueueDoesNotExist);
  });

  test('InvalidAttributeName for GetQueueAttributes of "Bogus"', TIMEOUT, async () => {
    const { url } = await createQueue(client, 'js-bogus');
    await expectSdkError(
      client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Bogus'] })),
      InvalidAttributeName);
  });

  test('ReceiptHandleIsInvalid for a bad receipt handle', TIMEOUT, async () => {
    const { url } = await createQueue(client, 'js-bad-handle');
    await expectSdkError(
      client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-receipt-handle' })),
      ReceiptHandleIsInvalid);
    await expectSdkError(
      client.send(new ChangeMessageVisibilityCommand({
        QueueUrl: url, ReceiptHandle: 'not-a-receipt-handle', VisibilityTimeout: 0,
      })),
      ReceiptHandleIsInvalid);
  });

  test('EmptyBatchRequest, TooManyEntriesInBatchRequest, BatchEntryIdsNotDistinct', TIMEOUT, async () => {
    const { url } = await createQueue(client, 'js-batch-errors');
    await expectSdkError(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })),
      EmptyBatchRequest);
    await expectSdkError(client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [] })),
      EmptyBatchRequest);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: `b${i}` }));
    await expectSdkError(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: eleven })),
      TooManyEntriesInBatchRequest);
    await expectSdkError(client.send(new SendMessageBatchCommand({
      QueueUrl: url, Entries: [{ Id: 'same', MessageBody: '1' }, { Id: 'same', MessageBody: '2' }],
    })), BatchEntryIdsNotDistinct);
    // Nothing from the rejected batches was enqueued.
    const attrs = await queueAttributes(client, url, ['ApproximateNumberOfMessages']);
    assert.equal(attrs.ApproximateNumberOfMessages, '0');
  });
});

describe('dead-letter queues', () => {
  test('redrive moves a message to the DLQ; StartMessageMoveTask moves it back', TIMEOUT, async () => {
    const dlq = await createQueue(client, 'js-dlq');
    const dlqArn = await queueArn(dlq.url);
    assertQueueArn(dlqArn, dlq.name);
    const source = await createQueue(client, 'js-dlq-source', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
    });
    const policy = JSON.parse((await queueAttributes(client, source.url, ['RedrivePolicy'])).RedrivePolicy);
    assert.equal(policy.deadLetterTargetArn, dlqArn);
    assert.equal(Number(policy.maxReceiveCount), 1);

    await client.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: 'poison' }));
    const first = await receive(source.url, { VisibilityTimeout: 0, WaitTimeSeconds: 1 });
    assert.deepEqual(first.map((m) => m.Body), ['poison']);
    // Received once already (maxReceiveCount 1): the next receive moves it to the DLQ.
    assert.deepEqual(await receive(source.url), [], 'the message was delivered past maxReceiveCount');

    const moved = await receive(dlq.url, { VisibilityTimeout: 0, WaitTimeSeconds: 1 });
    assert.deepEqual(moved.map((m) => m.Body), ['poison'], 'the message is not in the DLQ');

    const sources = await client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url }));
    assert.deepEqual(sources.queueUrls, [source.url]);

    if (!isEventbrokerd) return; // moto_server does not implement message move tasks.
    const start = await client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    assert.ok(start.TaskHandle, 'StartMessageMoveTask returned no TaskHandle');
    const task = await eventually(async () => {
      const out = await client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
      const latest = out.Results?.[0];
      return latest?.Status === 'COMPLETED' ? latest : null;
    }, { timeoutMs: 5000, intervalMs: 200, what: 'move task COMPLETED' });
    assert.equal(task.SourceArn, dlqArn);
    assert.equal(task.ApproximateNumberOfMessagesMoved, 1);

    const back = await receiveAll(source.url, 1);
    assert.deepEqual(back.map((m) => m.Body), ['poison'], 'the move task did not return the message');
    assert.deepEqual(await receive(dlq.url), []);
  });
});
