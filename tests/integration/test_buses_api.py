"""The EventBridge routes of the native API (GET /v1/buses, /v1/buses/{name}, POST
/v1/buses/{name}/events, POST /v1/event-patterns/test) against the real binary: a bus, a rule
and an SQS target made with boto3 are listed as they are, an event put through the route
arrives in the queue, and the tester answers what boto3's TestEventPattern answers.
"""

import json
import re
import unittest

from harness import SharedDaemonTest, call, call_json, eventually

RFC3339_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
PATTERN = {"source": ["shop"], "detail": {"total": [{"numeric": [">", 30]}]}}


def sample_event(**detail):
    """A complete event, as TestEventPattern requires."""
    return {"id": "e-1", "account": "000000000000", "source": "shop",
            "time": "2024-05-01T12:00:00Z", "region": "us-east-1", "resources": [],
            "detail-type": "OrderPlaced", "detail": detail}


class BusesApiTest(SharedDaemonTest):
    CLIENTS = ("events", "sqs")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.queue_url = cls.sqs.create_queue(QueueName="bus-orders")["QueueUrl"]
        cls.queue_arn = cls.sqs.get_queue_attributes(
            QueueUrl=cls.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        cls.dlq_arn = cls.queue_arn.replace("bus-orders", "bus-orders-dlq")
        cls.bus_arn = cls.events.create_event_bus(
            Name="shop", Description="the shop")["EventBusArn"]
        cls.rule_arn = cls.events.put_rule(
            Name="big-orders", EventBusName="shop", EventPattern=json.dumps(PATTERN),
            Description="orders over 30")["RuleArn"]
        cls.events.put_targets(Rule="big-orders", EventBusName="shop", Targets=[{
            "Id": "to-queue", "Arn": cls.queue_arn, "InputPath": "$.detail",
            "RetryPolicy": {"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 600},
            "DeadLetterConfig": {"Arn": cls.dlq_arn}}])

    def assert_error(self, method, path, body, status, code):
        got, answer = call(self.daemon, method, path, body)
        self.assertEqual(got, status, answer)
        self.assertEqual(answer["error"]["code"], code, answer)
        self.assertTrue(answer["error"]["message"])
        return answer["error"]["message"]

    def receive(self):
        out = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
        for m in out.get("Messages", []):
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])
        return [m["Body"] for m in out.get("Messages", [])]

    def test_list_shows_the_buses_with_their_counts(self):
        status, answer = call(self.daemon, "GET", "/v1/buses")
        self.assertEqual(status, 200, answer)
        buses = {b["name"]: b for b in answer["buses"]}
        listed = self.events.list_event_buses()["EventBuses"]
        self.assertEqual(sorted(buses), [b["Name"] for b in listed])
        shop = buses["shop"]
        self.assertEqual(shop["arn"], self.bus_arn)
        self.assertEqual(shop["description"], "the shop")
        self.assertEqual((shop["ruleCount"], shop["archiveCount"]), (1, 0))
        self.assertIsNone(shop["deadLetterArn"])
        self.assertRegex(shop["createdAt"], RFC3339_MS)
        self.assertEqual(buses["default"]["arn"],
                         "arn:aws:events:us-east-1:000000000000:event-bus/default")

    def test_one_bus_shows_its_rules_patterns_and_targets(self):
        status, bus = call(self.daemon, "GET", "/v1/buses/shop")
        self.assertEqual(status, 200, bus)
        self.assertEqual(bus["name"], "shop")
        [rule] = bus["rules"]
        self.assertEqual((rule["name"], rule["arn"], rule["state"], rule["description"]),
                         ("big-orders", self.rule_arn, "ENABLED", "orders over 30"))
        self.assertEqual(rule["eventPattern"], PATTERN)
        self.assertIsNone(rule["scheduleExpression"])
        self.assertEqual(rule["targets"], [{
            "id": "to-queue", "arn": self.queue_arn, "input": None, "inputPath": "$.detail",
            "inputTransformer": None, "deadLetterArn": self.dlq_arn,
            "retryPolicy": {"maximumRetryAttempts": 4, "maximumEventAgeInSeconds": 600}}])
        # The same bus by its ARN, percent-encoded.
        status, by_arn = call(self.daemon, "GET", "/v1/buses/" + self.bus_arn.replace(
            ":", "%3A").replace("/", "%2F"))
        self.assertEqual((status, by_arn), (200, bus))

    def test_an_archive_counts_and_shows_its_managed_rule(self):
        self.events.create_event_bus(Name="archived")
        self.events.create_archive(ArchiveName="bus-api-archive",
                                   EventSourceArn=self.bus_arn.replace("/shop", "/archived"))
        status, bus = call(self.daemon, "GET", "/v1/buses/archived")
        self.assertEqual(status, 200, bus)
        self.assertEqual((bus["ruleCount"], bus["archiveCount"]), (1, 1))
        self.assertEqual(bus["rules"][0]["managedBy"], "events.amazonaws.com")

    def test_an_event_put_through_the_route_arrives_in_the_target_queue(self):
        status, answer = call(self.daemon, "POST", "/v1/buses/shop/events", {
            "source": "shop", "detailType": "OrderPlaced",
            "detail": {"orderId": "o-1", "total": 40},
            "resources": ["arn:aws:shop:order/o-1"], "time": "2024-05-01T12:00:00Z"})
        self.assertEqual(status, 201, answer)
        self.assertRegex(answer["eventId"], r"^[0-9a-f-]{36}$")
        # Below the rule's threshold: accepted, delivered nowhere.
        status, _ = call(self.daemon, "POST", "/v1/buses/shop/events", {
            "source": "shop", "detailType": "OrderPlaced", "detail": '{"orderId":"o-2","total":5}'})
        self.assertEqual(status, 201)
        bodies = eventually(self.receive)
        self.assertEqual([json.loads(b) for b in bodies], [{"orderId": "o-1", "total": 40}])
        self.assertEqual(self.receive(), [])

    def test_the_tester_agrees_with_test_event_pattern(self):
        results = []
        for detail in ({"total": 40}, {"total": 5}, {"other": True}):
            event = sample_event(**detail)
            expected = self.events.test_event_pattern(
                EventPattern=json.dumps(PATTERN), Event=json.dumps(event))["Result"]
            results.append(expected)
            for pattern, body in ((PATTERN, event), (json.dumps(PATTERN), json.dumps(event))):
                status, answer = call(self.daemon, "POST", "/v1/event-patterns/test",
                                      {"eventPattern": pattern, "event": body})
                self.assertEqual((status, answer), (200, {"matches": expected}), detail)
        self.assertEqual(results, [True, False, False])

    def test_errors(self):
        code, message = self.client_error(self.events.test_event_pattern,
                                          EventPattern='{"source": "shop"}',
                                          Event=json.dumps(sample_event()))
        self.assertEqual(code, "InvalidEventPatternException")
        self.assertEqual(self.assert_error("POST", "/v1/event-patterns/test", {
            "eventPattern": '{"source": "shop"}', "event": sample_event()}, 400, code), message)
        event = sample_event()
        del event["account"]
        code, message = self.client_error(self.events.test_event_pattern,
                                          EventPattern=json.dumps(PATTERN), Event=json.dumps(event))
        self.assertEqual(self.assert_error("POST", "/v1/event-patterns/test", {
            "eventPattern": PATTERN, "event": event}, 400, code), message)
        self.assert_error("POST", "/v1/event-patterns/test", {"event": event}, 400,
                          "MissingParameter")

        self.assert_error("GET", "/v1/buses/nope", None, 404, "ResourceNotFoundException")
        self.assert_error("POST", "/v1/buses/nope/events",
                          {"source": "s", "detailType": "t", "detail": {}}, 404,
                          "ResourceNotFoundException")
        self.assertIn("Detail is malformed", self.assert_error(
            "POST", "/v1/buses/shop/events", {"source": "s", "detailType": "t", "detail": "{oops"},
            400, "MalformedDetail"))
        self.assert_error("POST", "/v1/buses/shop/events", {"source": "s", "detail": {}}, 400,
                          "InvalidArgument")
        status, answer = call(self.daemon, "POST", "/v1/buses/shop/events", raw="{not json")
        self.assertEqual((status, answer["error"]["code"]), (400, "MalformedRequest"))
        status, answer, response = call_json(self.daemon, "DELETE", "/v1/buses/shop")
        self.assertEqual((status, response.getheader("Allow")), (405, "GET"))
        self.assertEqual(self.receive(), [])


if __name__ == "__main__":
    unittest.main()
