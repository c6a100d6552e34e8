// EventBridge (AWS JSON 1.1, X-Amz-Target AWSEvents.*) through @aws-sdk/client-eventbridge:
// buses, rules with event patterns, SQS targets (InputPath, Input, InputTransformer), PutEvents
// delivered to queues read with @aws-sdk/client-sqs in AWS's envelope, TestEventPattern, tags,
// and the SDK's typed exceptions with AWS's messages.
// Run: EB_ENDPOINT=http://127.0.0.1:PORT node --test events.test.mjs
//
// The daemon is shared with the other test files, so every bus, rule and queue name is unique
// (uniqueName). PutEvents writes matching events to their SQS targets before it answers, so the
// queues are read once, without waiting.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  EventBridgeServiceException,
  InvalidEventPatternException,
  LimitExceededException,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
  TestEventPatternCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';

import { ACCOUNT, REGION, createQueue, endpoint, makeClient, uniqueName } from './lib.mjs';

const events = new EventBridgeClient({
  region: REGION,
  endpoint,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  // One attempt: a retried 5xx or a reset connection must fail the test, not hide.
  maxAttempts: 1,
});
const sqs = makeClient();
after(() => {
  events.destroy();
  sqs.destroy();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// The envelope's time: ISO 8601 UTC to the second, as EventBridge delivers it.
const EVENT_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const ENVELOPE_KEYS = ['account', 'detail', 'detail-type', 'id', 'region', 'resources', 'source',
  'time', 'version'];

/** Event bus names allow . - _ and alphanumerics (at most 256). */
function busName(prefix) {
  return uniqueName(prefix);
}

/** Rule names: at most 64 characters of . - _ and alphanumerics. */
function ruleName(prefix) {
  return uniqueName(prefix).slice(-64);
}

async function queueWithArn(prefix) {
  const queue = await createQueue(sqs, prefix);
  const out = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queue.url, AttributeNames: ['QueueArn'],
  }));
  return { ...queue, arn: out.Attributes.QueueArn };
}

/**
 * Everything in the queue now: receives until an empty answer (bounded, since a receive hides
 * what it returned). Returns the messages' bodies as strings.
 */
async function drain(url) {
  const bodies = [];
  for (let i = 0; i < 20; i += 1) {
    const out = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0,
    }));
    if (!out.Messages?.length) return bodies;
    bodies.push(...out.Messages.map((m) => m.Body));
  }
  throw new Error(`queue ${url} did not run empty after 20 receives`);
}

/**
 * Asserts that `promise` rejects with the SDK's typed EventBridge exception `ErrorClass` named
 * `name`, with HTTP 400, a client fault, a request id and, when given, exactly `message`.
 * Returns the error.
 */
async function expectEventsError(promise, ErrorClass, message = undefined, name = ErrorClass.name) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected ${name}, but the call succeeded`);
  assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
  assert.ok(error instanceof ErrorClass, `${error.name} is not an instance of the SDK's ${ErrorClass.name}`);
  assert.ok(error instanceof EventBridgeServiceException);
  assert.equal(error.$fault, 'client');
  assert.equal(error.$metadata?.httpStatusCode, 400, `${name}: HTTP status`);
  assert.ok(error.$metadata?.requestId, `${name}: no request id`);
  if (message !== undefined) assert.equal(error.message, message);
  else assert.ok(error.message, `${name} has no message`);
  return error;
}

/**
 * EventBridge answers ValidationException for constraint violations, but its service model
 * does not declare it, so the SDK raises its base EventBridgeServiceException named so.
 */
function expectValidationError(promise, message = undefined) {
  return expectEventsError(promise, EventBridgeServiceException, message, 'ValidationException');
}

function entry(busNameOrArn, source, detail, extra = {}) {
  return {
    EventBusName: busNameOrArn, Source: source, DetailType: 'OrderPlaced',
    Detail: JSON.stringify(detail), ...extra,
  };
}

describe('EventBridge buses and rules through @aws-sdk/client-eventbridge', () => {
  test('a custom bus is created, described, listed and deleted', async () => {
    const name = busName('js-bus');
    const created = await events.send(new CreateEventBusCommand({ Name: name, Description: 'orders' }));
    assert.equal(created.EventBusArn, `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}`);

    const described = await events.send(new DescribeEventBusCommand({ Name: name }));
    assert.equal(described.Name, name);
    assert.equal(described.Arn, created.EventBusArn);
    assert.equal(described.Description, 'orders');
    assert.ok(described.CreationTime instanceof Date, 'CreationTime is not a timestamp');
    assert.ok(Math.abs(described.CreationTime.getTime() - Date.now()) < 60_000,
      `CreationTime ${described.CreationTime.toISOString()} is not now`);
    // Described by ARN as well as by name.
    const byArn = await events.send(new DescribeEventBusCommand({ Name: created.EventBusArn }));
    assert.equal(byArn.Name, name);

    const listed = await events.send(new ListEventBusesCommand({ NamePrefix: name }));
    assert.deepEqual(listed.EventBuses.map((b) => [b.Name, b.Arn]), [[name, created.EventBusArn]]);

    await expectEventsError(events.send(new CreateEventBusCommand({ Name: name })),
      ResourceAlreadyExistsException);

    await events.send(new DeleteEventBusCommand({ Name: name }));
    await expectEventsError(events.send(new DescribeEventBusCommand({ Name: name })),
      ResourceNotFoundException, `Event bus ${name} does not exist.`);
  });

  test('the default bus is always there and cannot be deleted', async () => {
    const bus = await events.send(new DescribeEventBusCommand({}));
    assert.equal(bus.Name, 'default');
    assert.equal(bus.Arn, `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`);
    await expectValidationError(events.send(new DeleteEventBusCommand({ Name: 'default' })),
      'Cannot delete event bus default.');
  });

  test('a rule is put, described, disabled, enabled, listed and deleted', async () => {
    const name = ruleName('js-life');
    const pattern = JSON.stringify({ source: [{ prefix: 'com.example.' }] });
    const put = await events.send(new PutRuleCommand({
      Name: name, EventPattern: pattern, Description: 'lifecycle',
    }));
    assert.equal(put.RuleArn, `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`);

    const rule = await events.send(new DescribeRuleCommand({ Name: name }));
    assert.deepEqual(
      [rule.Name, rule.Arn, rule.EventPattern, rule.State, rule.Description, rule.EventBusName],
      [name, put.RuleArn, pattern, 'ENABLED', 'lifecycle', 'default']);

    await events.send(new DisableRuleCommand({ Name: name }));
    assert.equal((await events.send(new DescribeRuleCommand({ Name: name }))).State, 'DISABLED');
    await events.send(new EnableRuleCommand({ Name: name }));
    assert.equal((await events.send(new DescribeRuleCommand({ Name: name }))).State, 'ENABLED');

    const listed = await events.send(new ListRulesCommand({ NamePrefix: name }));
    assert.deepEqual(listed.Rules.map((r) => [r.Name, r.Arn, r.State]), [[name, put.RuleArn, 'ENABLED']]);

    await events.send(new DeleteRuleCommand({ Name: name }));
    await expectEventsError(events.send(new DescribeRuleCommand({ Name: name })),
      ResourceNotFoundException, `Rule ${name} does not exist on EventBus default.`);
  });

  test('rules on a custom bus carry the bus in their ARN and are not on the default bus', async () => {
    const bus = busName('js-rules');
    await events.send(new CreateEventBusCommand({ Name: bus }));
    const name = ruleName('js-onbus');
    const put = await events.send(new PutRuleCommand({
      Name: name, EventBusName: bus, EventPattern: '{"source":["a"]}',
    }));
    assert.equal(put.RuleArn, `arn:aws:events:${REGION}:${ACCOUNT}:rule/${bus}/${name}`);
    const rule = await events.send(new DescribeRuleCommand({ Name: name, EventBusName: bus }));
    assert.equal(rule.EventBusName, bus);
    await expectEventsError(events.send(new DescribeRuleCommand({ Name: name })),
      ResourceNotFoundException, `Rule ${name} does not exist on EventBus default.`);
    await expectEventsError(events.send(new DescribeRuleCommand({ Name: name, EventBusName: `${bus}-gone` })),
      ResourceNotFoundException);
  });

  test('bad rules are refused with the SDK exceptions AWS models', async () => {
    const name = ruleName('js-bad');
    const invalid = await expectEventsError(
      events.send(new PutRuleCommand({ Name: name, EventPattern: '{"source":"x"}' })),
      InvalidEventPatternException);
    assert.match(invalid.message, /^Event pattern is not valid\. Reason: /);
    await expectValidationError(events.send(new PutRuleCommand({ Name: name })),
      'Parameter(s) EventPattern or ScheduleExpression must be specified.');
    await expectEventsError(events.send(new PutRuleCommand({
      Name: name, EventPattern: '{"source":["x"]}', EventBusName: busName('js-nobus'),
    })), ResourceNotFoundException);
    // None of them left a rule behind.
    await expectEventsError(events.send(new DescribeRuleCommand({ Name: name })),
      ResourceNotFoundException, `Rule ${name} does not exist on EventBus default.`);
  });

  test('tags of buses and rules', async () => {
    const bus = await events.send(new CreateEventBusCommand({
      Name: busName('js-tagged'), Tags: [{ Key: 'team', Value: 'orders' }],
    }));
    const busTags = await events.send(new ListTagsForResourceCommand({ ResourceARN: bus.EventBusArn }));
    assert.deepEqual(busTags.Tags, [{ Key: 'team', Value: 'orders' }]);

    const rule = await events.send(new PutRuleCommand({
      Name: ruleName('js-tagged'), EventPattern: '{"source":["t"]}',
    }));
    await events.send(new TagResourceCommand({
      ResourceARN: rule.RuleArn, Tags: [{ Key: 'k', Value: 'v' }, { Key: 'env', Value: 'test' }],
    }));
    const ruleTags = await events.send(new ListTagsForResourceCommand({ ResourceARN: rule.RuleArn }));
    assert.deepEqual(Object.fromEntries(ruleTags.Tags.map((t) => [t.Key, t.Value])), { k: 'v', env: 'test' });
    await events.send(new UntagResourceCommand({ ResourceARN: rule.RuleArn, TagKeys: ['k'] }));
    const left = await events.send(new ListTagsForResourceCommand({ ResourceARN: rule.RuleArn }));
    assert.deepEqual(left.Tags, [{ Key: 'env', Value: 'test' }]);
  });
});

describe('PutEvents into SQS targets', () => {
  test('matching events reach the queue in the AWS envelope; the others do not', async () => {
    const bus = busName('js-orders');
    await events.send(new CreateEventBusCommand({ Name: bus }));
    const queue = await queueWithArn('js-events');
    const rule = ruleName('js-orders');
    // A prefix on source and a numeric range (10 inclusive to 100 exclusive) on the detail.
    await events.send(new PutRuleCommand({
      Name: rule, EventBusName: bus, EventPattern: JSON.stringify({
        source: [{ prefix: 'com.example.' }],
        'detail-type': ['OrderPlaced'],
        detail: { amount: [{ numeric: ['>=', 10, '<', 100] }] },
      }),
    }));
    const targets = await events.send(new PutTargetsCommand({
      Rule: rule, EventBusName: bus, Targets: [{ Id: 'orders-queue', Arn: queue.arn }],
    }));
    assert.equal(targets.FailedEntryCount, 0);
    assert.deepEqual(targets.FailedEntries ?? [], []);

    const when = new Date('2024-02-29T12:30:15Z');
    const sent = [
      // 0: matches, with its own time and resources.
      entry(bus, 'com.example.orders', { amount: 50, orderId: 'o-1', tags: ['a', 'b'] },
        { Time: when, Resources: ['arn:aws:dynamodb:us-east-1:000000000000:table/orders'] }),
      // 1: no match, the range's upper bound is exclusive.
      entry(bus, 'com.example.orders', { amount: 100, orderId: 'o-2' }),
      // 2: no match, the source lacks the prefix.
      entry(bus, 'org.example.orders', { amount: 50, orderId: 'o-3' }),
      // 3: matches at the inclusive lower bound; its time is the time of PutEvents.
      entry(bus, 'com.example.billing', { amount: 10, orderId: 'o-4' }),
      // 4: no match, the detail-type differs.
      { ...entry(bus, 'com.example.orders', { amount: 20, orderId: 'o-5' }), DetailType: 'OrderCancelled' },
      // 5: no match: the same event on the default bus, where the rule is not.
      entry(undefined, 'com.example.orders', { amount: 50, orderId: 'o-6' }),
    ];
    const before = Math.floor(Date.now() / 1000) * 1000;
    const result = await events.send(new PutEventsCommand({ Entries: sent }));
    const afterPut = Date.now();
    assert.equal(result.FailedEntryCount, 0);
    assert.equal(result.Entries.length, sent.length);
    const ids = result.Entries.map((e) => e.EventId);
    for (const id of ids) assert.match(id, UUID);
    assert.equal(new Set(ids).size, ids.length, 'EventIds are not distinct');

    const bodies = await drain(queue.url);
    assert.equal(bodies.length, 2, `expected events 0 and 3, got ${bodies.join('\n')}`);
    const got = new Map(bodies.map((b) => JSON.parse(b)).map((e) => [e.id, e]));
    assert.deepEqual([...got.keys()].sort(), [ids[0], ids[3]].sort());

    const first = got.get(ids[0]);
    assert.deepEqual(Object.keys(first).sort(), ENVELOPE_KEYS);
    assert.equal(first.version, '0');
    assert.equal(first.id, ids[0]);
    assert.equal(first['detail-type'], 'OrderPlaced');
    assert.equal(first.source, 'com.example.orders');
    assert.equal(first.account, ACCOUNT);
    assert.equal(first.region, REGION);
    assert.equal(first.time, '2024-02-29T12:30:15Z');
    assert.deepEqual(first.resources, ['arn:aws:dynamodb:us-east-1:000000000000:table/orders']);
    assert.deepEqual(first.detail, { amount: 50, orderId: 'o-1', tags: ['a', 'b'] });

    const fourth = got.get(ids[3]);
    assert.deepEqual(Object.keys(fourth).sort(), ENVELOPE_KEYS);
    assert.equal(fourth.version, '0');
    assert.equal(fourth['detail-type'], 'OrderPlaced');
    assert.equal(fourth.source, 'com.example.billing');
    assert.equal(fourth.account, ACCOUNT);
    assert.equal(fourth.region, REGION);
    assert.deepEqual(fourth.resources, []);
    assert.deepEqual(fourth.detail, { amount: 10, orderId: 'o-4' });
    assert.match(fourth.time, EVENT_TIME);
    const t = Date.parse(fourth.time);
    assert.ok(t >= before && t <= afterPut, `time ${fourth.time} is not the time of PutEvents`);
  });

  test('PutEvents takes the bus ARN as EventBusName', async () => {
    const bus = busName('js-byarn');
    const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name: bus }));
    const queue = await queueWithArn('js-byarn');
    const rule = ruleName('js-byarn');
    await events.send(new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: '{"source":["arn.test"]}' }));
    await events.send(new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: [{ Id: 'q', Arn: queue.arn }] }));
    const result = await events.send(new PutEventsCommand({
      Entries: [entry(EventBusArn, 'arn.test', { n: 1 })],
    }));
    assert.equal(result.FailedEntryCount, 0);
    const bodies = await drain(queue.url);
    assert.deepEqual(bodies.map((b) => JSON.parse(b).id), [result.Entries[0].EventId]);
  });

  // A rule on its own bus matching sources "shape.*", with three SQS targets that shape their
  // input in the three documented ways.
  async function shapedRule() {
    const bus = busName('js-shape');
    await events.send(new CreateEventBusCommand({ Name: bus }));
    const [byPath, constant, transformed] = await Promise.all(
      ['js-path', 'js-const', 'js-xform'].map((p) => queueWithArn(p)));
    const rule = ruleName('js-shape');
    await events.send(new PutRuleCommand({
      Name: rule, EventBusName: bus, EventPattern: '{"source":[{"prefix":"shape."}]}',
    }));
    const targets = [
      { Id: 'detail-only', Arn: byPath.arn, InputPath: '$.detail' },
      { Id: 'constant', Arn: constant.arn, Input: '{"fixed":true}' },
      {
        Id: 'transformed', Arn: transformed.arn, InputTransformer: {
          InputPathsMap: { order: '$.detail.orderId', src: '$.source' },
          InputTemplate: '{"order": <order>, "from": <src>}',
        },
      },
    ];
    const out = await events.send(new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: targets }));
    assert.equal(out.FailedEntryCount, 0);
    assert.deepEqual(out.FailedEntries ?? [], []);
    return { bus, rule, targets, byPath, constant, transformed };
  }

  test('ListTargetsByRule returns the targets as put; a removed target receives nothing', async () => {
    const { bus, rule, targets, byPath, constant, transformed } = await shapedRule();
    const listed = await events.send(new ListTargetsByRuleCommand({ Rule: rule, EventBusName: bus }));
    const byId = Object.fromEntries(listed.Targets.map((t) => [t.Id, t]));
    assert.deepEqual(Object.keys(byId).sort(), ['constant', 'detail-only', 'transformed']);
    for (const target of targets) assert.deepEqual(byId[target.Id], target);

    // Every target gets the one matching event.
    await events.send(new PutEventsCommand({ Entries: [entry(bus, 'shape.orders', { orderId: 'o-1' })] }));
    for (const queue of [byPath, constant, transformed]) assert.equal((await drain(queue.url)).length, 1);

    const removed = await events.send(new RemoveTargetsCommand({
      Rule: rule, EventBusName: bus, Ids: ['constant'],
    }));
    assert.equal(removed.FailedEntryCount, 0);
    const left = await events.send(new ListTargetsByRuleCommand({ Rule: rule, EventBusName: bus }));
    assert.deepEqual(left.Targets.map((t) => t.Id).sort(), ['detail-only', 'transformed']);
    await events.send(new PutEventsCommand({ Entries: [entry(bus, 'shape.orders', { orderId: 'o-2' })] }));
    assert.equal((await drain(constant.url)).length, 0);
    assert.equal((await drain(byPath.url)).length, 1);
    assert.equal((await drain(transformed.url)).length, 1);

    // The rule can only be deleted without targets.
    await expectValidationError(events.send(new DeleteRuleCommand({ Name: rule, EventBusName: bus })),
      "Rule can't be deleted since it has targets.");
    await events.send(new RemoveTargetsCommand({
      Rule: rule, EventBusName: bus, Ids: ['detail-only', 'transformed'],
    }));
    await events.send(new DeleteRuleCommand({ Name: rule, EventBusName: bus }));
  });

  test('InputPath, Input and InputTransformer shape what each target receives', async () => {
    const { bus, byPath, constant, transformed } = await shapedRule();
    const result = await events.send(new PutEventsCommand({
      Entries: [entry(bus, 'shape.orders', { orderId: 'o-9', amount: 3 })],
    }));
    assert.equal(result.FailedEntryCount, 0);
    // InputPath: the selected part of the event; Input: the constant JSON text as given;
    // InputTransformer: the template with its placeholders replaced by the JSON values selected.
    assert.deepEqual((await drain(byPath.url)).map((b) => JSON.parse(b)), [{ orderId: 'o-9', amount: 3 }]);
    assert.deepEqual(await drain(constant.url), ['{"fixed":true}']);
    assert.deepEqual((await drain(transformed.url)).map((b) => JSON.parse(b)),
      [{ order: 'o-9', from: 'shape.orders' }]);
  });

  test('a rule takes at most five targets', async () => {
    const rule = ruleName('js-five');
    await events.send(new PutRuleCommand({ Name: rule, EventPattern: '{"source":["five"]}' }));
    const queue = await queueWithArn('js-five');
    await events.send(new PutTargetsCommand({
      Rule: rule, Targets: [0, 1, 2, 3, 4].map((i) => ({ Id: `t${i}`, Arn: queue.arn })),
    }));
    await expectEventsError(events.send(new PutTargetsCommand({
      Rule: rule, Targets: [{ Id: 't5', Arn: queue.arn }],
    })), LimitExceededException);
  });

  test('a disabled rule does not deliver', async () => {
    const queue = await queueWithArn('js-disabled');
    const rule = ruleName('js-disabled');
    const source = uniqueName('disabled.src');
    await events.send(new PutRuleCommand({
      Name: rule, EventPattern: JSON.stringify({ source: [source] }), State: 'DISABLED',
    }));
    await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'q', Arn: queue.arn }] }));
    await events.send(new PutEventsCommand({ Entries: [entry(undefined, source, { n: 1 })] }));
    assert.deepEqual(await drain(queue.url), []);
    await events.send(new EnableRuleCommand({ Name: rule }));
    const result = await events.send(new PutEventsCommand({ Entries: [entry(undefined, source, { n: 2 })] }));
    assert.deepEqual((await drain(queue.url)).map((b) => JSON.parse(b).id), [result.Entries[0].EventId]);
  });

  test('invalid entries fail one by one with AWS error codes', async () => {
    const result = await events.send(new PutEventsCommand({
      Entries: [
        { DetailType: 't', Detail: '{}' },
        { Source: 's', DetailType: 't', Detail: '{not json' },
        { Source: 's', DetailType: 't', Detail: '{}' },
      ],
    }));
    assert.equal(result.FailedEntryCount, 2);
    assert.deepEqual(result.Entries.slice(0, 2).map((e) => [e.ErrorCode, e.ErrorMessage, e.EventId]), [
      ['InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.', undefined],
      ['MalformedDetail', 'Detail is malformed.', undefined],
    ]);
    assert.match(result.Entries[2].EventId, UUID);
    assert.equal(result.Entries[2].ErrorCode, undefined);
  });
});

describe('TestEventPattern', () => {
  const event = JSON.stringify({
    id: '7bf73129-1428-4cd3-a780-95db273d1602', 'detail-type': 'OrderPlaced',
    source: 'com.example.orders', account: ACCOUNT, time: '2026-01-01T00:00:00Z', region: REGION,
    resources: [], detail: { amount: 42 },
  });

  test('answers true for a matching pattern and false otherwise', async () => {
    const yes = await events.send(new TestEventPatternCommand({
      Event: event,
      EventPattern: JSON.stringify({
        source: [{ prefix: 'com.example.' }], detail: { amount: [{ numeric: ['>', 10, '<=', 42] }] },
      }),
    }));
    assert.equal(yes.Result, true);
    const no = await events.send(new TestEventPatternCommand({
      Event: event,
      EventPattern: JSON.stringify({ detail: { amount: [{ numeric: ['>', 42] }] } }),
    }));
    assert.equal(no.Result, false);
  });

  test('an invalid pattern is an InvalidEventPatternException', async () => {
    const error = await expectEventsError(events.send(new TestEventPatternCommand({
      Event: event, EventPattern: '{"source":"x"}',
    })), InvalidEventPatternException);
    assert.match(error.message, /^Event pattern is not valid\. Reason: /);
  });

  test('an event without the required envelope fields is a ValidationException', async () => {
    const missingId = JSON.parse(event);
    delete missingId.id;
    await expectValidationError(events.send(new TestEventPatternCommand({
      Event: JSON.stringify(missingId), EventPattern: '{"source":["x"]}',
    })));
  });
});
