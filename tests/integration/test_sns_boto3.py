"""SNS driven by boto3 (query protocol) and the AWS CLI against the built daemon: topics,
subscriptions, fan-out into SQS with filter policies and raw delivery, HTTP endpoints with
confirmation, signatures and retries into a dead-letter queue, and restart."""
import base64
import hashlib
import http.server
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import unittest
import urllib.request

from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from harness import Daemon, boto3_client

ACCOUNT = "000000000000"
AWS = shutil.which("aws")


def signed_text(doc):
    """The text an SNS signature covers, built from the documented field lists."""
    if doc["Type"] == "Notification":
        names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(f"{n}\n{doc[n]}\n" for n in names if n in doc).encode()


def verify_signature(doc):
    pem = urllib.request.urlopen(doc["SigningCertURL"], timeout=5).read()
    cert = x509.load_pem_x509_certificate(pem)
    digest = hashes.SHA256() if doc["SignatureVersion"] == "2" else hashes.SHA1()
    cert.public_key().verify(base64.b64decode(doc["Signature"]), signed_text(doc),
                             padding.PKCS1v15(), digest)


class Endpoint:
    """A local HTTP endpoint that records what SNS posts and answers with `status`."""

    def __init__(self, status=200):
        self.status = status
        self.received = queue.Queue()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                outer.received.put((dict(self.headers), body))
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self, timeout=10):
        return self.received.get(timeout=timeout)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def confirmed_http_subscription(sns, topic, endpoint, num_retries):
    """Subscribes `endpoint` to `topic`, confirms with the token it is sent, and gives the
    subscription `num_retries` retries one second apart; returns the subscription ARN."""
    sub = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url,
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    _, body = endpoint.next()
    sns.confirm_subscription(TopicArn=topic, Token=json.loads(body)["Token"])
    sns.set_subscription_attributes(
        SubscriptionArn=sub, AttributeName="DeliveryPolicy",
        AttributeValue=json.dumps({"healthyRetryPolicy": {
            "numRetries": num_retries, "minDelayTarget": 1, "maxDelayTarget": 1,
            "numNoDelayRetries": 0, "numMinDelayRetries": 0, "numMaxDelayRetries": 0,
            "backoffFunction": "linear"}}))
    return sub


class Boto3SnsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        cls.daemon.__enter__()
        cls.sns = boto3_client("sns", cls.daemon.endpoint)
        cls.sqs = boto3_client("sqs", cls.daemon.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    def error(self, fn, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            fn(**kwargs)
        return ctx.exception.response

    def queue(self, name, **attributes):
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return url, arn

    def receive(self, url, count=1, wait=5):
        got = []
        while len(got) < count:
            out = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=wait, MessageAttributeNames=["All"])
            if not out.get("Messages"):
                break
            got += out["Messages"]
        return got

    def test_topic_lifecycle_attributes_and_tags(self):
        arn = self.sns.create_topic(Name="life", Attributes={"DisplayName": "Life"},
                                    Tags=[{"Key": "team", "Value": "orders"}])["TopicArn"]
        self.assertEqual(arn, f"arn:aws:sns:us-east-1:{ACCOUNT}:life")
        self.assertEqual(self.sns.create_topic(Name="life")["TopicArn"], arn)
        attrs = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(attrs["DisplayName"], "Life")
        self.assertEqual(attrs["Owner"], ACCOUNT)
        self.assertIn("Statement", json.loads(attrs["Policy"]))
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName",
                                      AttributeValue="Renamed")
        self.assertEqual(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"],
                         "Renamed")
        self.sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
        self.sns.untag_resource(ResourceArn=arn, TagKeys=["team"])
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "env", "Value": "dev"}])
        self.assertIn(arn, [t["TopicArn"] for t in self.sns.list_topics()["Topics"]])
        self.sns.delete_topic(TopicArn=arn)
        self.sns.delete_topic(TopicArn=arn)  # idempotent
        err = self.error(self.sns.get_topic_attributes, TopicArn=arn)
        self.assertEqual(err["Error"]["Code"], "NotFound")
        self.assertEqual(err["Error"]["Message"], "Topic does not exist")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 404)

    def test_list_topics_pages(self):
        for i in range(105):
            self.sns.create_topic(Name=f"page-{i:03d}")
        arns = []
        for page in self.sns.get_paginator("list_topics").paginate():
            arns += [t["TopicArn"] for t in page["Topics"]]
        self.assertEqual(len([a for a in arns if ":page-" in a]), 105)
        self.assertEqual(len(arns), len(set(arns)))

    def test_errors_have_aws_codes(self):
        err = self.error(self.sns.create_topic, Name="bad name")
        self.assertEqual(err["Error"]["Code"], "InvalidParameter")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        arn = self.sns.create_topic(Name="errors")["TopicArn"]
        err = self.error(self.sns.publish, TopicArn=arn, Message="m",
                         MessageAttributes={"a": {"DataType": "Text", "StringValue": "v"}})
        self.assertEqual(err["Error"]["Code"], "ParameterValueInvalid")
        err = self.error(self.sns.publish, TopicArn=arn, Message="x" * 262145)
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: Message too long")
        err = self.error(self.sns.subscribe, TopicArn=arn, Protocol="sqs", Endpoint="nope")
        self.assertEqual(err["Error"]["Code"], "InvalidParameter")
        err = self.error(self.sns.unsubscribe, SubscriptionArn=arn + ":no-such-subscription")
        self.assertEqual(err["Error"]["Code"], "NotFound")

    def test_fan_out_with_filter_policies_and_envelope(self):
        topic = self.sns.create_topic(Name="portfolio-events")["TopicArn"]
        orders_url, orders_arn = self.queue("order-events-queue")
        inventory_url, inventory_arn = self.queue("inventory-events-queue")
        sub = self.sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=orders_arn, ReturnSubscriptionArn=True,
            Attributes={"FilterPolicy": json.dumps(
                {"eventType": ["order.created", "order.paid", "order.shipped"]})})["SubscriptionArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inventory_arn,
                           Attributes={"FilterPolicy": json.dumps(
                               {"eventType": [{"prefix": "inventory."}]})})
        for event in ("order.created", "inventory.reserved", "payment.failed", "order.paid"):
            out = self.sns.publish(TopicArn=topic, Message=json.dumps({"type": event}),
                                   Subject="event",
                                   MessageAttributes={
                                       "eventType": {"DataType": "String", "StringValue": event},
                                       "correlationId": {"DataType": "String",
                                                         "StringValue": "c-1"}})
            self.assertRegex(out["MessageId"], r"^[0-9a-f-]{36}$")
        orders = self.receive(orders_url, 2)
        self.assertEqual(sorted(json.loads(json.loads(m["Body"])["Message"])["type"]
                                for m in orders), ["order.created", "order.paid"])
        envelope = json.loads(orders[0]["Body"])
        self.assertEqual(envelope["Type"], "Notification")
        self.assertEqual(envelope["TopicArn"], topic)
        self.assertEqual(envelope["Subject"], "event")
        self.assertIn(sub, envelope["UnsubscribeURL"])
        self.assertEqual(envelope["MessageAttributes"]["correlationId"],
                         {"Type": "String", "Value": "c-1"})
        verify_signature(envelope)
        # Signed as it was received, and the digest covers the signed body.
        for m in orders:
            self.assertEqual(m["MD5OfBody"], hashlib.md5(m["Body"].encode()).hexdigest())
        inventory = self.receive(inventory_url, 1)
        self.assertEqual(len(inventory), 1)
        self.assertEqual(self.receive(inventory_url, 1, wait=0), [])

    def test_raw_delivery_and_publish_batch(self):
        topic = self.sns.create_topic(Name="raw")["TopicArn"]
        url, arn = self.queue("raw-queue")
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                           Attributes={"RawMessageDelivery": "true"})
        out = self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "ok", "Message": "body-1", "MessageAttributes": {
                "n": {"DataType": "Number", "StringValue": "42"},
                "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
                "list": {"DataType": "String.Array", "StringValue": '["a", 1]'}}},
            {"Id": "empty", "Message": ""},
            {"Id": "ok2", "Message": "body-2"}])
        self.assertEqual(sorted(s["Id"] for s in out["Successful"]), ["ok", "ok2"])
        self.assertEqual([(f["Id"], f["Code"], f["SenderFault"]) for f in out["Failed"]],
                         [("empty", "InvalidParameter", True)])
        got = {m["Body"]: m for m in self.receive(url, 2)}
        self.assertEqual(set(got), {"body-1", "body-2"})
        attrs = got["body-1"]["MessageAttributes"]
        self.assertEqual(attrs["n"], {"DataType": "Number", "StringValue": "42"})
        self.assertEqual(attrs["b"], {"DataType": "Binary", "BinaryValue": b"\x00\xff"})
        self.assertEqual(attrs["list"]["DataType"], "String.Array")

        err = self.error(self.sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "same", "Message": "a"}, {"Id": "same", "Message": "b"}])
        self.assertEqual(err["Error"]["Code"], "BatchEntryIdsNotDistinct")

    def test_http_endpoint_confirms_and_receives_signed_notifications(self):
        endpoint = Endpoint()
        try:
            topic = self.sns.create_topic(Name="http-topic",
                                          Attributes={"SignatureVersion": "2"})["TopicArn"]
            out = self.sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
            self.assertEqual(out["SubscriptionArn"], "pending confirmation")
            headers, body = endpoint.next()
            self.assertEqual(headers["x-amz-sns-message-type"], "SubscriptionConfirmation")
            confirmation = json.loads(body)
            verify_signature(confirmation)
            # Visiting SubscribeURL confirms, as it does on AWS.
            answer = urllib.request.urlopen(confirmation["SubscribeURL"], timeout=5).read()
            self.assertIn(b"ConfirmSubscriptionResponse", answer)
            subs = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
            self.assertTrue(subs[0]["SubscriptionArn"].startswith(topic + ":"))

            self.sns.publish(TopicArn=topic, Message="hello endpoint")
            headers, body = endpoint.next()
            note = json.loads(body)
            self.assertEqual(headers["x-amz-sns-message-type"], "Notification")
            self.assertEqual(headers["x-amz-sns-subscription-arn"], subs[0]["SubscriptionArn"])
            self.assertEqual(headers["x-amz-sns-topic-arn"], topic)
            self.assertEqual(note["Message"], "hello endpoint")
            self.assertEqual(note["SignatureVersion"], "2")
            verify_signature(note)
        finally:
            endpoint.close()

    def test_failing_endpoint_exhausts_retries_into_dead_letter_queue(self):
        endpoint = Endpoint(status=500)
        try:
            topic = self.sns.create_topic(Name="failing")["TopicArn"]
            dlq_url, dlq_arn = self.queue("failing-dlq")
            sub = confirmed_http_subscription(self.sns, topic, endpoint, num_retries=2)
            self.sns.set_subscription_attributes(
                SubscriptionArn=sub, AttributeName="RedrivePolicy",
                AttributeValue=json.dumps({"deadLetterTargetArn": dlq_arn}))
            self.sns.publish(TopicArn=topic, Message="never lands")
            for _ in range(3):  # the first try and two retries
                endpoint.next()
            dead = self.receive(dlq_url, 1, wait=10)
            self.assertEqual(len(dead), 1)
            self.assertEqual(json.loads(dead[0]["Body"])["Message"], "never lands")
            self.assertIn("ErrorCode", dead[0]["MessageAttributes"])
        finally:
            endpoint.close()

    def test_replay_into_a_topic_fans_out_again(self):
        source = self.sns.create_topic(Name="replay-source")["TopicArn"]
        target = self.sns.create_topic(Name="replay-target")["TopicArn"]
        url, arn = self.queue("replay-copies")
        self.sns.subscribe(TopicArn=target, Protocol="sqs", Endpoint=arn,
                           Attributes={"RawMessageDelivery": "true",
                                       "FilterPolicy": json.dumps({"eventType": ["keep"]})})
        for kind in ("keep", "drop", "keep"):
            self.sns.publish(TopicArn=source, Message=f"event-{kind}",
                             MessageAttributes={"eventType": {"DataType": "String",
                                                              "StringValue": kind}})
        request = urllib.request.Request(
            f"{self.daemon.endpoint}/v1/replays", method="POST",
            data=json.dumps({"target": target, "source": source}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as r:
            self.assertEqual(json.loads(r.read())["total"], 3)
        got = self.receive(url, 2)
        self.assertEqual([m["Body"] for m in got], ["event-keep", "event-keep"])
        self.assertIn("eventbroker.replayId", got[0]["MessageAttributes"])

    def test_outbox_records_other_protocols(self):
        topic = self.sns.create_topic(Name="outbox")["TopicArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")
        self.sns.publish(TopicArn=topic, Message="your code is 1234")
        with urllib.request.urlopen(
                f"{self.daemon.endpoint}/v1/outbox?protocol=sms&endpoint=%2B15555550100",
                timeout=5) as r:
            records = json.loads(r.read())["messages"]
        self.assertEqual([m["body"] for m in records], ["your code is 1234"])


class PublicUrlTest(unittest.TestCase):
    def test_messages_link_to_the_public_url(self):
        endpoint = Endpoint()
        try:
            with Daemon("--public-url", "http://eventbrokerd.internal:4566/") as daemon:
                sns = boto3_client("sns", daemon.endpoint)
                topic = sns.create_topic(Name="public")["TopicArn"]
                sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
                confirmation = json.loads(endpoint.next()[1])
                self.assertTrue(confirmation["SubscribeURL"].startswith(
                    "http://eventbrokerd.internal:4566/?Action=ConfirmSubscription&"))
                self.assertTrue(confirmation["SigningCertURL"].startswith(
                    "http://eventbrokerd.internal:4566/v1/sns/"))
        finally:
            endpoint.close()


class SnsRestartTest(unittest.TestCase):
    def test_topics_subscriptions_and_signing_key_survive_a_restart(self):
        with tempfile.TemporaryDirectory(prefix="eb-sns-") as data:
            with Daemon(data_dir=data) as daemon:
                sns = boto3_client("sns", daemon.endpoint)
                sqs = boto3_client("sqs", daemon.endpoint)
                topic = sns.create_topic(Name="kept")["TopicArn"]
                url = sqs.create_queue(QueueName="kept-q")["QueueUrl"]
                sns.subscribe(TopicArn=topic, Protocol="sqs",
                              Endpoint=f"arn:aws:sqs:us-east-1:{ACCOUNT}:kept-q",
                              Attributes={"RawMessageDelivery": "true"})
                sns.publish(TopicArn=topic, Message="before")
                cert_before = self.certificate(sns, sqs, topic, url)
            with Daemon(data_dir=data) as daemon:
                sns = boto3_client("sns", daemon.endpoint)
                sqs = boto3_client("sqs", daemon.endpoint)
                url = sqs.get_queue_url(QueueName="kept-q")["QueueUrl"]
                sns.publish(TopicArn=topic, Message="after")
                bodies = set()
                for _ in range(5):
                    for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                 WaitTimeSeconds=1).get("Messages", []):
                        if m["Body"] != "probe":  # the certificate probe's copy
                            bodies.add(m["Body"])
                    if len(bodies) == 2:
                        break
                self.assertEqual(bodies, {"before", "after"})
                self.assertEqual(self.certificate(sns, sqs, topic, url), cert_before)

    @staticmethod
    def certificate(sns, sqs, topic, url):
        """The signing certificate, found through a signed envelope."""
        q = sqs.create_queue(QueueName="cert-probe")["QueueUrl"]
        sub = sns.subscribe(TopicArn=topic, Protocol="sqs",
                            Endpoint=f"arn:aws:sqs:us-east-1:{ACCOUNT}:cert-probe",
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
        sns.publish(TopicArn=topic, Message="probe")
        body = json.loads(sqs.receive_message(QueueUrl=q, WaitTimeSeconds=5)["Messages"][0]["Body"])
        sns.unsubscribe(SubscriptionArn=sub)
        sqs.delete_queue(QueueUrl=q)
        verify_signature(body)
        return urllib.request.urlopen(body["SigningCertURL"], timeout=5).read()


@unittest.skipIf(AWS is None, "the aws CLI is not installed")
class AwsCliSnsTest(unittest.TestCase):
    def test_cli_creates_publishes_and_lists(self):
        with tempfile.TemporaryDirectory(prefix="eb-cli-") as home, Daemon() as daemon:
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1", "HOME": home, "AWS_PAGER": "",
                        "AWS_CONFIG_FILE": os.path.join(home, "config"),
                        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials")})

            def cli(*args):
                out = subprocess.run([AWS, "sns", *args, "--endpoint-url", daemon.endpoint,
                                      "--output", "json"], capture_output=True, text=True,
                                     env=env, timeout=60)
                self.assertEqual(out.returncode, 0, out.stderr)
                return json.loads(out.stdout) if out.stdout.strip() else {}

            arn = cli("create-topic", "--name", "cli-topic")["TopicArn"]
            self.assertEqual(arn, f"arn:aws:sns:us-east-1:{ACCOUNT}:cli-topic")
            sub = cli("subscribe", "--topic-arn", arn, "--protocol", "sqs", "--notification-endpoint",
                      f"arn:aws:sqs:us-east-1:{ACCOUNT}:cli-q")["SubscriptionArn"]
            self.assertTrue(sub.startswith(arn + ":"))
            out = cli("publish", "--topic-arn", arn, "--message", "from the cli",
                      "--message-attributes",
                      '{"eventType":{"DataType":"String","StringValue":"order.created"}}')
            self.assertIn("MessageId", out)
            self.assertIn(arn, [t["TopicArn"] for t in cli("list-topics")["Topics"]])
            subs = cli("list-subscriptions-by-topic", "--topic-arn", arn)["Subscriptions"]
            self.assertEqual([s["SubscriptionArn"] for s in subs], [sub])
            cli("unsubscribe", "--subscription-arn", sub)
            cli("delete-topic", "--topic-arn", arn)


if __name__ == "__main__":
    unittest.main()
