// The design's EventBus (seed ADR 007) against the daemon running the shipped configuration:
// the user's order service publishes order.created with the AWS SDK v3, and the built-in
// inventory worker answers inventory.reserved (the choreography path), seen on a queue the test
// subscribes as any service would,
// while the built-in order worker records the order in its event-log stream.
// Run: EB_ENDPOINT=http://127.0.0.1:PORT node --test eventbus.test.mjs (daemon started with
// --config config/eventbrokerd.yaml).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';

import { PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';

import { ACCOUNT, REGION, endpoint, makeClient } from './lib.mjs';

const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:portfolio-events`;

// The design's EventBus, as services write it: publish with the two message attributes,
// subscribe by long-polling a queue and deleting what the handler took.
class EventBus {
  constructor() {
    const options = {
      region: REGION,
      endpoint,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
    };
    this.sns = new SNSClient(options);
    this.sqs = makeClient();
  }

  async publish(event) {
    await this.sns.send(new PublishCommand({
      TopicArn: TOPIC_ARN,
      Message: JSON.stringify(event),
      MessageAttributes: {
        eventType: { DataType: 'String', StringValue: event.type },
        correlationId: { DataType: 'String', StringValue: event.correlationId },
      },
    }));
  }

  // A queue of the caller's own subscribed to the topic for `types`, as a service subscribes
  // its queue; returns its URL.
  async subscribe(types) {
    const name = `eventbus-${randomUUID().slice(0, 8)}`;
    const { QueueUrl } = await this.sqs.send(new CreateQueueCommand({ QueueName: name }));
    await this.sns.send(new SubscribeCommand({
      TopicArn: TOPIC_ARN,
      Protocol: 'sqs',
      Endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
      Attributes: { FilterPolicy: JSON.stringify({ eventType: types }) },
    }));
    return QueueUrl;
  }

  // Receives from `QueueUrl` until `wanted(event)` holds (deleting what it reads), or fails
  // after `seconds`.
  async waitFor(QueueUrl, wanted, seconds = 10) {
    const deadline = Date.now() + seconds * 1000;
    const seen = [];
    while (Date.now() < deadline) {
      const got = await this.sqs.send(new ReceiveMessageCommand({
        QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'],
      }));
      for (const message of got.Messages ?? []) {
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
        // Without raw delivery the body is the SNS notification around the event.
        const body = JSON.parse(message.Body);
        const event = body.Type === 'Notification' ? JSON.parse(body.Message) : body;
        seen.push(event.type);
        if (wanted(event)) return { event, notification: body };
      }
    }
    assert.fail(`no wanted event in ${QueueUrl} within ${seconds} s; saw ${seen.join(', ')}`);
  }

  destroy() {
    this.sns.destroy();
    this.sqs.destroy();
  }
}

const bus = new EventBus();
after(() => bus.destroy());

async function getJson(path) {
  const response = await fetch(endpoint.replace(/\/$/, '') + path);
  return { status: response.status, body: await response.json() };
}

test('order.created published by the user\'s order service is answered by the inventory worker', async () => {
  const orderId = `order-${randomUUID()}`;
  const correlationId = randomUUID();
  const before = (await getJson('/v1/plugins/inventory/stock/SKU-2')).body;
  const inbox = await bus.subscribe(['inventory.reserved']);
  const created = {
    id: randomUUID(),
    type: 'order.created',
    timestamp: new Date().toISOString(),
    version: '1.0',
    source: 'order-service-js',
    correlationId,
    metadata: {},
    data: {
      orderId,
      userId: 'user-1',
      items: [{ productId: 'SKU-2', quantity: 2, price: 10 }],
      totalAmount: 20,
      currency: 'EUR',
      shippingAddress: { street: '1 Main St', city: 'Springfield' },
      paymentMethod: 'card',
    },
  };
  await bus.publish(created);

  const { event, notification } = await bus.waitFor(inbox,
    (e) => e.type === 'inventory.reserved' && e.correlationId === correlationId);
  assert.equal(event.source, 'inventory-service');
  assert.equal(event.causationId, created.id);
  assert.equal(event.version, '1.0');
  assert.equal(event.data.orderId, orderId);
  assert.equal(event.data.items.length, 1);
  assert.equal(event.data.items[0].productId, 'SKU-2');
  assert.equal(event.data.items[0].quantity, 2);
  assert.match(event.data.items[0].reservationId, /^[0-9a-f-]{36}$/);
  // The subscription has no raw delivery: the attributes are in the SNS notification.
  assert.equal(notification.MessageAttributes.eventType.Value, 'inventory.reserved');
  assert.equal(notification.MessageAttributes.correlationId.Value, correlationId);

  const after = (await getJson('/v1/plugins/inventory/stock/SKU-2')).body;
  assert.equal(after.available, before.available - 2);
  assert.equal(after.reserved, before.reserved + 2);

  // The order worker folded the same order.created into the order's stream.
  const state = await getJson(`/v1/streams/order-${orderId}/state`);
  assert.equal(state.status, 200);
  assert.equal(state.body.state.status, 'created');
  assert.equal(state.body.state.totalAmount, 20);

  // And the trace links the answer to its cause.
  const trace = await getJson(`/v1/trace/${correlationId}`);
  assert.equal(trace.status, 200);
  const root = trace.body.roots.find((r) => r.event.id === created.id);
  assert.ok(root, JSON.stringify(trace.body));
  assert.ok(root.children.some((c) => c.event.type === 'inventory.reserved'));
});
