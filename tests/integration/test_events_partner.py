"""EventBridge global endpoints and partner event sources driven by boto3 against the built
daemon: endpoint CRUD with AWS's shapes and errors; the partner flow end to end (a partner
creates a source, the customer sees it PENDING, creates the partner bus, the source turns ACTIVE,
a rule on that bus sends PutPartnerEvents' events to an SQS queue); both surviving a restart."""
import json
import tempfile
import unittest

from botocore.exceptions import ClientError

from harness import Daemon, boto3_client

ACCOUNT = "000000000000"
REGION = "us-east-1"
HEALTH_CHECK = "arn:aws:route53:::healthcheck/0b1e2c3d-4e5f-6789-abcd-ef0123456789"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/replication"


def routing(route="us-west-2"):
    return {"FailoverConfig": {"Primary": {"HealthCheck": HEALTH_CHECK},
                               "Secondary": {"Route": route}}}


def buses(name="orders"):
    return [{"EventBusArn": f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/{name}"},
            {"EventBusArn": f"arn:aws:events:us-west-2:{ACCOUNT}:event-bus/{name}"}]


class PartnerTestBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        cls.daemon.__enter__()
        cls.events = boto3_client("events", cls.daemon.endpoint)
        cls.sqs = boto3_client("sqs", cls.daemon.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    def error(self, fn, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            fn(**kwargs)
        return ctx.exception.response["Error"]


class EndpointsTest(PartnerTestBase):
    def test_endpoint_lifecycle(self):
        created = self.events.create_endpoint(Name="global", RoutingConfig=routing(),
                                              EventBuses=buses(), RoleArn=ROLE)
        self.assertEqual(created["Arn"], f"arn:aws:events:{REGION}:{ACCOUNT}:endpoint/global")
        self.assertEqual(created["State"], "ACTIVE")
        self.assertEqual(created["RoutingConfig"], routing())
        self.assertEqual(created["ReplicationConfig"], {"State": "ENABLED"})
        self.assertEqual(created["EventBuses"], buses())

        described = self.events.describe_endpoint(Name="global")
        endpoint_id = described["EndpointId"]
        self.assertRegex(endpoint_id, r"^[a-z0-9]{6}\.[a-z0-9]{3}$")
        self.assertEqual(described["EndpointUrl"],
                         f"https://{endpoint_id}.endpoint.events.amazonaws.com")
        self.assertEqual(described["RoleArn"], ROLE)
        self.assertIn("CreationTime", described)
        self.assertIn("LastModifiedTime", described)

        updated = self.events.update_endpoint(Name="global", Description="orders failover",
                                              ReplicationConfig={"State": "DISABLED"},
                                              RoutingConfig=routing("eu-west-1"))
        self.assertEqual(updated["EndpointId"], endpoint_id)
        self.assertEqual(updated["ReplicationConfig"], {"State": "DISABLED"})
        self.assertEqual(updated["RoutingConfig"], routing("eu-west-1"))
        listed = self.events.list_endpoints(NamePrefix="glob")["Endpoints"]
        self.assertEqual([e["Name"] for e in listed], ["global"])
        self.assertEqual(listed[0]["Description"], "orders failover")

        self.events.delete_endpoint(Name="global")
        err = self.error(self.events.describe_endpoint, Name="global")
        self.assertEqual(err["Code"], "ResourceNotFoundException")
        self.assertEqual(err["Message"], "Endpoint global does not exist.")
        self.assertEqual(self.error(self.events.delete_endpoint, Name="global")["Code"],
                         "ResourceNotFoundException")

    def test_endpoint_errors(self):
        self.events.create_endpoint(Name="twice", RoutingConfig=routing(), EventBuses=buses(),
                                    RoleArn=ROLE)
        err = self.error(self.events.create_endpoint, Name="twice", RoutingConfig=routing(),
                         EventBuses=buses(), RoleArn=ROLE)
        self.assertEqual(err["Code"], "ResourceAlreadyExistsException")
        err = self.error(self.events.create_endpoint, Name="bad", RoutingConfig=routing("US-WEST-2X"),
                         EventBuses=buses(), RoleArn=ROLE)
        self.assertEqual(err["Code"], "ValidationException")
        self.assertIn("'routingConfig.failoverConfig.secondary.route'", err["Message"])
        err = self.error(self.events.update_endpoint, Name="missing", Description="x")
        self.assertEqual(err["Code"], "ResourceNotFoundException")


class PartnerFlowTest(PartnerTestBase):
    SOURCE = "aws.partner/example.com/123/orders"

    def test_partner_events_reach_the_customers_queue(self):
        arn = self.events.create_partner_event_source(Name=self.SOURCE,
                                                      Account=ACCOUNT)["EventSourceArn"]
        self.assertEqual(arn, f"arn:aws:events:{REGION}::event-source/{self.SOURCE}")
        described = self.events.describe_partner_event_source(Name=self.SOURCE)
        self.assertEqual((described["Arn"], described["Name"]), (arn, self.SOURCE))
        partner = self.events.list_partner_event_sources(NamePrefix="aws.partner/example.com/")
        self.assertEqual([s["Name"] for s in partner["PartnerEventSources"]], [self.SOURCE])
        accounts = self.events.list_partner_event_source_accounts(EventSourceName=self.SOURCE)
        self.assertEqual(accounts["PartnerEventSourceAccounts"][0]["Account"], ACCOUNT)

        # The customer sees it, PENDING.
        source = self.events.describe_event_source(Name=self.SOURCE)
        self.assertEqual(source["State"], "PENDING")
        self.assertEqual(source["CreatedBy"], "example.com")
        listed = self.events.list_event_sources(NamePrefix="aws.partner/")["EventSources"]
        self.assertIn(self.SOURCE, [s["Name"] for s in listed])

        # A '/' in a bus name needs the source.
        err = self.error(self.events.create_event_bus, Name=self.SOURCE)
        self.assertEqual(err["Code"], "ValidationException")
        bus_arn = self.events.create_event_bus(Name=self.SOURCE,
                                               EventSourceName=self.SOURCE)["EventBusArn"]
        self.assertEqual(bus_arn, f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{self.SOURCE}")
        self.assertEqual(self.events.describe_event_source(Name=self.SOURCE)["State"], "ACTIVE")

        url = self.sqs.create_queue(QueueName="partner-orders")["QueueUrl"]
        queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:partner-orders"
        self.events.put_rule(Name="from-partner", EventBusName=self.SOURCE,
                             EventPattern=json.dumps({"source": [self.SOURCE]}))
        self.events.put_targets(Rule="from-partner", EventBusName=self.SOURCE,
                                Targets=[{"Id": "q", "Arn": queue_arn}])

        out = self.events.put_partner_events(Entries=[
            {"Source": self.SOURCE, "DetailType": "Order Placed", "Detail": '{"id": 7}'},
            {"Source": "aws.partner/example.com/9/unknown", "DetailType": "x", "Detail": "{}"},
        ])
        self.assertEqual(out["FailedEntryCount"], 1)
        event_id = out["Entries"][0]["EventId"]
        self.assertEqual(out["Entries"][1]["ErrorCode"], "InvalidArgument")

        messages = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
        body = json.loads(messages[0]["Body"])
        self.assertEqual(body["id"], event_id)
        self.assertEqual(body["source"], self.SOURCE)
        self.assertEqual(body["detail-type"], "Order Placed")
        self.assertEqual(body["detail"], {"id": 7})

        # More entries than PutEvents takes (PutPartnerEvents allows 20).
        out = self.events.put_partner_events(Entries=[
            {"Source": self.SOURCE, "DetailType": "Order Placed", "Detail": '{"n": 1}'}] * 12)
        self.assertEqual((out["FailedEntryCount"], len(out["Entries"])), (0, 12))
        got = 0
        while got < 12:
            batch = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                             WaitTimeSeconds=1).get("Messages", [])
            self.assertTrue(batch, f"only {got} of 12 events arrived")
            got += len(batch)

        # Deactivate and activate again; then the partner deletes the source.
        self.events.deactivate_event_source(Name=self.SOURCE)
        self.assertEqual(self.events.describe_event_source(Name=self.SOURCE)["State"], "PENDING")
        err = self.error(self.events.deactivate_event_source, Name=self.SOURCE)
        self.assertEqual(err["Code"], "InvalidStateException")
        self.events.activate_event_source(Name=self.SOURCE)
        self.events.delete_partner_event_source(Name=self.SOURCE, Account=ACCOUNT)
        self.assertEqual(self.events.describe_event_source(Name=self.SOURCE)["State"], "DELETED")
        self.assertEqual(self.error(self.events.describe_partner_event_source,
                                    Name=self.SOURCE)["Code"], "ResourceNotFoundException")

    def test_put_partner_events_validation(self):
        err = self.error(self.events.put_partner_events, Entries=[
            {"Source": "aws.partner/a/b", "DetailType": "x", "Detail": "{}"}] * 21)
        self.assertEqual(err["Code"], "ValidationException")
        self.assertIn("less than or equal to 20", err["Message"])
        err = self.error(self.events.create_partner_event_source, Name="aws.partner/one",
                         Account=ACCOUNT)
        self.assertEqual(err["Code"], "ValidationException")
        err = self.error(self.events.describe_event_source, Name="aws.partner/x/none")
        self.assertEqual(err["Code"], "ResourceNotFoundException")


class RestartTest(unittest.TestCase):
    def test_endpoints_and_sources_survive_a_restart(self):
        source = "aws.partner/example.com/1/kept"
        with tempfile.TemporaryDirectory() as data:
            with Daemon(data_dir=data) as daemon:
                events = boto3_client("events", daemon.endpoint)
                events.create_endpoint(Name="kept", RoutingConfig=routing(), EventBuses=buses(),
                                       RoleArn=ROLE)
                endpoint_id = events.describe_endpoint(Name="kept")["EndpointId"]
                events.create_partner_event_source(Name=source, Account=ACCOUNT)
                events.create_event_bus(Name=source, EventSourceName=source)
            with Daemon(data_dir=data) as daemon:
                events = boto3_client("events", daemon.endpoint)
                self.assertEqual(events.describe_endpoint(Name="kept")["EndpointId"], endpoint_id)
                self.assertEqual(events.describe_event_source(Name=source)["State"], "ACTIVE")
                self.assertEqual(events.describe_event_bus(Name=source)["Name"], source)


if __name__ == "__main__":
    unittest.main()
