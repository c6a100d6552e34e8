"""EventBridge Scheduler (REST-JSON) driven by boto3 against the built daemon with --clock
manual: schedule groups and schedules (create, get, update, list, delete), tags, the model's
exception classes, a schedule firing into an SQS queue when the clock moves, a missing target's
dead letter, a failed invocation retried into a queue created after it, delete-after-completion,
and schedules surviving a restart."""
import datetime
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import Daemon, boto3_client, call

ACCOUNT = "000000000000"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/scheduler"
AWS = shutil.which("aws")


class SchedulerTestBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon("--clock", "manual")
        cls.daemon.__enter__()
        cls.scheduler = boto3_client("scheduler", cls.daemon.endpoint)
        cls.sqs = boto3_client("sqs", cls.daemon.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    def advance(self, seconds):
        status, body = call(self.daemon, "POST", "/v1/clock/advance", {"seconds": seconds})
        self.assertEqual(status, 200, body)

    def now(self):
        status, clock = call(self.daemon, "GET", "/v1/clock")
        self.assertEqual(status, 200)
        return datetime.datetime.fromtimestamp(clock["now"] / 1000, tz=datetime.timezone.utc)

    def at_in(self, seconds):
        when = self.now() + datetime.timedelta(seconds=seconds)
        return "at(" + when.strftime("%Y-%m-%dT%H:%M:%S") + ")"

    def queue(self, name):
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return url, arn

    def receive(self, url):
        return self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                        MessageAttributeNames=["All"]).get("Messages", [])

    def create(self, name, expression, target_arn, **extra):
        return self.scheduler.create_schedule(
            Name=name, ScheduleExpression=expression, FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": target_arn, "RoleArn": ROLE, "Input": json.dumps({"name": name})},
            **extra)


class CrudTest(SchedulerTestBase):
    def test_the_default_group_exists_and_cannot_be_deleted(self):
        group = self.scheduler.get_schedule_group(Name="default")
        self.assertEqual(group["Arn"],
                         f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule-group/default")
        self.assertEqual(group["State"], "ACTIVE")
        with self.assertRaises(self.scheduler.exceptions.ValidationException):
            self.scheduler.delete_schedule_group(Name="default")

    def test_schedule_lifecycle(self):
        _, arn = self.queue("crud-target")
        created = self.create("crud", "cron(0 9 * * ? *)", arn,
                              ScheduleExpressionTimezone="Europe/Berlin",
                              Description="nine o'clock")
        self.assertEqual(created["ScheduleArn"],
                         f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/crud")
        got = self.scheduler.get_schedule(Name="crud")
        self.assertEqual(got["ScheduleExpression"], "cron(0 9 * * ? *)")
        self.assertEqual(got["ScheduleExpressionTimezone"], "Europe/Berlin")
        self.assertEqual(got["GroupName"], "default")
        self.assertEqual(got["State"], "ENABLED")
        self.assertEqual(got["Description"], "nine o'clock")
        self.assertEqual(got["Target"]["RetryPolicy"],
                         {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185})
        self.assertIsInstance(got["CreationDate"], datetime.datetime)

        self.scheduler.update_schedule(
            Name="crud", ScheduleExpression="rate(1 hour)", State="DISABLED",
            FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10},
            Target={"Arn": arn, "RoleArn": ROLE, "RetryPolicy": {"MaximumRetryAttempts": 3}})
        got = self.scheduler.get_schedule(Name="crud")
        self.assertEqual(got["State"], "DISABLED")
        self.assertEqual(got["FlexibleTimeWindow"],
                         {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10})
        self.assertEqual(got["Target"]["RetryPolicy"]["MaximumRetryAttempts"], 3)

        names = [s["Name"] for s in self.scheduler.list_schedules(NamePrefix="cr")["Schedules"]]
        self.assertEqual(names, ["crud"])
        self.scheduler.delete_schedule(Name="crud")
        with self.assertRaises(self.scheduler.exceptions.ResourceNotFoundException):
            self.scheduler.get_schedule(Name="crud")

    def test_groups_tags_and_deleting_a_group_deletes_its_schedules(self):
        _, arn = self.queue("group-target")
        group_arn = self.scheduler.create_schedule_group(
            Name="team", Tags=[{"Key": "owner", "Value": "me"}])["ScheduleGroupArn"]
        self.create("in-team", "rate(1 day)", arn, GroupName="team")
        self.scheduler.tag_resource(ResourceArn=group_arn,
                                    Tags=[{"Key": "env", "Value": "dev"}])
        self.scheduler.untag_resource(ResourceArn=group_arn, TagKeys=["owner"])
        tags = self.scheduler.list_tags_for_resource(ResourceArn=group_arn)["Tags"]
        self.assertEqual(tags, [{"Key": "env", "Value": "dev"}])
        groups = [g["Name"] for g in self.scheduler.list_schedule_groups()["ScheduleGroups"]]
        self.assertIn("team", groups)
        listed = self.scheduler.list_schedules(GroupName="team")["Schedules"]
        self.assertEqual([s["Name"] for s in listed], ["in-team"])

        self.scheduler.delete_schedule_group(Name="team")
        with self.assertRaises(self.scheduler.exceptions.ResourceNotFoundException):
            self.scheduler.get_schedule(Name="in-team", GroupName="team")
        with self.assertRaises(self.scheduler.exceptions.ResourceNotFoundException):
            self.scheduler.get_schedule_group(Name="team")

    def test_errors_are_the_models_exceptions(self):
        _, arn = self.queue("errors-target")
        with self.assertRaises(self.scheduler.exceptions.ValidationException) as ctx:
            self.create("bad-expression", "every five minutes", arn)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        with self.assertRaises(self.scheduler.exceptions.ValidationException):
            self.create("bad-zone", "cron(0 9 * * ? *)", arn,
                        ScheduleExpressionTimezone="Mars/Olympus")
        with self.assertRaises(self.scheduler.exceptions.ResourceNotFoundException) as ctx:
            self.create("no-group", "rate(1 day)", arn, GroupName="missing")
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.create("twice", "rate(1 day)", arn)
        with self.assertRaises(self.scheduler.exceptions.ConflictException) as ctx:
            self.create("twice", "rate(1 day)", arn)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 409)
        # The same ClientToken is the same request: it succeeds again.
        self.create("token", "rate(1 day)", arn, ClientToken="abc-123")
        self.create("token", "rate(1 day)", arn, ClientToken="abc-123")


class FiringTest(SchedulerTestBase):
    def test_a_one_time_schedule_fires_into_sqs_when_the_clock_moves(self):
        url, arn = self.queue("fire-target")
        self.create("fire-once", self.at_in(120), arn)
        self.advance(60)
        self.assertEqual(self.receive(url), [])
        self.advance(60)
        messages = self.receive(url)
        self.assertEqual([json.loads(m["Body"]) for m in messages], [{"name": "fire-once"}])
        # Without ActionAfterCompletion it stays.
        self.scheduler.get_schedule(Name="fire-once")

    def test_delete_after_completion(self):
        url, arn = self.queue("delete-target")
        self.create("delete-me", self.at_in(60), arn, ActionAfterCompletion="DELETE")
        self.advance(60)
        self.assertEqual(len(self.receive(url)), 1)
        with self.assertRaises(self.scheduler.exceptions.ResourceNotFoundException):
            self.scheduler.get_schedule(Name="delete-me")

    def test_a_missing_target_goes_to_the_dead_letter_queue(self):
        dlq_url, dlq_arn = self.queue("scheduler-dlq")
        missing = f"arn:aws:sqs:{REGION}:{ACCOUNT}:no-such-queue"
        self.scheduler.create_schedule(
            Name="lost", ScheduleExpression=self.at_in(60), FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": missing, "RoleArn": ROLE, "Input": "payload",
                    "RetryPolicy": {"MaximumRetryAttempts": 0},
                    "DeadLetterConfig": {"Arn": dlq_arn}})
        self.advance(60)
        dead = self.receive(dlq_url)
        self.assertEqual(len(dead), 1)
        # The dead-letter event as configuring-schedule-dlq.html shows it: the request made to
        # the target's API, and why it failed.
        body = json.loads(dead[0]["Body"])
        self.assertEqual(body["MessageBody"], "payload")
        self.assertTrue(body["QueueUrl"].endswith(f"/{ACCOUNT}/no-such-queue"), body)
        attributes = {k: v["StringValue"] for k, v in dead[0]["MessageAttributes"].items()}
        self.assertEqual(sorted(attributes), [
            "ERROR_CODE", "ERROR_MESSAGE", "EXECUTION_ID", "EXHAUSTED_RETRY_CONDITION",
            "IS_PAYLOAD_TRUNCATED", "RETRY_ATTEMPTS", "SCHEDULED_TIME", "SCHEDULE_ARN",
            "TARGET_ARN"])
        self.assertEqual(attributes["ERROR_CODE"], "AWS.SimpleQueueService.NonExistentQueue")
        self.assertEqual(attributes["TARGET_ARN"], "arn:aws:scheduler:::aws-sdk:sqs:sendMessage")
        self.assertEqual(attributes["SCHEDULE_ARN"],
                         f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/lost")
        self.assertEqual(attributes["RETRY_ATTEMPTS"], "0")
        self.assertEqual(attributes["EXHAUSTED_RETRY_CONDITION"], "MaximumRetryAttempts")
        self.assertEqual(attributes["IS_PAYLOAD_TRUNCATED"], "false")
        self.assertRegex(attributes["SCHEDULED_TIME"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertRegex(attributes["EXECUTION_ID"], r"^[0-9a-f]{16}$")

    def test_a_retried_invocation_reaches_a_queue_created_after_the_first_failure(self):
        dlq_url, dlq_arn = self.queue("retry-dlq")
        late = f"arn:aws:sqs:{REGION}:{ACCOUNT}:created-late"
        self.scheduler.create_schedule(
            Name="retried", ScheduleExpression=self.at_in(60), FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": late, "RoleArn": ROLE, "Input": json.dumps({"name": "retried"}),
                    "DeadLetterConfig": {"Arn": dlq_arn}})
        self.advance(60)  # the first attempt finds no queue
        self.assertEqual(self.receive(dlq_url), [])
        url, _ = self.queue("created-late")
        self.assertEqual(self.receive(url), [])
        self.advance(2)  # the first retry comes within a second
        messages = self.receive(url)
        self.assertEqual([json.loads(m["Body"]) for m in messages], [{"name": "retried"}])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
        self.advance(3600)  # delivered once: no other retry
        self.assertEqual(self.receive(url), [])
        self.assertEqual(self.receive(dlq_url), [])


class RestartTest(unittest.TestCase):
    def test_schedules_survive_a_restart(self):
        with tempfile.TemporaryDirectory() as data_dir:
            with Daemon("--clock", "manual", data_dir=data_dir) as daemon:
                scheduler = boto3_client("scheduler", daemon.endpoint)
                scheduler.create_schedule_group(Name="kept")
                scheduler.create_schedule(
                    Name="survivor", GroupName="kept", ScheduleExpression="rate(1 day)",
                    FlexibleTimeWindow={"Mode": "OFF"},
                    Target={"Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q", "RoleArn": ROLE})
            with Daemon("--clock", "manual", data_dir=data_dir) as daemon:
                scheduler = boto3_client("scheduler", daemon.endpoint)
                got = scheduler.get_schedule(Name="survivor", GroupName="kept")
                self.assertEqual(got["ScheduleExpression"], "rate(1 day)")


@unittest.skipUnless(AWS, "the AWS CLI is not installed")
class CliTest(SchedulerTestBase):
    def test_create_schedule_with_the_cli(self):
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_DEFAULT_REGION=REGION)
        out = subprocess.run(
            [AWS, "--endpoint-url", self.daemon.endpoint, "scheduler", "create-schedule",
             "--name", "from-cli", "--schedule-expression", "rate(5 minutes)",
             "--flexible-time-window", '{"Mode": "OFF"}',
             "--target", json.dumps({"Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q",
                                     "RoleArn": ROLE})],
            capture_output=True, text=True, env=env, timeout=60, check=True)
        self.assertIn("schedule/default/from-cli", json.loads(out.stdout)["ScheduleArn"])


if __name__ == "__main__":
    unittest.main()
