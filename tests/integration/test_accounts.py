"""Accounts against the built daemon: a request signed with a 12-digit access key id acts in that
account (as LocalStack users expect), and with --auth verify in the account its credential is
configured with. Each account has its own queues, topics and buses, with its id in their URLs and
ARNs; they survive a restart and a reset drops them all. A call that names another account's
queue, topic or bus by URL or ARN acts on it (cross-account access), and deliveries cross
accounts: SNS to SQS and EventBridge bus to bus."""
import json
import os
import tempfile
import unittest

from botocore.exceptions import ClientError

from harness import Daemon, boto3_client, call_json

DEFAULT = "000000000000"
ALICE = "111111111111"
BOB = "222222222222"


def client(daemon, service, key, secret="test"):
    return boto3_client(service, daemon.endpoint, key, secret)


def receive_bodies(sqs, url, count, wait=1):
    bodies = []
    for _ in range(10):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
        for m in got.get("Messages", []):
            bodies.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if len(bodies) >= count:
            break
    return bodies


class AccountsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        cls.daemon.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    def setUp(self):
        status, _, _ = call_json(self.daemon, "POST", "/v1/reset")
        self.assertEqual(status, 200)

    def test_a_twelve_digit_access_key_id_is_the_account(self):
        alice_sqs = client(self.daemon, "sqs", ALICE)
        default_sqs = client(self.daemon, "sqs", "test")
        alice_url = alice_sqs.create_queue(QueueName="orders")["QueueUrl"]
        default_url = default_sqs.create_queue(QueueName="orders")["QueueUrl"]
        self.assertTrue(alice_url.endswith(f"/{ALICE}/orders"), alice_url)
        self.assertTrue(default_url.endswith(f"/{DEFAULT}/orders"), default_url)
        self.assertEqual(
            alice_sqs.get_queue_attributes(QueueUrl=alice_url, AttributeNames=["QueueArn"])[
                "Attributes"]["QueueArn"], f"arn:aws:sqs:us-east-1:{ALICE}:orders")
        self.assertEqual(alice_sqs.list_queues()["QueueUrls"], [alice_url])
        self.assertEqual(default_sqs.list_queues()["QueueUrls"], [default_url])

        alice_sqs.send_message(QueueUrl=alice_url, MessageBody="for alice")
        self.assertNotIn("Messages", default_sqs.receive_message(QueueUrl=default_url))
        self.assertEqual(receive_bodies(alice_sqs, alice_url, 1), ["for alice"])

        self.assertEqual(client(self.daemon, "sts", ALICE).get_caller_identity()["Account"], ALICE)
        self.assertEqual(client(self.daemon, "sts", "test").get_caller_identity()["Account"],
                         DEFAULT)
        topic = client(self.daemon, "sns", ALICE).create_topic(Name="events")["TopicArn"]
        self.assertEqual(topic, f"arn:aws:sns:us-east-1:{ALICE}:events")
        self.assertEqual(client(self.daemon, "sns", "test").list_topics()["Topics"], [])
        bus = client(self.daemon, "events", ALICE).describe_event_bus()["Arn"]
        self.assertEqual(bus, f"arn:aws:events:us-east-1:{ALICE}:event-bus/default")

    def test_another_accounts_queue_is_reached_by_its_url(self):
        alice_sqs = client(self.daemon, "sqs", ALICE)
        bob_sqs = client(self.daemon, "sqs", BOB)
        url = alice_sqs.create_queue(QueueName="shared")["QueueUrl"]
        # Bob sends by URL, and finds the URL by name and owner, as with a queue policy in AWS.
        self.assertEqual(
            bob_sqs.get_queue_url(QueueName="shared", QueueOwnerAWSAccountId=ALICE)["QueueUrl"],
            url)
        bob_sqs.send_message(QueueUrl=url, MessageBody="from bob")
        with self.assertRaises(ClientError) as ctx:
            bob_sqs.get_queue_url(QueueName="shared")  # not in Bob's own account
        self.assertEqual(ctx.exception.response["Error"]["Code"],
                         "AWS.SimpleQueueService.NonExistentQueue")
        self.assertEqual(receive_bodies(alice_sqs, url, 1), ["from bob"])
        self.assertNotIn("QueueUrls", bob_sqs.list_queues())

    def test_a_topic_delivers_into_another_accounts_queue(self):
        alice_sns = client(self.daemon, "sns", ALICE)
        bob_sqs = client(self.daemon, "sqs", BOB)
        topic = alice_sns.create_topic(Name="orders")["TopicArn"]
        url = bob_sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = bob_sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        # Bob subscribes his queue to Alice's topic: the call acts on the topic's account.
        subscription = client(self.daemon, "sns", BOB).subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
        self.assertTrue(subscription.startswith(topic + ":"), subscription)
        alice_sns.publish(TopicArn=topic, Message="order 1")
        self.assertEqual(receive_bodies(bob_sqs, url, 1), ["order 1"])

    def test_a_rule_forwards_to_another_accounts_bus(self):
        alice_events = client(self.daemon, "events", ALICE)
        bob_events = client(self.daemon, "events", BOB)
        bob_sqs = client(self.daemon, "sqs", BOB)
        url = bob_sqs.create_queue(QueueName="from-alice")["QueueUrl"]
        queue_arn = bob_sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        bob_events.put_rule(Name="take", EventPattern=json.dumps({"source": ["shop"]}))
        bob_events.put_targets(Rule="take", Targets=[{"Id": "q", "Arn": queue_arn}])
        bob_bus = bob_events.describe_event_bus()["Arn"]
        alice_events.put_rule(Name="share", EventPattern=json.dumps({"source": ["shop"]}))
        alice_events.put_targets(Rule="share", Targets=[{"Id": "bob", "Arn": bob_bus}])
        alice_events.put_events(Entries=[{"Source": "shop", "DetailType": "Order",
                                          "Detail": json.dumps({"id": 7})}])
        bodies = receive_bodies(bob_sqs, url, 1)
        self.assertEqual(len(bodies), 1)
        event = json.loads(bodies[0])
        self.assertEqual(event["detail"], {"id": 7})
        self.assertEqual(event["account"], ALICE)  # the event keeps the account it came from

    def test_reset_drops_every_accounts_resources(self):
        alice_sqs = client(self.daemon, "sqs", ALICE)
        alice_sqs.create_queue(QueueName="gone")
        client(self.daemon, "sns", ALICE).create_topic(Name="gone")
        client(self.daemon, "sqs", "test").create_queue(QueueName="gone")
        status, _, _ = call_json(self.daemon, "POST", "/moto-api/reset")
        self.assertEqual(status, 200)
        self.assertNotIn("QueueUrls", alice_sqs.list_queues())
        self.assertEqual(client(self.daemon, "sns", ALICE).list_topics()["Topics"], [])
        self.assertNotIn("QueueUrls", client(self.daemon, "sqs", "test").list_queues())
        # The account itself goes on working.
        self.assertIn(f"/{ALICE}/again", alice_sqs.create_queue(QueueName="again")["QueueUrl"])


class AccountsOnDiskTest(unittest.TestCase):
    def test_accounts_and_their_messages_survive_a_restart(self):
        with tempfile.TemporaryDirectory() as data:
            with Daemon(data_dir=data) as daemon:
                alice_sqs = client(daemon, "sqs", ALICE)
                url = alice_sqs.create_queue(QueueName="kept")["QueueUrl"]
                alice_sqs.send_message(QueueUrl=url, MessageBody="still here")
                client(daemon, "sns", ALICE).create_topic(Name="kept")
                default_sqs = client(daemon, "sqs", "test")
                default_sqs.create_queue(QueueName="home")
            with Daemon(data_dir=data) as daemon:
                alice_sqs = client(daemon, "sqs", ALICE)
                url = alice_sqs.list_queues()["QueueUrls"]
                self.assertEqual(len(url), 1)
                self.assertTrue(url[0].endswith(f"/{ALICE}/kept"))
                self.assertEqual(receive_bodies(alice_sqs, url[0], 1), ["still here"])
                self.assertEqual(client(daemon, "sns", ALICE).list_topics()["Topics"],
                                 [{"TopicArn": f"arn:aws:sns:us-east-1:{ALICE}:kept"}])
                urls = client(daemon, "sqs", "test").list_queues()["QueueUrls"]
                self.assertEqual([u.rsplit("/", 2)[-2:] for u in urls], [[DEFAULT, "home"]])


class VerifiedAccountsTest(unittest.TestCase):
    def test_a_verified_credential_acts_in_its_configured_account(self):
        with tempfile.TemporaryDirectory() as home:
            config = os.path.join(home, "eventbrokerd.yaml")
            with open(config, "w") as f:
                f.write("auth: verify\ncredentials:\n"
                        "  - {access_key_id: AKIDCAROL, secret_access_key: carol-secret,"
                        " account_id: '333333333333'}\n"
                        "  - {access_key_id: AKIDHOME, secret_access_key: home-secret}\n")
            with Daemon("--config", config) as daemon:
                carol = client(daemon, "sqs", "AKIDCAROL", "carol-secret")
                url = carol.create_queue(QueueName="mine")["QueueUrl"]
                self.assertTrue(url.endswith("/333333333333/mine"), url)
                self.assertEqual(
                    client(daemon, "sts", "AKIDCAROL", "carol-secret").get_caller_identity()[
                        "Account"], "333333333333")
                home_sqs = client(daemon, "sqs", "AKIDHOME", "home-secret")
                self.assertNotIn("QueueUrls", home_sqs.list_queues())
                self.assertIn(f"/{DEFAULT}/", home_sqs.create_queue(QueueName="x")["QueueUrl"])


if __name__ == "__main__":
    unittest.main()
