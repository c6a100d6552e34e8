"""SQS driven by the real AWS CLI (v1 or v2) against the built daemon.

Each call runs `aws sqs ... --endpoint-url ... --output json` in a subprocess with dummy
credentials and no shared config, and the assertions are on the parsed JSON the CLI prints.
"""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import Daemon, md5_of_message_attributes

AWS = shutil.which("aws")
ACCOUNT = "000000000000"
CLI_TIMEOUT = 60




@unittest.skipIf(AWS is None, "the aws CLI is not installed")
class AwsCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.home = tempfile.TemporaryDirectory(prefix="eb-cli-")
        cls.env = dict(os.environ)
        for key in list(cls.env):
            if key.startswith("AWS_"):
                del cls.env[key]
        cls.env.update({
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
            # No user config or credentials file may change what the CLI does.
            "AWS_CONFIG_FILE": os.path.join(cls.home.name, "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(cls.home.name, "credentials"),
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_RETRY_MODE": "standard",
            "AWS_PAGER": "",
            "HOME": cls.home.name,
        })
        cls.daemon = Daemon()
        cls.daemon.__enter__()
        cls.endpoint = cls.daemon.endpoint
        cls.host = cls.endpoint.split("//", 1)[1]

    @classmethod
    def tearDownClass(cls):
        try:
            cls.daemon.__exit__(None, None, None)
        finally:
            cls.home.cleanup()

    def run_cli(self, *args):
        """Runs `aws sqs ARGS`; returns CompletedProcess (text)."""
        command = [AWS, "sqs", *args, "--endpoint-url", self.endpoint,
                   "--region", "us-east-1", "--output", "json"]
        return subprocess.run(command, capture_output=True, text=True, env=self.env,
                              timeout=CLI_TIMEOUT)

    def cli(self, *args):
        """Runs `aws sqs ARGS`, asserts success; returns the parsed JSON output (or None when
        the command prints nothing, as delete-message does)."""
        result = self.run_cli(*args)
        self.assertEqual(result.returncode, 0,
                         "aws sqs %s failed (%d)\nstdout: %s\nstderr: %s\ndaemon log:\n%s"
                         % (" ".join(args), result.returncode, result.stdout, result.stderr,
                            self.daemon.log[-4000:]))
        out = result.stdout.strip()
        return json.loads(out) if out else None

    def url(self, name):
        return "http://%s/%s/%s" % (self.host, ACCOUNT, name)

    def test_queue_lifecycle(self):
        created = self.cli("create-queue", "--queue-name", "cli-life",
                           "--attributes", "VisibilityTimeout=45,DelaySeconds=0,"
                           "MessageRetentionPeriod=3600")
        url = created["QueueUrl"]
        self.assertEqual(url, self.url("cli-life"))
        # Creating again with the same attributes is idempotent.
        self.assertEqual(self.cli("create-queue", "--queue-name", "cli-life",
                                  "--attributes", "VisibilityTimeout=45")["QueueUrl"], url)
        self.assertEqual(self.cli("get-queue-url", "--queue-name", "cli-life"),
                         {"QueueUrl": url})

        self.cli("create-queue", "--queue-name", "cli-other")
        listed = self.cli("list-queues")
        self.assertIn(url, listed["QueueUrls"])
        self.assertIn(self.url("cli-other"), listed["QueueUrls"])
        prefixed = self.cli("list-queues", "--queue-name-prefix", "cli-li")
        self.assertEqual(prefixed["QueueUrls"], [url])

        attrs = self.cli("get-queue-attributes", "--queue-url", url,
                         "--attribute-names", "All")["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "45")
        self.assertEqual(attrs["DelaySeconds"], "0")
        self.assertEqual(attrs["MessageRetentionPeriod"], "3600")
        self.assertEqual(attrs["QueueArn"], "arn:aws:sqs:us-east-1:%s:cli-life" % ACCOUNT)
        for key in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp",
                    "LastModifiedTimestamp", "MaximumMessageSize",
                    "ReceiveMessageWaitTimeSeconds"):
            self.assertIn(key, attrs)

        self.assertIsNone(self.cli("set-queue-attributes", "--queue-url", url, "--attributes",
                                   "VisibilityTimeout=60,ReceiveMessageWaitTimeSeconds=1"))
        attrs = self.cli("get-queue-attributes", "--queue-url", url, "--attribute-names",
                         "VisibilityTimeout", "ReceiveMessageWaitTimeSeconds")["Attributes"]
        self.assertEqual(attrs, {"VisibilityTimeout": "60", "ReceiveMessageWaitTimeSeconds": "1"})

        self.assertIsNone(self.cli("delete-queue", "--queue-url", url))
        listed = self.cli("list-queues")
        self.assertNotIn(url, (listed or {}).get("QueueUrls", []))
        self.cli("delete-queue", "--queue-url", self.url("cli-other"))

    def test_send_receive_delete(self):
        url = self.cli("create-queue", "--queue-name", "cli-msgs")["QueueUrl"]
        body = 'order <42> & "friends" \u00e9\u2713'
        attributes = {
            "trace": {"DataType": "String", "StringValue": "abc-123"},
            "count": {"DataType": "Number", "StringValue": "7"},
            "kind": {"DataType": "String.custom", "StringValue": "\u00fcber"},
        }
        sent = self.cli("send-message", "--queue-url", url, "--message-body", body,
                        "--message-attributes", json.dumps(attributes))
        self.assertEqual(sent["MD5OfMessageBody"], hashlib.md5(body.encode()).hexdigest())
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_message_attributes(attributes))
        self.assertTrue(sent["MessageId"])

        received = self.cli("receive-message", "--queue-url", url,
                            "--attribute-names", "All", "--message-attribute-names", "All",
                            "--max-number-of-messages", "10", "--wait-time-seconds", "1")
        self.assertEqual(len(received["Messages"]), 1)
        message = received["Messages"][0]
        self.assertEqual(message["MessageId"], sent["MessageId"])
        self.assertEqual(message["Body"], body)
        self.assertEqual(message["MD5OfBody"], sent["MD5OfMessageBody"])
        self.assertEqual(message["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        self.assertEqual(message["MessageAttributes"], attributes)
        system = message["Attributes"]
        self.assertEqual(system["ApproximateReceiveCount"], "1")
        for key in ("SenderId", "SentTimestamp", "ApproximateFirstReceiveTimestamp"):
            self.assertIn(key, system)
        self.assertTrue(system["SentTimestamp"].isdigit())

        # In flight: nothing more to receive.
        again = self.cli("receive-message", "--queue-url", url)
        self.assertFalse((again or {}).get("Messages"))

        self.assertIsNone(self.cli("delete-message", "--queue-url", url,
                                   "--receipt-handle", message["ReceiptHandle"]))
        attrs = self.cli("get-queue-attributes", "--queue-url", url, "--attribute-names",
                         "ApproximateNumberOfMessages",
                         "ApproximateNumberOfMessagesNotVisible")["Attributes"]
        self.assertEqual(attrs, {"ApproximateNumberOfMessages": "0",
                                 "ApproximateNumberOfMessagesNotVisible": "0"})
        self.cli("delete-queue", "--queue-url", url)

    def test_purge_queue(self):
        url = self.cli("create-queue", "--queue-name", "cli-purge")["QueueUrl"]
        for i in range(3):
            self.cli("send-message", "--queue-url", url, "--message-body", "m%d" % i)
        attrs = self.cli("get-queue-attributes", "--queue-url", url,
                         "--attribute-names", "ApproximateNumberOfMessages")["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "3")
        self.assertIsNone(self.cli("purge-queue", "--queue-url", url))
        attrs = self.cli("get-queue-attributes", "--queue-url", url,
                         "--attribute-names", "ApproximateNumberOfMessages")["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        received = self.cli("receive-message", "--queue-url", url)
        self.assertFalse((received or {}).get("Messages"))
        self.cli("delete-queue", "--queue-url", url)

    def test_missing_queue_is_an_error(self):
        result = self.run_cli("receive-message", "--queue-url", self.url("cli-missing"))
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertTrue("QueueDoesNotExist" in result.stderr
                        or "NonExistentQueue" in result.stderr, result.stderr)
        result = self.run_cli("get-queue-url", "--queue-name", "cli-missing")
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertTrue("QueueDoesNotExist" in result.stderr
                        or "NonExistentQueue" in result.stderr, result.stderr)


if __name__ == "__main__":
    unittest.main()
