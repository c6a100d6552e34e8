// EventBridge Scheduler (REST-JSON) through @aws-sdk/client-scheduler: schedule groups and tags,
// schedules (create, get, update, list, delete), the SDK's typed exceptions with their HTTP
// statuses, and a rate schedule without StartDate invoking its SQS target at once.
// Run: EB_ENDPOINT=http://127.0.0.1:PORT node --test scheduler.test.mjs
//
// The daemon is shared with the other test files, so every name is unique (uniqueName).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  SchedulerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';

import { ACCOUNT, REGION, createQueue, endpoint, makeClient, uniqueName } from './lib.mjs';

const scheduler = new SchedulerClient({
  region: REGION,
  endpoint,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  maxAttempts: 1,
});
const sqs = makeClient();
after(() => {
  scheduler.destroy();
  sqs.destroy();
});

const ROLE = `arn:aws:iam::${ACCOUNT}:role/scheduler`;
const queueArnOf = (name) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

function schedule(name, expression, targetArn, extra = {}) {
  return new CreateScheduleCommand({
    Name: name,
    ScheduleExpression: expression,
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: targetArn, RoleArn: ROLE, Input: JSON.stringify({ name }) },
    ...extra,
  });
}

describe('EventBridge Scheduler', () => {
  test('schedule lifecycle', async () => {
    const { name: queueName } = await createQueue(sqs, 'sched-q');
    const queueArn = queueArnOf(queueName);
    const name = uniqueName('s').slice(0, 64);
    const created = await scheduler.send(schedule(name, 'cron(0 9 * * ? *)', queueArn, {
      ScheduleExpressionTimezone: 'Europe/Berlin',
    }));
    assert.equal(created.ScheduleArn,
      `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/${name}`);
    const got = await scheduler.send(new GetScheduleCommand({ Name: name }));
    assert.equal(got.ScheduleExpressionTimezone, 'Europe/Berlin');
    assert.equal(got.State, 'ENABLED');
    assert.ok(got.CreationDate instanceof Date);
    assert.deepEqual(got.Target.RetryPolicy,
      { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 });

    await scheduler.send(new UpdateScheduleCommand({
      Name: name, ScheduleExpression: 'rate(2 hours)', State: 'DISABLED',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 5 },
      Target: { Arn: queueArn, RoleArn: ROLE },
    }));
    const updated = await scheduler.send(new GetScheduleCommand({ Name: name }));
    assert.equal(updated.State, 'DISABLED');
    assert.equal(updated.FlexibleTimeWindow.MaximumWindowInMinutes, 5);
    const listed = await scheduler.send(new ListSchedulesCommand({ NamePrefix: name }));
    assert.deepEqual(listed.Schedules.map((s) => s.Name), [name]);

    await scheduler.send(new DeleteScheduleCommand({ Name: name }));
    await assert.rejects(scheduler.send(new GetScheduleCommand({ Name: name })),
      (err) => err instanceof ResourceNotFoundException && err.$metadata.httpStatusCode === 404);
  });

  test('groups and tags', async () => {
    const group = uniqueName('g').slice(0, 64);
    const { ScheduleGroupArn: arn } = await scheduler.send(new CreateScheduleGroupCommand({
      Name: group, Tags: [{ Key: 'team', Value: 'a' }],
    }));
    await scheduler.send(new TagResourceCommand({
      ResourceArn: arn, Tags: [{ Key: 'env', Value: 'dev' }],
    }));
    await scheduler.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['team'] }));
    const tags = await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
    assert.deepEqual(tags.Tags, [{ Key: 'env', Value: 'dev' }]);
    const got = await scheduler.send(new GetScheduleGroupCommand({ Name: group }));
    assert.equal(got.State, 'ACTIVE');
    const groups = await scheduler.send(new ListScheduleGroupsCommand({ NamePrefix: group }));
    assert.deepEqual(groups.ScheduleGroups.map((g) => g.Name), [group]);
    await assert.rejects(scheduler.send(new CreateScheduleGroupCommand({ Name: group })),
      (err) => err instanceof ConflictException && err.$metadata.httpStatusCode === 409);
    await scheduler.send(new DeleteScheduleGroupCommand({ Name: group }));
    await assert.rejects(scheduler.send(new DeleteScheduleGroupCommand({ Name: 'default' })),
      (err) => err instanceof ValidationException && err.$metadata.httpStatusCode === 400);
  });

  test('a rate schedule without StartDate invokes its queue at once', async () => {
    const { name: queueName, url: queueUrl } = await createQueue(sqs, 'sched-fire');
    const queueArn = queueArnOf(queueName);
    const name = uniqueName('fire').slice(0, 64);
    await scheduler.send(schedule(name, 'rate(1 day)', queueArn));
    const got = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl, WaitTimeSeconds: 10, MaxNumberOfMessages: 10,
    }));
    assert.deepEqual((got.Messages ?? []).map((m) => JSON.parse(m.Body)), [{ name }]);
    await scheduler.send(new DeleteScheduleCommand({ Name: name }));
  });
});
