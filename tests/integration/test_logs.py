"""--log-format json: every line the daemon writes is one JSON object; at debug level each API
request gets a line naming its service, action and resource; a message moved to a dead-letter
queue is logged with its messageId and correlationId."""
import json
import unittest

from harness import Daemon, boto3_client, eventually, run_binary


class JsonLogs(unittest.TestCase):
    def test_lines_are_json_with_requests_and_dead_letters(self):
        with Daemon("--log-format", "json", log_level="debug") as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            dlq_url = sqs.create_queue(QueueName="logs-dlq")["QueueUrl"]
            dlq_arn = sqs.get_queue_attributes(
                QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            url = sqs.create_queue(
                QueueName="logs-orders",
                Attributes={"RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})})["QueueUrl"]
            body = json.dumps({"id": "evt-1", "type": "OrderPlaced", "version": 1,
                               "correlationId": "corr-\"42\"\n", "data": {"orderId": "o1"}})
            message_id = sqs.send_message(QueueUrl=url, MessageBody=body)["MessageId"]
            first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
            self.assertEqual(len(first["Messages"]), 1)
            # The second receive exceeds maxReceiveCount: the message moves to the DLQ.
            second = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
            self.assertEqual(second.get("Messages", []), [])
            eventually(lambda: sqs.receive_message(QueueUrl=dlq_url).get("Messages"))

            def dead_letter_line():
                return [r for r in self._records(daemon)
                        if r["msg"] == "message moved to dead-letter queue"]
            eventually(dead_letter_line)
            records = self._records(daemon)

        for record in records:
            self.assertRegex(record["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIn(record["level"], {"trace", "debug", "info", "warn", "error", "critical"})
        sends = [r for r in records if r["msg"] == "request" and r.get("action") == "SendMessage"]
        self.assertEqual(len(sends), 1, sends)
        self.assertEqual(sends[0]["level"], "debug")
        self.assertEqual(sends[0]["service"], "sqs")
        self.assertEqual(sends[0]["resource"], "logs-orders")
        self.assertEqual(sends[0]["status"], 200)
        self.assertIsInstance(sends[0]["durationMs"], (int, float))
        moved = [r for r in records if r["msg"] == "message moved to dead-letter queue"]
        self.assertEqual(len(moved), 1, moved)
        self.assertEqual(moved[0]["messageId"], message_id)
        self.assertEqual(moved[0]["correlationId"], "corr-\"42\"\n")
        self.assertEqual(moved[0]["queue"], "logs-dlq")
        self.assertEqual(moved[0]["sourceQueue"], "logs-orders")

    def _records(self, daemon):
        lines = [line for line in daemon.log.splitlines() if line.strip()]
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except ValueError:
                self.fail("not a JSON line: %r" % line)
        return records

    def test_text_is_the_default(self):
        with Daemon(log_level="debug") as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            sqs.create_queue(QueueName="logs-text")
            eventually(lambda: "action=CreateQueue" in daemon.log)
            line = next(l for l in daemon.log.splitlines() if "action=CreateQueue" in l)
        self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} debug request ")
        self.assertIn(" service=sqs ", line)
        self.assertIn(" resource=logs-text ", line)
        self.assertIn(" status=200 ", line)

    def test_bad_log_format_refuses_to_start(self):
        result = run_binary("--in-memory", "--listen", "127.0.0.1:0", "--log-format", "xml")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--log-format", result.stderr)
        self.assertIn("xml", result.stderr)
        self.assertNotIn("listening", result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
