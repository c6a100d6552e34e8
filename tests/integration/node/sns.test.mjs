// SNS fan-out through the AWS SDK for JavaScript v3, as the design's services use it: an
// EventBus that publishes typed events with eventType/correlationId attributes to one topic
// and long-polls its service's queue, plus signature checks with the npm sns-validator.
// Run: EB_ENDPOINT=http://127.0.0.1:PORT node --test sns.test.mjs
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';

import {
  CreateTopicCommand,
  NotFoundException,
  PublishCommand,
  SNSClient,
  SetTopicAttributesCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';

import { REGION, createQueue, endpoint, makeClient, uniqueName } from './lib.mjs';

const require = createRequire(import.meta.url);
const MessageValidator = require('sns-validator');

const sns = new SNSClient({
  region: REGION,
  endpoint,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  maxAttempts: 1,
});
const sqs = makeClient();
after(() => {
  sns.destroy();
  sqs.destroy();
});

// The design's EventBus (ADR 007), with the receive loop bounded so a test can end.
class EventBus {
  constructor(topicArn) {
    this.topicArn = topicArn;
  }

  async publish(event) {
    await sns.send(new PublishCommand({
      TopicArn: this.topicArn,
      Message: JSON.stringify(event),
      MessageAttributes: {
        eventType: { DataType: 'String', StringValue: event.type },
        correlationId: { DataType: 'String', StringValue: event.correlationId },
      },
    }));
  }

  // Long-polls `queueUrl`, hands each event to `handler` and deletes it, until `count` events
  // were handled or a receive comes back empty.
  async subscribe(queueUrl, handler, count) {
    let handled = 0;
    while (handled < count) {
      const response = await sqs.send(new ReceiveMessageCommand({
        QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2,
        MessageAttributeNames: ['All'],
      }));
      if (!response.Messages) break;
      await Promise.all(response.Messages.map(async (message) => {
        await handler(JSON.parse(message.Body), message);
        await sqs.send(new DeleteMessageCommand({
          QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle,
        }));
        handled += 1;
      }));
    }
    return handled;
  }
}

async function topic(prefix) {
  const out = await sns.send(new CreateTopicCommand({ Name: uniqueName(prefix) }));
  return out.TopicArn;
}

async function queueArn(url) {
  const out = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: url, AttributeNames: ['QueueArn'],
  }));
  return out.Attributes.QueueArn;
}

function event(type, correlationId) {
  return {
    id: randomUUID(), type, timestamp: new Date().toISOString(), version: '1.0',
    source: 'order-service', correlationId, metadata: {}, data: { orderId: 'o-1' },
  };
}

describe('EventBus over SNS and SQS', () => {
  test('each service queue gets the event types its filter policy selects', async () => {
    const topicArn = await topic('portfolio-events');
    const orders = await createQueue(sqs, 'order-events');
    const inventory = await createQueue(sqs, 'inventory-events');
    for (const [queue, types] of [[orders, ['order.created', 'order.paid', 'order.shipped']],
      [inventory, ['order.created', 'payment.completed']]]) {
      await sns.send(new SubscribeCommand({
        TopicArn: topicArn, Protocol: 'sqs', Endpoint: await queueArn(queue.url),
        Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ eventType: types }) },
      }));
    }
    const bus = new EventBus(topicArn);
    const correlationId = randomUUID();
    for (const type of ['order.created', 'inventory.reserved', 'payment.completed', 'order.paid']) {
      await bus.publish(event(type, correlationId));
    }

    const seen = [];
    const handled = await bus.subscribe(orders.url, async (e, message) => {
      seen.push(e.type);
      assert.equal(e.correlationId, correlationId);
      assert.equal(message.MessageAttributes.correlationId.StringValue, correlationId);
    }, 2);
    assert.equal(handled, 2);
    assert.deepEqual(seen.sort(), ['order.created', 'order.paid']);

    const inventorySeen = [];
    await bus.subscribe(inventory.url, async (e) => inventorySeen.push(e.type), 2);
    assert.deepEqual(inventorySeen.sort(), ['order.created', 'payment.completed']);
    // Everything handled was deleted: nothing comes back.
    assert.equal(await bus.subscribe(orders.url, async () => {}, 1), 0);
  });

  test('a missing topic is NotFoundException', async () => {
    const error = await sns.send(new PublishCommand({
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:none', Message: 'x',
    })).catch((e) => e);
    assert.ok(error instanceof NotFoundException, `got ${error?.name}`);
    assert.equal(error.message, 'Topic does not exist');
    assert.equal(error.$fault, 'client');
    assert.equal(error.$metadata.httpStatusCode, 404);
  });
});

describe('signatures', () => {
  test('sns-validator accepts the envelopes eventbrokerd signs, both versions', async () => {
    // sns-validator fetches certificates over https only; the daemon serves them over plain
    // http. The transport is redirected here (and the unsigned SigningCertURL given the https
    // scheme the validator insists on); the signature check itself is the library's own.
    const originalGet = https.get;
    https.get = (url, callback) => http.get(String(url).replace(/^https:/, 'http:'), callback);
    after(() => { https.get = originalGet; });
    const validator = new MessageValidator(/^127\.0\.0\.1:\d+$/);

    for (const version of ['1', '2']) {
      const topicArn = await topic(`signed-v${version}`);
      await sns.send(new SetTopicAttributesCommand({
        TopicArn: topicArn, AttributeName: 'SignatureVersion', AttributeValue: version,
      }));
      const queue = await createQueue(sqs, `signed-v${version}`);
      await sns.send(new SubscribeCommand({
        TopicArn: topicArn, Protocol: 'sqs', Endpoint: await queueArn(queue.url),
      }));
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'signed body', Subject: 'S' }));
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 5 }));
      const envelope = JSON.parse(got.Messages[0].Body);
      assert.equal(envelope.SignatureVersion, version);
      envelope.SigningCertURL = envelope.SigningCertURL.replace(/^http:/, 'https:');
      const validated = await new Promise((resolve, reject) => validator.validate(
        envelope, (err, message) => (err ? reject(err) : resolve(message))));
      assert.equal(validated.Message, 'signed body');

      const tampered = { ...envelope, Message: 'changed' };
      await assert.rejects(new Promise((resolve, reject) => validator.validate(
        tampered, (err, message) => (err ? reject(err) : resolve(message)))));
    }
  });
});
