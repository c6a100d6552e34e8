"""A suite written the way suites for moto's server mode are written, run unchanged against the
built daemon: credentials and region from the environment, one endpoint URL, `POST
/moto-api/reset` before every test, the account taken from STS's GetCallerIdentity to build ARNs,
and SQS, SNS (topics, mobile push, SMS) and EventBridge used together. The daemon runs with
moto's default account (`--account-id 123456789012`), as the README's migration section says.
LocalStack's health check (`GET /_localstack/health`) is answered too.

Each test assumes the clean slate the reset gives it: nothing a previous test created is seen."""
import json
import os
import unittest
from unittest import mock

import boto3
import requests

from harness import Daemon

MOTO_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SECURITY_TOKEN": "testing", "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1"}


class MotoServerStyleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon("--account-id", "123456789012")
        cls.daemon.__enter__()
        cls.endpoint = cls.daemon.endpoint
        cls.env = mock.patch.dict(os.environ, MOTO_ENV)
        cls.env.start()

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()
        cls.daemon.__exit__(None, None, None)

    def setUp(self):
        # What moto's server-mode users put in a fixture.
        response = requests.post(f"{self.endpoint}/moto-api/reset", timeout=5)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok"})
        self.sqs = boto3.client("sqs", endpoint_url=self.endpoint)
        self.sns = boto3.client("sns", endpoint_url=self.endpoint)
        self.events = boto3.client("events", endpoint_url=self.endpoint)
        self.account = boto3.client("sts", endpoint_url=self.endpoint).get_caller_identity()[
            "Account"]

    def outbox(self, **query):
        response = requests.get(f"{self.endpoint}/v1/outbox", params=query, timeout=5)
        response.raise_for_status()
        return response.json()["messages"]

    def test_localstack_health_check(self):
        # docker-compose health checks and harnesses written for LocalStack poll this.
        response = requests.get(f"{self.endpoint}/_localstack/health", timeout=5)
        self.assertEqual(response.status_code, 200)
        services = response.json()["services"]
        for service in ("sqs", "sns", "events", "sts"):
            self.assertEqual(services[service], "running")

    def test_the_account_comes_from_sts(self):
        self.assertEqual(self.account, "123456789012")
        url = self.sqs.create_queue(QueueName="orders")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        self.assertEqual(arn, f"arn:aws:sqs:us-east-1:{self.account}:orders")
        self.assertIn(f"/{self.account}/orders", url)

    def test_queues_from_the_last_test_are_gone(self):
        # Both tests create "orders"; in either order, this one sees only its own.
        self.sqs.create_queue(QueueName="orders")
        self.sqs.create_queue(QueueName="orders-dlq")
        names = sorted(u.rsplit("/", 1)[1] for u in self.sqs.list_queues()["QueueUrls"])
        self.assertEqual(names, ["orders", "orders-dlq"])

    def test_topic_to_queue_with_arns_built_from_the_account(self):
        url = self.sqs.create_queue(QueueName="orders")["QueueUrl"]
        topic = self.sns.create_topic(Name="order-events")["TopicArn"]
        self.assertEqual(topic, f"arn:aws:sns:us-east-1:{self.account}:order-events")
        queue_arn = f"arn:aws:sqs:us-east-1:{self.account}:orders"
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                           Attributes={"RawMessageDelivery": "true",
                                       "FilterPolicy": json.dumps({"kind": ["created"]})})
        self.sns.publish(TopicArn=topic, Message="skipped",
                         MessageAttributes={"kind": {"DataType": "String", "StringValue": "paid"}})
        self.sns.publish(TopicArn=topic, Message="order 1",
                         MessageAttributes={"kind": {"DataType": "String",
                                                     "StringValue": "created"}})
        messages = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1,
                                            MaxNumberOfMessages=10).get("Messages", [])
        self.assertEqual([m["Body"] for m in messages], ["order 1"])

    def test_mobile_push_and_sms(self):
        self.assertEqual(self.sns.list_platform_applications()["PlatformApplications"], [])
        app = self.sns.create_platform_application(
            Name="shop", Platform="GCM",
            Attributes={"PlatformCredential": "key"})["PlatformApplicationArn"]
        self.assertEqual(app, f"arn:aws:sns:us-east-1:{self.account}:app/GCM/shop")
        endpoint = self.sns.create_platform_endpoint(PlatformApplicationArn=app,
                                                     Token="device-1")["EndpointArn"]
        self.sns.publish(TargetArn=endpoint, Message="your order shipped")
        self.assertEqual([m["body"] for m in self.outbox(protocol="application")],
                         ["your order shipped"])

        self.assertEqual(self.sns.list_phone_numbers_opted_out()["phoneNumbers"], [])
        self.assertEqual(self.sns.get_sms_attributes()["attributes"], {})
        self.sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional"})
        self.sns.publish(PhoneNumber="+15555550100", Message="code 1234")
        self.assertEqual([m["body"] for m in self.outbox(protocol="sms")], ["code 1234"])

    def test_mobile_push_and_sms_state_is_reset_too(self):
        # Runs after test_mobile_push_and_sms in unittest's (alphabetical) order.
        self.assertEqual(self.sns.list_platform_applications()["PlatformApplications"], [])
        self.assertEqual(self.sns.get_sms_attributes()["attributes"], {})
        self.assertEqual(self.outbox(), [])

    def test_eventbridge_rule_into_a_queue(self):
        url = self.sqs.create_queue(QueueName="audit")["QueueUrl"]
        self.events.create_connection(
            Name="crm", AuthorizationType="API_KEY",
            AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key",
                                                     "ApiKeyValue": "secret"}})
        self.events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop.orders"]}))
        self.events.put_targets(Rule="orders", Targets=[
            {"Id": "audit", "Arn": f"arn:aws:sqs:us-east-1:{self.account}:audit"}])
        result = self.events.put_events(Entries=[
            {"Source": "shop.orders", "DetailType": "OrderCreated",
             "Detail": json.dumps({"orderId": "o-1"})}])
        self.assertEqual(result["FailedEntryCount"], 0)
        messages = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2).get("Messages", [])
        self.assertEqual(len(messages), 1)
        event = json.loads(messages[0]["Body"])
        self.assertEqual(event["account"], self.account)
        self.assertEqual(event["detail"], {"orderId": "o-1"})
        rules = self.events.list_rules()["Rules"]
        self.assertEqual([r["Arn"] for r in rules],
                         [f"arn:aws:events:us-east-1:{self.account}:rule/orders"])

    def test_eventbridge_rules_from_the_last_test_are_gone(self):
        self.assertEqual(self.events.list_rules()["Rules"], [])
        self.assertEqual(self.events.list_connections()["Connections"], [])
        self.assertEqual([b["Name"] for b in self.events.list_event_buses()["EventBuses"]],
                         ["default"])


if __name__ == "__main__":
    unittest.main()
