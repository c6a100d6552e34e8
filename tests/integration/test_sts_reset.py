"""STS (boto3 and the AWS CLI), --account-id, and POST /v1/reset and /moto-api/reset against
the built daemon: in memory and durable (a reset survives a restart)."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from harness import Daemon, boto3_client, call_json

AWS = shutil.which("aws")
ACCOUNT = "123456789012"


def client(service, endpoint, key="test", secret="test", token=None, validate=True):
    """`validate=False` sends what botocore would refuse, to see the daemon's own checks."""
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        aws_session_token=token,
                        config=Config(retries={"max_attempts": 1}, connect_timeout=5,
                                      read_timeout=30, parameter_validation=validate))


def populate(endpoint):
    """One of each resource a reset drops; returns (queue url, topic arn, bus arn)."""
    sqs = boto3_client("sqs", endpoint)
    sns = boto3_client("sns", endpoint)
    events = boto3_client("events", endpoint)
    scheduler = boto3_client("scheduler", endpoint)
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    topic = sns.create_topic(Name="orders-topic")["TopicArn"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    bus = events.create_event_bus(Name="orders-bus")["EventBusArn"]
    events.create_archive(ArchiveName="orders-archive", EventSourceArn=bus)
    events.put_rule(Name="every-minute", ScheduleExpression="rate(1 minute)")
    events.put_targets(Rule="every-minute", Targets=[{"Id": "q", "Arn": queue_arn}])
    scheduler.create_schedule_group(Name="orders-group")
    scheduler.create_schedule(
        Name="tick", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": queue_arn, "RoleArn": "arn:aws:iam::%s:role/r" % ACCOUNT})
    return url, topic, bus


class StsAccountTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon("--account-id", ACCOUNT)
        cls.daemon.__enter__()
        cls.sts = boto3_client("sts", cls.daemon.endpoint)
        cls.raw_sts = client("sts", cls.daemon.endpoint, validate=False)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    def test_caller_identity_is_the_accounts_root(self):
        who = self.sts.get_caller_identity()
        self.assertEqual(who["Account"], ACCOUNT)
        self.assertEqual(who["Arn"], "arn:aws:iam::%s:root" % ACCOUNT)
        self.assertEqual(who["UserId"], ACCOUNT)

    def test_account_in_queue_url_topic_and_bus_arns(self):
        sqs = boto3_client("sqs", self.daemon.endpoint)
        url = sqs.create_queue(QueueName="acct")["QueueUrl"]
        self.assertEqual(url, "%s/%s/acct" % (self.daemon.endpoint, ACCOUNT))
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        self.assertEqual(arn, "arn:aws:sqs:us-east-1:%s:acct" % ACCOUNT)
        topic = boto3_client("sns", self.daemon.endpoint).create_topic(Name="acct")["TopicArn"]
        self.assertEqual(topic, "arn:aws:sns:us-east-1:%s:acct" % ACCOUNT)
        bus = boto3_client("events", self.daemon.endpoint).describe_event_bus()["Arn"]
        self.assertEqual(bus, "arn:aws:events:us-east-1:%s:event-bus/default" % ACCOUNT)

    def test_assume_role_and_then_call_as_the_role(self):
        out = self.sts.assume_role(RoleArn="arn:aws:iam::%s:role/app/deployer" % ACCOUNT,
                                   RoleSessionName="ci-run.1", DurationSeconds=900)
        creds = out["Credentials"]
        self.assertTrue(creds["AccessKeyId"].startswith("ASIA"))
        self.assertEqual(len(creds["AccessKeyId"]), 20)
        self.assertEqual(len(creds["SecretAccessKey"]), 40)
        self.assertTrue(creds["SessionToken"])
        left = creds["Expiration"].timestamp() - time.time()
        self.assertTrue(800 < left <= 901, left)
        user = out["AssumedRoleUser"]
        self.assertEqual(user["Arn"], "arn:aws:sts::%s:assumed-role/deployer/ci-run.1" % ACCOUNT)
        self.assertRegex(user["AssumedRoleId"], r"^AROA[A-Z0-9]{17}:ci-run\.1$")
        as_role = client("sts", self.daemon.endpoint, creds["AccessKeyId"],
                         creds["SecretAccessKey"], creds["SessionToken"])
        who = as_role.get_caller_identity()
        self.assertEqual(who["Arn"], user["Arn"])
        self.assertEqual(who["UserId"], user["AssumedRoleId"])
        # The same role has the same id in every session.
        again = self.sts.assume_role(RoleArn="arn:aws:iam::%s:role/app/deployer" % ACCOUNT,
                                     RoleSessionName="other")
        self.assertEqual(again["AssumedRoleUser"]["AssumedRoleId"].split(":")[0],
                         user["AssumedRoleId"].split(":")[0])
        left = again["Credentials"]["Expiration"].timestamp() - time.time()
        self.assertTrue(3500 < left <= 3601, left)  # the default hour

    def assert_validation_error(self, call, *fragments):
        with self.assertRaises(ClientError) as caught:
            call()
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], "ValidationError")
        self.assertEqual(error["Type"], "Sender")
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        for fragment in fragments:
            self.assertIn(fragment, error["Message"])

    def test_assume_role_validation(self):
        role = "arn:aws:iam::%s:role/r" % ACCOUNT
        self.assert_validation_error(
            lambda: self.sts.assume_role(RoleArn=role, RoleSessionName="has space"),
            "1 validation error detected", "'roleSessionName'", "[\\w+=,.@-]*")
        self.assert_validation_error(
            lambda: self.raw_sts.assume_role(RoleArn=role, RoleSessionName="s",
                                         DurationSeconds=43201),
            "2 validation errors detected", "greater than or equal to 2",
            "less than or equal to 43200")
        self.assert_validation_error(
            lambda: self.sts.assume_role(RoleArn="arn:aws:iam::1:user/not-a-role",
                                         RoleSessionName="ok"), "is invalid")

    def test_session_token_and_access_key_info(self):
        out = self.sts.get_session_token(DurationSeconds=129600)["Credentials"]
        self.assertTrue(out["AccessKeyId"].startswith("ASIA"))
        left = out["Expiration"].timestamp() - time.time()
        self.assertTrue(129500 < left <= 129601, left)
        self.assert_validation_error(
            lambda: self.raw_sts.get_session_token(DurationSeconds=129601),
            "less than or equal to 129600")
        info = self.sts.get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE")
        self.assertEqual(info["Account"], ACCOUNT)
        self.assert_validation_error(
            lambda: self.sts.get_access_key_info(AccessKeyId="AKIA-BAD-KEY-ID!"), "[\\w]*")

    def test_raw_xml_shape(self):
        import urllib.request
        request = urllib.request.Request(
            self.daemon.endpoint + "/", data=b"Action=GetCallerIdentity&Version=2011-06-15",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read().decode()
        self.assertTrue(body.startswith(
            '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            "<GetCallerIdentityResult>"), body)
        self.assertIn("<ResponseMetadata><RequestId>", body)

    @unittest.skipIf(AWS is None, "the aws CLI is not installed")
    def test_aws_cli(self):
        home = tempfile.mkdtemp(prefix="eb-sts-cli-")
        try:
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "", "HOME": home,
                        "AWS_CONFIG_FILE": os.path.join(home, "config"),
                        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials")})

            def cli(*args):
                return subprocess.run([AWS, "sts", *args, "--endpoint-url", self.daemon.endpoint,
                                       "--output", "json"], capture_output=True, text=True,
                                      env=env, timeout=60)

            done = cli("get-caller-identity")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(json.loads(done.stdout)["Account"], ACCOUNT)
            done = cli("assume-role", "--role-arn", "arn:aws:iam::%s:role/cli" % ACCOUNT,
                       "--role-session-name", "cli")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(json.loads(done.stdout)["AssumedRoleUser"]["Arn"],
                             "arn:aws:sts::%s:assumed-role/cli/cli" % ACCOUNT)
            done = cli("assume-role", "--role-arn", "arn:aws:iam::%s:role/cli" % ACCOUNT,
                       "--role-session-name", "bad name")
            self.assertNotEqual(done.returncode, 0)
            self.assertIn("ValidationError", done.stderr)
        finally:
            shutil.rmtree(home, ignore_errors=True)

    def test_bad_account_id_is_refused(self):
        from harness import run_binary
        done = run_binary("--account-id", "12345", "--in-memory")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("12 digits", done.stdout + done.stderr)


class ResetTest(unittest.TestCase):
    def assert_empty(self, endpoint):
        sqs = boto3_client("sqs", endpoint)
        self.assertEqual(sqs.list_queues().get("QueueUrls", []), [])
        sns = boto3_client("sns", endpoint)
        self.assertEqual(sns.list_topics()["Topics"], [])
        self.assertEqual(sns.list_subscriptions()["Subscriptions"], [])
        events = boto3_client("events", endpoint)
        self.assertEqual([b["Name"] for b in events.list_event_buses()["EventBuses"]],
                         ["default"])
        self.assertEqual(events.list_rules()["Rules"], [])
        self.assertEqual(events.list_archives()["Archives"], [])
        scheduler = boto3_client("scheduler", endpoint)
        self.assertEqual(scheduler.list_schedules()["Schedules"], [])
        self.assertEqual([g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]],
                         ["default"])

    def test_reset_drops_everything_and_names_can_be_reused(self):
        with Daemon("--account-id", ACCOUNT) as daemon:
            populate(daemon.endpoint)
            status, answer, _ = call_json(daemon, "POST", "/v1/reset")
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer["services"]["sqs"], 1)
            self.assertEqual(answer["services"]["sns"], 1)
            self.assertEqual(answer["services"]["events"], 3)  # two buses, one archive
            self.assertEqual(answer["services"]["scheduler"], 1)
            self.assert_empty(daemon.endpoint)
            status, events, _ = call_json(daemon, "GET", "/v1/events")
            self.assertEqual(status, 200)
            self.assertEqual(events["events"], [])
            # The same names again, then moto's route.
            populate(daemon.endpoint)
            started = time.monotonic()
            status, answer, response = call_json(daemon, "POST", "/moto-api/reset")
            self.assertLess(time.monotonic() - started, 1.0)
            self.assertEqual((status, answer), (200, {"status": "ok"}))
            self.assert_empty(daemon.endpoint)
            populate(daemon.endpoint)

    def test_one_service_and_bad_requests(self):
        with Daemon() as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            sns = boto3_client("sns", daemon.endpoint)
            sqs.create_queue(QueueName="kept-out")
            sns.create_topic(Name="stays")
            status, answer, _ = call_json(daemon, "POST", "/v1/reset?service=sqs")
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer["services"], {"sqs": 1})
            self.assertEqual(sqs.list_queues().get("QueueUrls", []), [])
            self.assertEqual(len(sns.list_topics()["Topics"]), 1)
            status, answer, _ = call_json(daemon, "POST", "/v1/reset?service=nope")
            self.assertEqual(status, 400)
            self.assertEqual(answer["error"]["code"], "InvalidParameterValue")
            status, _, _ = call_json(daemon, "GET", "/v1/reset")
            self.assertEqual(status, 405)
            status, _, _ = call_json(daemon, "GET", "/moto-api/reset")
            self.assertEqual(status, 400)

    def test_parked_receive_is_answered_by_a_reset(self):
        with Daemon() as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            url = sqs.create_queue(QueueName="waiting")["QueueUrl"]
            import threading
            result = {}
            waiter = threading.Thread(target=lambda: result.update(
                sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)))
            started = time.monotonic()
            waiter.start()
            time.sleep(0.3)
            self.assertEqual(call_json(daemon, "POST", "/v1/reset")[0], 200)
            waiter.join(15)
            self.assertLess(time.monotonic() - started, 5)
            self.assertEqual(result.get("Messages", []), [])

    def test_reset_is_durable(self):
        data_dir = tempfile.mkdtemp(prefix="eb-reset-")
        try:
            with Daemon("--account-id", ACCOUNT, data_dir=data_dir) as daemon:
                populate(daemon.endpoint)
                self.assertEqual(call_json(daemon, "POST", "/moto-api/reset")[0], 200)
            with Daemon("--account-id", ACCOUNT, data_dir=data_dir) as daemon:
                self.assert_empty(daemon.endpoint)
                url, topic, bus = populate(daemon.endpoint)
                self.assertIn("/%s/orders" % ACCOUNT, url)
                self.assertIn(":%s:" % ACCOUNT, topic)
                self.assertIn(":%s:" % ACCOUNT, bus)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)

    def test_full_reset_reapplies_the_config_topology(self):
        directory = tempfile.mkdtemp(prefix="eb-reset-config-")
        try:
            config = os.path.join(directory, "eventbrokerd.yaml")
            with open(config, "w") as f:
                f.write("account_id: \"%s\"\nqueues:\n  - name: declared\n" % ACCOUNT)
            with Daemon("--config", config) as daemon:
                sqs = boto3_client("sqs", daemon.endpoint)
                sqs.create_queue(QueueName="extra")
                self.assertEqual(call_json(daemon, "POST", "/v1/reset")[0], 200)
                self.assertEqual(sqs.list_queues()["QueueUrls"],
                                 ["%s/%s/declared" % (daemon.endpoint, ACCOUNT)])
        finally:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
