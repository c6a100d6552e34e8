// The web console (/ui/) in a real browser: Debian's Chromium driven by playwright-core (which
// never downloads a browser). Run against a daemon started with the shipped configuration (its
// saga engine and workers) by ../test_console.py, which also says where screenshots go.
//
// EB_ENDPOINT     the daemon (required, see lib.mjs)
// CHROMIUM        the browser binary (default /usr/bin/chromium)
// EB_SCREENSHOTS  a directory for one screenshot per page (optional)
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import {
  ReceiveMessageCommand, SendMessageCommand, SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { chromium } from 'playwright-core';

import {
  REGION, createQueue, endpoint, eventually, makeClient, queueAttributes,
} from './lib.mjs';

const sqs = makeClient();
let browser;
const pageErrors = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // Root on a machine without a network: no sandbox, no GPU, nothing phoning home.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  // Any script error or failed request of the console fails the run, whichever test caused it.
  assert.deepEqual(pageErrors, []);
});

async function open(path) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('pageerror', (error) => pageErrors.push(`${path}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`${path}: ${message.text()}`);
  });
  page.setDefaultTimeout(15000);
  await page.goto(`${endpoint}/ui/#${path}`);
  return page;
}

async function screenshot(page, name) {
  const dir = process.env.EB_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

async function receive(url, extra = {}) {
  const out = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], ...extra,
  }));
  return out.Messages ?? [];
}

test('the start page lists a queue created with the SDK', async () => {
  const queue = await createQueue(sqs, 'console-list');
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'one' }));
  const page = await open('/');
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: queue.name }) });
  await row.waitFor();
  // Name, type badge, then the counts: one visible, none in flight or delayed.
  assert.deepEqual((await row.getByRole('cell').allInnerTexts()).slice(1, 4), ['1', '0', '0']);
  await screenshot(page, 'queues');
  // A send between two refreshes shows as a send rate (from /v1/queues' totals).
  await row.locator('td.rate').first().getByText('0.0').waitFor();
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'two' }));
  await eventually(async () => Number(await row.locator('td.rate').first().innerText()) > 0,
                   { what: 'a send rate above 0' });
  await page.close();
});

test('the queue page peeks without receiving, and sends', async () => {
  const queue = await createQueue(sqs, 'console-peek');
  await sqs.send(new SendMessageCommand({
    QueueUrl: queue.url, MessageBody: JSON.stringify({ orderId: 'o-17', total: 40 }),
    MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } },
  }));
  const page = await open(`/queues/${encodeURIComponent(queue.name)}`);
  const message = page.locator('li.message');
  await message.getByText('"orderId": "o-17"').waitFor();
  assert.equal(await message.locator('.receive-count').innerText(), '0');
  await page.getByRole('button', { name: 'Peek' }).click();
  await page.getByRole('button', { name: 'Peek' }).click();
  await message.getByText('"orderId": "o-17"').waitFor();

  // Looking changed nothing: the first real receive is the first receive.
  const [received] = await receive(queue.url);
  assert.equal(received.Attributes.ApproximateReceiveCount, '1');
  assert.equal(received.Attributes.ApproximateFirstReceiveTimestamp !== undefined, true);

  await page.getByRole('textbox', { name: 'Message body' }).fill('hello from the console');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByRole('status').getByText('Sent').waitFor();
  const bodies = (await receive(queue.url)).map((m) => m.Body);
  assert.deepEqual(bodies, ['hello from the console']);
  await page.getByRole('button', { name: 'Peek' }).click();
  await message.filter({ hasText: 'hello from the console' }).waitFor();
  await screenshot(page, 'queue');
  await page.close();
});

/** A source queue and its dead-letter queue, with one message moved there by SQS's redrive. */
async function deadLettered(body) {
  const dlq = await createQueue(sqs, 'console-dlq');
  const dlqArn = (await queueAttributes(sqs, dlq.url, ['QueueArn'])).QueueArn;
  const source = await createQueue(sqs, 'console-src');
  await sqs.send(new SetQueueAttributesCommand({
    QueueUrl: source.url,
    Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) },
  }));
  await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: body }));
  // The second receive of a message allowed one moves it to the dead-letter queue.
  assert.equal((await receive(source.url, { VisibilityTimeout: 0 })).length, 1);
  assert.equal((await receive(source.url, { VisibilityTimeout: 0 })).length, 0);
  await eventually(async () => (await queueAttributes(sqs, dlq.url)).ApproximateNumberOfMessages === '1',
                   { what: 'the message in the dead-letter queue' });
  return { dlq, source };
}

test('a dead-letter queue is redriven to its source', async () => {
  const { dlq, source } = await deadLettered('poison');

  const page = await open(`/queues/${encodeURIComponent(dlq.name)}`);
  await page.locator('li.message').getByText('poison').waitFor();
  await page.getByRole('button', { name: 'Start redrive' }).click();
  await page.locator('tr.move-task').filter({ hasText: 'COMPLETED' }).waitFor();
  assert.equal(await page.locator('tr.move-task .moved').first().innerText(), '1');
  await eventually(async () => (await queueAttributes(sqs, source.url)).ApproximateNumberOfMessages === '1',
                   { what: 'the message back in its source queue' });
  await screenshot(page, 'redrive');

  // Purge asks for the name first.
  const purge = page.getByRole('button', { name: 'Purge queue' });
  assert.equal(await purge.isDisabled(), true);
  await page.getByRole('textbox', { name: 'Queue name to confirm purge' }).fill(dlq.name);
  await purge.click();
  await page.getByRole('status').getByText('Purged.').waitFor();
  await page.close();
});

test('the plugins page shows the workers and the DLQ monitor\'s alert', async () => {
  const { dlq } = await deadLettered('poison for the monitor');
  const page = await open('/plugins');
  const plugins = page.getByRole('table', { name: 'Plugins' });
  for (const name of ['inventory', 'payment', 'order', 'order-creation', 'dlq-monitor']) {
    await plugins.getByRole('cell', { name, exact: true }).first().waitFor();
  }
  const alert = page.locator('tr.dlq-alert').filter({ hasText: dlq.name });
  await alert.getByText('firing').waitFor();
  await screenshot(page, 'plugins');
  await page.close();
});

test('the outbox shows what SNS sent to an email endpoint', async () => {
  const sns = new SNSClient({ region: REGION, endpoint, maxAttempts: 1,
                              credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `console-mail-${process.pid}` }));
  const address = `dev-${process.pid}-${Date.now().toString(36)}@example.com`;
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: address }));
  const page = await open('/outbox');
  await page.locator('tr.outbox-row').filter({ hasText: address }).first().waitFor();
  await screenshot(page, 'outbox');
  await page.close();
});

test('a saga shows its steps, and its correlation id the causation tree', async () => {
  const id = `console-${process.pid}-${Date.now().toString(36)}`;
  const started = await fetch(`${endpoint}/v1/sagas/order-creation`, {
    method: 'POST',
    body: JSON.stringify({
      id,
      input: { orderId: id, userId: 'user-1', items: [{ productId: 'SKU-2', quantity: 1, price: 25 }],
               totalAmount: 25, currency: 'EUR', paymentMethod: 'card',
               shippingAddress: { street: '1 Main St', city: 'Springfield' } },
    }),
  });
  assert.equal(started.status, 201, await started.text());

  const page = await open(`/sagas/${encodeURIComponent(id)}`);
  await page.locator('h1').getByText('completed').waitFor();
  const steps = page.locator('tr.saga-step');
  assert.deepEqual(await steps.locator('td:first-child').allInnerTexts(),
                   ['reserve-inventory', 'process-payment', 'create-order']);
  await screenshot(page, 'saga');

  await page.getByRole('link', { name: 'Trace its events' }).click();
  await page.locator('li.trace-node').first().waitFor();
  await page.getByRole('button', { name: 'saga.started' }).first().waitFor();
  await page.getByRole('button', { name: 'inventory.reserved' }).first().waitFor();
  assert.ok((await page.locator('li.trace-node').count()) >= 6);
  await screenshot(page, 'trace');

  const log = await open('/events');
  await log.getByRole('textbox', { name: 'Correlation id' }).fill(id);
  await log.getByRole('button', { name: 'Filter' }).click();
  await log.locator('tr.event-row').filter({ hasText: 'saga.completed' }).waitFor();
  await screenshot(log, 'events');
  await log.close();
  await page.close();
});

test('the daemon refuses a state change from another site', async () => {
  const queue = await createQueue(sqs, 'console-csrf');
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'keep me' }));
  // What a form on any web page can send the daemon, without a CORS preflight.
  const page = await browser.newPage();
  await page.route('http://attacker.test/', (route) => route.fulfill({
    contentType: 'text/html',
    body: `<form method="post" action="${endpoint}/v1/queues/${queue.name}/purge"></form>`,
  }));
  await page.goto('http://attacker.test/');
  // Chromium may itself block a public page's request to loopback (Local Network Access); if
  // it lets the form through, the daemon must answer 403.
  const outcome = new Promise((resolve) => {
    page.on('response', (r) => { if (r.url().endsWith('/purge')) resolve(r.status()); });
    page.on('requestfailed', (r) => { if (r.url().endsWith('/purge')) resolve('blocked'); });
  });
  await page.evaluate(() => document.forms[0].submit());
  const result = await outcome;
  assert.ok(result === 403 || result === 'blocked', `the cross-site purge got ${result}`);
  assert.equal((await queueAttributes(sqs, queue.url)).ApproximateNumberOfMessages, '1');
  await page.close();
});

test('the topic page publishes from its form and tests a subscription\'s filter policy', async () => {
  const sns = new SNSClient({ region: REGION, endpoint, maxAttempts: 1,
                              credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const name = `console-topic-${process.pid}-${Date.now().toString(36)}`;
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const queue = await createQueue(sqs, 'console-topic-inbox');
  const { QueueArn } = await queueAttributes(sqs, queue.url, ['QueueArn']);
  await sns.send(new SubscribeCommand({
    TopicArn, Protocol: 'sqs', Endpoint: QueueArn,
    Attributes: { FilterPolicy: JSON.stringify({ kind: ['order'] }), RawMessageDelivery: 'true' },
  }));

  const list = await open('/topics');
  await list.getByRole('table', { name: 'Topics' }).getByRole('link', { name, exact: true }).click();
  await list.locator('tr.subscription').getByText('"kind"').waitFor();
  await list.close();

  const page = await open(`/topics/${encodeURIComponent(name)}`);
  const form = page.getByRole('form', { name: 'Publish a message' });
  await form.getByRole('textbox', { name: 'Message', exact: true }).fill('hello from the topic page');
  await form.getByRole('button', { name: 'Add attribute' }).click();
  await form.getByRole('textbox', { name: 'Attribute name' }).fill('kind');
  await form.getByRole('textbox', { name: 'Attribute value' }).fill('order');
  await form.getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('status').getByText('Published').waitFor();
  const [received] = await receive(queue.url, { MessageAttributeNames: ['All'] });
  assert.equal(received.Body, 'hello from the topic page');
  assert.deepEqual(received.MessageAttributes.kind, { DataType: 'String', StringValue: 'order' });
  await page.locator('.published-count').getByText('1').waitFor();

  // The tester, with the subscription's policy: one attribute value it takes, one it does not.
  const tester = page.getByRole('form', { name: 'Filter-policy tester' });
  await tester.getByRole('combobox', { name: 'Policy from' }).selectOption({ index: 1 });
  const policy = tester.getByRole('textbox', { name: 'Filter policy' });
  await eventually(async () => /"kind"/.test(await policy.inputValue()),
                   { what: 'the subscription\'s policy in the tester' });
  await tester.getByRole('textbox', { name: 'Attribute name' }).fill('kind');
  const value = tester.getByRole('textbox', { name: 'Attribute value' });
  const result = page.locator('.match-result');
  await value.fill('order');
  await tester.getByRole('button', { name: 'Test' }).click();
  await result.getByText('match', { exact: true }).waitFor();
  await value.fill('refund');
  await tester.getByRole('button', { name: 'Test' }).click();
  await result.getByText('no match', { exact: true }).waitFor();
  await screenshot(page, 'topic');
  await page.close();
});

test('the buses page shows a rule and its target, puts an event and tests patterns', async () => {
  // Imported here, so that this test is one block of its own.
  const { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } =
    await import('@aws-sdk/client-eventbridge');
  const events = new EventBridgeClient({ region: REGION, endpoint, maxAttempts: 1,
                                         credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const queue = await createQueue(sqs, 'console-bus-target');
  const queueArn = (await queueAttributes(sqs, queue.url, ['QueueArn'])).QueueArn;
  const bus = `console-bus-${process.pid}`;
  await events.send(new CreateEventBusCommand({ Name: bus }));
  await events.send(new PutRuleCommand({
    Name: 'orders', EventBusName: bus,
    EventPattern: JSON.stringify({ source: ['console.shop'], 'detail-type': ['OrderPlaced'] }),
  }));
  await events.send(new PutTargetsCommand({
    Rule: 'orders', EventBusName: bus, Targets: [{ Id: 'to-queue', Arn: queueArn }],
  }));
  events.destroy();

  const page = await open('/buses');
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: bus }) });
  await row.waitFor();
  // Name, then its rules and archives.
  assert.deepEqual((await row.getByRole('cell').allInnerTexts()).slice(1, 3), ['1', '0']);
  await row.getByRole('link', { name: bus }).click();
  const rule = page.locator('li.rule').filter({ hasText: 'orders' });
  await rule.getByText('"console.shop"').waitFor();
  await rule.locator('tr.rule-target').filter({ hasText: 'to-queue' })
    .getByRole('link', { name: queue.name }).waitFor();

  // An event put from the form arrives in the rule's target queue.
  await page.getByRole('textbox', { name: 'Source', exact: true }).fill('console.shop');
  await page.getByRole('textbox', { name: 'Detail type' }).fill('OrderPlaced');
  await page.getByRole('textbox', { name: 'Detail', exact: true }).fill('{"orderId": "o-9"}');
  await page.getByRole('button', { name: 'Put event' }).click();
  const put = page.getByRole('status').filter({ hasText: 'Put event' });
  await put.waitFor();
  const [message] = await eventually(async () => {
    const received = await receive(queue.url);
    return received.length > 0 && received;
  }, { what: 'the event in the target queue' });
  const envelope = JSON.parse(message.Body);
  assert.deepEqual([envelope.source, envelope['detail-type'], envelope.detail],
                   ['console.shop', 'OrderPlaced', { orderId: 'o-9' }]);
  assert.equal(await put.locator('code').innerText(), envelope.id);

  // The tester starts from the rule's pattern and a complete sample event that it matches.
  const result = page.locator('.pattern-result');
  await page.getByRole('button', { name: 'Test pattern' }).click();
  await result.getByText('Match', { exact: true }).waitFor();
  const sample = page.getByRole('textbox', { name: 'Sample event' });
  await sample.fill((await sample.inputValue()).replace('"console.shop"', '"elsewhere"'));
  await page.getByRole('button', { name: 'Test pattern' }).click();
  await result.getByText('No match', { exact: true }).waitFor();
  await screenshot(page, 'bus');
  await page.close();
});
