// SQS FIFO queues through the AWS SDK for JavaScript v3 (AWS JSON 1.0).
// Run: EB_ENDPOINT=http://127.0.0.1:PORT node --test fifo.test.mjs
//
// Everything here is AWS-documented FIFO behaviour (SQS Developer Guide: FIFO delivery logic,
// exactly-once processing).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import {
  CreateTopicCommand,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSServiceException,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';

import {
  REGION, createQueue, endpoint, makeClient, md5Hex, queueAttributes, uniqueName,
} from './lib.mjs';

const client = makeClient();
const sns = new SNSClient({
  region: REGION,
  endpoint,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  maxAttempts: 1,
});
after(() => {
  client.destroy();
  sns.destroy();
});

const TIMEOUT = { timeout: 20_000 };

async function createFifoQueue(prefix, attributes = {}) {
  // uniqueName may be up to 80 characters; leave room for the .fifo suffix.
  const name = `${uniqueName(prefix).slice(0, 75)}.fifo`;
  const Attributes = {
    FifoQueue: 'true', ...Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, String(v)])),
  };
  const out = await client.send(new CreateQueueCommand({ QueueName: name, Attributes }));
  assert.ok(out.QueueUrl, 'CreateQueue returned no QueueUrl');
  return { name, url: out.QueueUrl };
}

async function receive(url, extra = {}) {
  const out = await client.send(new ReceiveMessageCommand({
    QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'], ...extra,
  }));
  return out.Messages ?? [];
}

/** Receives and deletes until `count` messages arrived (FIFO groups unblock on delete). */
async function drain(url, count) {
  const messages = [];
  const deadline = Date.now() + 5000;
  while (messages.length < count && Date.now() < deadline) {
    const batch = await receive(url, { WaitTimeSeconds: 1 });
    messages.push(...batch);
    if (batch.length > 0) {
      const out = await client.send(new DeleteMessageBatchCommand({
        QueueUrl: url, Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }));
      assert.deepEqual(out.Failed ?? [], []);
    }
  }
  return messages;
}

describe('FIFO queues', () => {
  test('CreateQueue with FifoQueue returns the FIFO attributes', TIMEOUT, async () => {
    const { url } = await createFifoQueue('js-fifo-attrs', { ContentBasedDeduplication: true });
    const attrs = await queueAttributes(client, url, ['All']);
    assert.equal(attrs.FifoQueue, 'true');
    assert.equal(attrs.ContentBasedDeduplication, 'true');
    assert.equal(attrs.DeduplicationScope, 'queue');
    assert.equal(attrs.FifoThroughputLimit, 'perQueue');
  });

  test('SendMessageBatch across two groups is received in order per group with SequenceNumbers', TIMEOUT, async () => {
    const { url } = await createFifoQueue('js-fifo-order');
    const entries = Array.from({ length: 10 }, (_, i) => ({
      Id: `e${i}`,
      MessageBody: `${i % 2 ? 'B' : 'A'}-${i}`,
      MessageGroupId: i % 2 ? 'B' : 'A',
      MessageDeduplicationId: `dedup-${i}`,
    }));
    const sent = await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    assert.deepEqual(sent.Failed ?? [], []);
    assert.deepEqual(sent.Successful.map((e) => e.Id), entries.map((e) => e.Id));
    const seqById = new Map();
    let previous = -1n;
    for (const entry of sent.Successful) {
      assert.match(entry.SequenceNumber, /^\d{20}$/);
      assert.equal(entry.MD5OfMessageBody, md5Hex(Buffer.from(entries[Number(entry.Id.slice(1))].MessageBody)));
      const seq = BigInt(entry.SequenceNumber);
      assert.ok(seq > previous, `SequenceNumber ${seq} is not above ${previous}`);
      previous = seq;
      seqById.set(entry.MessageId, entry.SequenceNumber);
    }

    const got = await drain(url, 10);
    assert.equal(got.length, 10);
    for (const group of ['A', 'B']) {
      const mine = got.filter((m) => m.Attributes.MessageGroupId === group);
      const expected = entries.filter((e) => e.MessageGroupId === group).map((e) => e.MessageBody);
      assert.deepEqual(mine.map((m) => m.Body), expected, `group ${group} out of order`);
      for (const m of mine) {
        assert.equal(m.Attributes.SequenceNumber, seqById.get(m.MessageId));
        assert.match(m.Attributes.MessageDeduplicationId, /^dedup-\d$/);
      }
    }
    assert.deepEqual(await receive(url), []);
  });

  test('a duplicate send answers the original MessageId and enqueues nothing', TIMEOUT, async () => {
    const { url } = await createFifoQueue('js-fifo-dedup');
    const first = await client.send(new SendMessageCommand({
      QueueUrl: url, MessageBody: 'one', MessageGroupId: 'g', MessageDeduplicationId: 'same',
    }));
    const second = await client.send(new SendMessageCommand({
      QueueUrl: url, MessageBody: 'two', MessageGroupId: 'g', MessageDeduplicationId: 'same',
    }));
    assert.equal(second.MessageId, first.MessageId);
    const got = await drain(url, 1);
    assert.deepEqual(got.map((m) => m.Body), ['one']);
    assert.deepEqual(await receive(url), []);
  });

  test('SendMessage without MessageGroupId rejects with MissingParameter', TIMEOUT, async () => {
    const { url } = await createFifoQueue('js-fifo-nogroup');
    let error;
    try {
      await client.send(new SendMessageCommand({
        QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd',
      }));
    } catch (e) {
      error = e;
    }
    assert.ok(error, 'the send without MessageGroupId succeeded');
    assert.equal(error.name, 'MissingParameter', `got ${error.name}: ${error.message}`);
    assert.ok(error instanceof SQSServiceException);
    assert.equal(error.$fault, 'client');
    assert.equal(error.$metadata?.httpStatusCode, 400);
    assert.ok(error.message);
  });

  test('a standard queue accepts MessageGroupId (fair queue)', TIMEOUT, async () => {
    const { url } = await createQueue(client, 'js-fair');
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'tenant' }));
    const [m] = await receive(url, { WaitTimeSeconds: 1 });
    assert.equal(m?.Attributes?.MessageGroupId, 'tenant');
  });
});

describe('SNS FIFO topics', () => {
  test('fan out to FIFO queues in group order, through a filter policy', TIMEOUT, async () => {
    const topic = await sns.send(new CreateTopicCommand({
      Name: `${uniqueName('js-prices').slice(0, 70)}.fifo`,
      Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' },
    }));
    const all = await createFifoQueue('js-all');
    const retail = await createFifoQueue('js-retail');
    for (const [queue, attributes] of [
      [all, {}],
      [retail, { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ business: ['retail'] }) }],
    ]) {
      const { QueueArn } = await queueAttributes(client, queue.url, ['QueueArn']);
      await sns.send(new SubscribeCommand({
        TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: QueueArn, Attributes: attributes,
      }));
    }
    const sent = [];
    let firstId;
    for (let batch = 0; batch < 2; batch += 1) {
      const entries = [];
      for (let i = 0; i < 10; i += 1) {
        const n = batch * 10 + i;
        const business = n % 3 === 0 ? 'wholesale' : 'retail';
        sent.push({ body: `price-${n}`, group: `sku-${n % 2}`, business });
        entries.push({
          Id: `e${i}`,
          Message: `price-${n}`,
          MessageGroupId: `sku-${n % 2}`,
          MessageAttributes: { business: { DataType: 'String', StringValue: business } },
        });
      }
      const out = await sns.send(new PublishBatchCommand({
        TopicArn: topic.TopicArn, PublishBatchRequestEntries: entries,
      }));
      assert.equal(out.Successful?.length, 10);
      for (const ok of out.Successful) assert.match(ok.SequenceNumber ?? '', /^\d{20}$/);
      if (batch === 0) firstId = out.Successful.find((ok) => ok.Id === 'e0').MessageId;
    }
    // A duplicate (same content, content-based deduplication) answers the original id.
    const again = await sns.send(new PublishCommand({
      TopicArn: topic.TopicArn, Message: 'price-0', MessageGroupId: 'sku-0',
    }));
    assert.equal(again.MessageId, firstId);

    const perGroup = (messages, body) => {
      const groups = {};
      for (const m of messages) {
        (groups[m.Attributes.MessageGroupId] ??= []).push(body(m));
      }
      return groups;
    };
    const expected = (filter) => {
      const groups = {};
      for (const s of sent.filter(filter)) (groups[s.group] ??= []).push(s.body);
      return groups;
    };
    const everything = await drain(all.url, sent.length);
    assert.deepEqual(perGroup(everything, (m) => JSON.parse(m.Body).Message), expected(() => true));
    const filtered = await drain(retail.url, sent.filter((s) => s.business === 'retail').length);
    assert.deepEqual(perGroup(filtered, (m) => m.Body), expected((s) => s.business === 'retail'));
    assert.deepEqual(await receive(all.url), []);
  });
});
