"""EventBridge driven by boto3 (AWS JSON 1.1) and the AWS CLI against the built daemon: buses,
rules, targets, PutEvents into SQS queues with event patterns, TestEventPattern, tags, AWS's
errors, and rules and targets surviving a restart."""
import json
import shutil
import subprocess
import tempfile
import unittest

from botocore.exceptions import ClientError

from harness import Daemon, boto3_client, call, eventually

ACCOUNT = "000000000000"
REGION = "us-east-1"
AWS = shutil.which("aws")


def event(source="com.example.orders", detail_type="OrderPlaced", detail=None, **extra):
    entry = {"Source": source, "DetailType": detail_type,
             "Detail": json.dumps(detail if detail is not None else {"amount": 5})}
    entry.update(extra)
    return entry


class EventsTestBase(unittest.TestCase):
    daemon_args = ()

    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon(*cls.daemon_args)
        cls.daemon.__enter__()
        cls.events = boto3_client("events", cls.daemon.endpoint)
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

    def receive_all(self, url, wait=0):
        got = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                             WaitTimeSeconds=wait).get("Messages", [])
            if not batch:
                return got
            got.extend(json.loads(m["Body"]) for m in batch)
            wait = 0


class BusesAndRulesTest(EventsTestBase):
    def test_the_default_bus_exists_and_cannot_be_deleted(self):
        bus = self.events.describe_event_bus()
        self.assertEqual(bus["Name"], "default")
        self.assertEqual(bus["Arn"], f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default")
        names = [b["Name"] for b in self.events.list_event_buses()["EventBuses"]]
        self.assertIn("default", names)
        err = self.error(self.events.delete_event_bus, Name="default")
        self.assertEqual(err["Error"]["Code"], "ValidationException")
        self.assertEqual(err["Error"]["Message"], "Cannot delete event bus default.")

    def test_custom_bus_lifecycle(self):
        arn = self.events.create_event_bus(Name="orders-bus", Description="orders")["EventBusArn"]
        self.assertEqual(arn, f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/orders-bus")
        err = self.error(self.events.create_event_bus, Name="orders-bus")
        self.assertEqual(err["Error"]["Code"], "ResourceAlreadyExistsException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        described = self.events.describe_event_bus(Name=arn)
        self.assertEqual(described["Description"], "orders")
        self.assertIn("CreationTime", described)
        listed = self.events.list_event_buses(NamePrefix="orders")["EventBuses"]
        self.assertEqual([b["Name"] for b in listed], ["orders-bus"])
        self.events.put_rule(Name="r1", EventBusName="orders-bus",
                             EventPattern=json.dumps({"source": ["x"]}))
        self.events.delete_event_bus(Name="orders-bus")
        err = self.error(self.events.describe_event_bus, Name="orders-bus")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(err["Error"]["Message"], "Event bus orders-bus does not exist.")
        # Deleting what is gone succeeds, as on AWS.
        self.events.delete_event_bus(Name="orders-bus")

    def test_rule_lifecycle(self):
        pattern = json.dumps({"source": ["com.example"]})
        arn = self.events.put_rule(Name="lifecycle", EventPattern=pattern,
                                   Description="d")["RuleArn"]
        self.assertEqual(arn, f"arn:aws:events:{REGION}:{ACCOUNT}:rule/lifecycle")
        rule = self.events.describe_rule(Name="lifecycle")
        self.assertEqual((rule["State"], rule["EventPattern"], rule["EventBusName"]),
                         ("ENABLED", pattern, "default"))
        self.events.disable_rule(Name="lifecycle")
        self.assertEqual(self.events.describe_rule(Name="lifecycle")["State"], "DISABLED")
        self.events.enable_rule(Name="lifecycle")
        names = [r["Name"] for r in self.events.list_rules(NamePrefix="life")["Rules"]]
        self.assertEqual(names, ["lifecycle"])
        self.events.delete_rule(Name="lifecycle")
        err = self.error(self.events.describe_rule, Name="lifecycle")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(err["Error"]["Message"],
                         "Rule lifecycle does not exist on EventBus default.")

    def test_rules_on_a_custom_bus_have_the_bus_in_their_arn(self):
        self.events.create_event_bus(Name="custom-arn")
        arn = self.events.put_rule(Name="r", EventBusName="custom-arn",
                                   EventPattern='{"source":["a"]}')["RuleArn"]
        self.assertEqual(arn, f"arn:aws:events:{REGION}:{ACCOUNT}:rule/custom-arn/r")

    def test_bad_rules_are_refused_with_aws_errors(self):
        err = self.error(self.events.put_rule, Name="nothing")
        self.assertEqual(err["Error"]["Code"], "ValidationException")
        self.assertEqual(err["Error"]["Message"],
                         "Parameter(s) EventPattern or ScheduleExpression must be specified.")
        err = self.error(self.events.put_rule, Name="bad", EventPattern='{"source":"x"}')
        self.assertEqual(err["Error"]["Code"], "InvalidEventPatternException")
        self.assertTrue(err["Error"]["Message"].startswith("Event pattern is not valid. Reason:"),
                        err["Error"]["Message"])
        err = self.error(self.events.put_rule, Name="bad name!", EventPattern='{"a":["b"]}')
        self.assertEqual(err["Error"]["Code"], "ValidationException")
        self.assertIn("Member must satisfy regular expression pattern", err["Error"]["Message"])
        err = self.error(self.events.put_rule, Name="r", EventPattern='{"a":["b"]}',
                         EventBusName="no-such-bus")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")

    def test_targets_and_the_five_target_limit(self):
        self.events.put_rule(Name="targets", EventPattern='{"source":["t"]}')
        _, arn = self.queue("targets-q")
        put = self.events.put_targets(Rule="targets", Targets=[
            {"Id": str(i), "Arn": arn, "InputPath": "$.detail"} for i in range(5)])
        self.assertEqual(put["FailedEntryCount"], 0)
        listed = self.events.list_targets_by_rule(Rule="targets")["Targets"]
        self.assertEqual([t["Id"] for t in listed], ["0", "1", "2", "3", "4"])
        self.assertEqual(listed[0]["InputPath"], "$.detail")
        err = self.error(self.events.put_targets, Rule="targets",
                         Targets=[{"Id": "5", "Arn": arn}])
        self.assertEqual(err["Error"]["Code"], "LimitExceededException")
        self.assertEqual(self.events.list_rule_names_by_target(TargetArn=arn)["RuleNames"],
                         ["targets"])
        err = self.error(self.events.delete_rule, Name="targets")
        self.assertEqual(err["Error"]["Message"], "Rule can't be deleted since it has targets.")
        self.events.remove_targets(Rule="targets", Ids=["0", "1", "2", "3", "4"])
        self.events.delete_rule(Name="targets")

    def test_bus_policy_from_permissions(self):
        self.events.create_event_bus(Name="shared")
        self.events.put_permission(EventBusName="shared", Action="events:PutEvents",
                                   Principal="111122223333", StatementId="partner")
        self.events.put_permission(EventBusName="shared", Action="events:PutEvents",
                                   Principal="*", StatementId="org", Condition={
                                       "Type": "StringEquals", "Key": "aws:PrincipalOrgID",
                                       "Value": "o-abc"})
        policy = json.loads(self.events.describe_event_bus(Name="shared")["Policy"])
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["partner", "org"])
        self.assertEqual(policy["Statement"][0]["Principal"],
                         {"AWS": "arn:aws:iam::111122223333:root"})
        self.assertEqual(policy["Statement"][0]["Resource"],
                         f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/shared")
        self.assertEqual(policy["Statement"][1]["Condition"],
                         {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})
        err = self.error(self.events.put_permission, EventBusName="shared",
                         Action="events:PutEvents", Principal="12", StatementId="bad")
        self.assertEqual(err["Error"]["Code"], "ValidationException")
        self.events.remove_permission(EventBusName="shared", StatementId="partner")
        err = self.error(self.events.remove_permission, EventBusName="shared",
                         StatementId="partner")
        self.assertEqual(err["Error"]["Message"],
                         "Statement with the provided id does not exist.")
        self.events.remove_permission(EventBusName="shared", RemoveAllPermissions=True)
        self.assertNotIn("Policy", self.events.describe_event_bus(Name="shared"))

    def test_tags_of_buses_and_rules(self):
        bus_arn = self.events.create_event_bus(
            Name="tagged", Tags=[{"Key": "team", "Value": "a"}])["EventBusArn"]
        self.assertEqual(self.events.list_tags_for_resource(ResourceARN=bus_arn)["Tags"],
                         [{"Key": "team", "Value": "a"}])
        rule_arn = self.events.put_rule(Name="tagged-rule", EventPattern='{"a":["b"]}')["RuleArn"]
        self.events.tag_resource(ResourceARN=rule_arn, Tags=[{"Key": "k", "Value": "v"}])
        self.assertEqual(self.events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"],
                         [{"Key": "k", "Value": "v"}])
        self.events.untag_resource(ResourceARN=rule_arn, TagKeys=["k"])
        self.assertEqual(self.events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"], [])


class PutEventsTest(EventsTestBase):
    def test_matching_events_reach_the_queue_in_the_aws_envelope(self):
        url, arn = self.queue("orders-q")
        self.events.put_rule(Name="orders", EventPattern=json.dumps(
            {"source": ["com.example.orders"], "detail": {"amount": [{"numeric": [">", 10]}]}}))
        self.events.put_targets(Rule="orders", Targets=[{"Id": "q", "Arn": arn}])
        result = self.events.put_events(Entries=[
            event(detail={"amount": 50}, Resources=["arn:aws:x:y"]),
            event(detail={"amount": 5}),
            event(source="com.example.other", detail={"amount": 50}),
        ])
        self.assertEqual(result["FailedEntryCount"], 0)
        ids = [e["EventId"] for e in result["Entries"]]
        got = self.receive_all(url)
        self.assertEqual(len(got), 1)
        envelope = got[0]
        self.assertEqual(sorted(envelope), sorted(
            ["version", "id", "detail-type", "source", "account", "time", "region", "resources",
             "detail"]))
        self.assertEqual(envelope["id"], ids[0])
        self.assertEqual(envelope["version"], "0")
        self.assertEqual(envelope["account"], ACCOUNT)
        self.assertEqual(envelope["region"], REGION)
        self.assertEqual(envelope["resources"], ["arn:aws:x:y"])
        self.assertEqual(envelope["detail"], {"amount": 50})
        self.assertRegex(envelope["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_targets_shape_what_they_deliver(self):
        url, arn = self.queue("shaped-q")
        rule_arn = self.events.put_rule(Name="shaped", EventPattern='{"source":["shape"]}')[
            "RuleArn"]
        self.events.put_targets(Rule="shaped", Targets=[
            {"Id": "constant", "Arn": arn, "Input": '{"fixed": true}'},
            {"Id": "path", "Arn": arn, "InputPath": "$.detail.order"},
            {"Id": "json", "Arn": arn, "InputTransformer": {
                "InputPathsMap": {"id": "$.detail.order.id", "who": "$.detail.who"},
                "InputTemplate": '{"order": <id>, "by": "<who>", "rule": "<aws.events.rule-name>"}'}},
            {"Id": "text", "Arn": arn, "InputTransformer": {
                "InputPathsMap": {"who": "$.detail.who"},
                "InputTemplate": '"<who> ordered"'}},
        ])
        self.events.put_events(Entries=[event(source="shape", detail={
            "order": {"id": 7, "lines": [1, 2]}, "who": 'Ann "A"'})])
        bodies = sorted(m["Body"] for m in self.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10)["Messages"])
        self.assertEqual(sorted(bodies), sorted([
            '{"fixed": true}',
            '{"id":7,"lines":[1,2]}',
            '{"order":7,"by":"Ann \\"A\\"","rule":"shaped"}',
            '"Ann "A" ordered"',
        ]))
        self.assertTrue(rule_arn.endswith(":rule/shaped"))
        err = self.error(self.events.put_targets, Rule="shaped", Targets=[
            {"Id": "both", "Arn": arn, "Input": "{}", "InputPath": "$.detail"}])
        self.assertEqual(err["Error"]["Code"], "ValidationException")

    def test_sns_bus_and_lambda_targets(self):
        sns = boto3_client("sns", self.daemon.endpoint)
        topic = sns.create_topic(Name="events-topic")["TopicArn"]
        url, arn = self.queue("via-topic-q")
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                      Attributes={"RawMessageDelivery": "true"})
        bus_url, bus_queue = self.queue("via-bus-q")
        target_bus = self.events.create_event_bus(Name="second-bus")["EventBusArn"]
        self.events.put_rule(Name="on-second", EventBusName="second-bus",
                             EventPattern='{"source":["multi"]}')
        self.events.put_targets(Rule="on-second", EventBusName="second-bus",
                                Targets=[{"Id": "q", "Arn": bus_queue}])
        function = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:handler"
        self.events.put_rule(Name="multi", EventPattern='{"source":["multi"]}')
        self.events.put_targets(Rule="multi", Targets=[
            {"Id": "topic", "Arn": topic, "InputPath": "$.detail"},
            {"Id": "bus", "Arn": target_bus},
            {"Id": "fn", "Arn": function},
        ])
        event_id = self.events.put_events(Entries=[event(source="multi", detail={"k": 1})])[
            "Entries"][0]["EventId"]
        via_topic = self.sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"]
        self.assertEqual(json.loads(via_topic), {"k": 1})
        via_bus = self.receive_all(bus_url)
        self.assertEqual([e["id"] for e in via_bus], [event_id])
        status, outbox = call(self.daemon, "GET", "/v1/outbox?protocol=lambda")
        self.assertEqual(status, 200)
        records = [r for r in outbox["messages"] if r["endpoint"] == function]
        self.assertEqual(len(records), 1)
        self.assertEqual(json.loads(records[0]["body"])["id"], event_id)

    def test_a_missing_target_goes_to_the_dead_letter_queue(self):
        dlq_url, dlq = self.queue("events-dlq")
        missing = f"arn:aws:sqs:{REGION}:{ACCOUNT}:never-created"
        rule_arn = self.events.put_rule(Name="dead", EventPattern='{"source":["dead"]}')[
            "RuleArn"]
        self.events.put_targets(Rule="dead", Targets=[
            {"Id": "gone", "Arn": missing, "DeadLetterConfig": {"Arn": dlq},
             "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 60}}])
        event_id = self.events.put_events(Entries=[event(source="dead")])["Entries"][0]["EventId"]
        message = self.sqs.receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"])[
            "Messages"][0]
        self.assertEqual(json.loads(message["Body"])["id"], event_id)
        attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
        self.assertEqual(attributes["RULE_ARN"], rule_arn)
        self.assertEqual(attributes["TARGET_ARN"], missing)
        self.assertEqual(attributes["ERROR_CODE"], "NO_RESOURCE")
        self.assertEqual(attributes["RETRY_ATTEMPTS"], "0")
        self.assertIn("ERROR_MESSAGE", attributes)

    def test_events_are_in_the_event_log_and_traced_by_their_correlation_id(self):
        result = self.events.put_events(Entries=[
            event(source="traced", detail_type="OrderPlaced",
                  detail={"correlationId": "flow-eb-1", "orderId": "o-9"})])
        event_id = result["Entries"][0]["EventId"]
        status, listed = call(self.daemon, "GET", "/v1/events?type=OrderPlaced&source=traced")
        self.assertEqual(status, 200)
        self.assertEqual([e["event"]["id"] for e in listed["events"]], [event_id])
        self.assertEqual(listed["events"][0]["source"],
                         f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default")
        status, trace = call(self.daemon, "GET", "/v1/trace/flow-eb-1")
        self.assertEqual(status, 200)
        self.assertEqual([r["event"]["id"] for r in trace["roots"]], [event_id])

    def test_time_is_honoured(self):
        import datetime
        url, arn = self.queue("time-q")
        self.events.put_rule(Name="time", EventPattern='{"source":["time.test"]}')
        self.events.put_targets(Rule="time", Targets=[{"Id": "q", "Arn": arn}])
        when = datetime.datetime(2024, 2, 29, 12, 30, 15, tzinfo=datetime.timezone.utc)
        self.events.put_events(Entries=[event(source="time.test", Time=when)])
        self.assertEqual(self.receive_all(url)[0]["time"], "2024-02-29T12:30:15Z")

    def test_disabled_rules_never_fire(self):
        url, arn = self.queue("disabled-q")
        self.events.put_rule(Name="disabled", EventPattern='{"source":["off"]}',
                             State="DISABLED")
        self.events.put_targets(Rule="disabled", Targets=[{"Id": "q", "Arn": arn}])
        self.events.put_events(Entries=[event(source="off")])
        self.assertEqual(self.receive_all(url), [])
        self.events.enable_rule(Name="disabled")
        self.events.put_events(Entries=[event(source="off")])
        self.assertEqual(len(self.receive_all(url)), 1)

    def test_custom_bus_and_fifo_target(self):
        self.events.create_event_bus(Name="fifo-bus")
        url, arn = self.queue("events.fifo", FifoQueue="true")
        self.events.put_rule(Name="fifo", EventBusName="fifo-bus", EventPattern='{"source":["f"]}')
        err = self.error(self.events.put_targets, Rule="fifo", EventBusName="fifo-bus",
                         Targets=[{"Id": "q", "Arn": arn}])
        self.assertEqual(err["Error"]["Message"],
                         "Parameter(s) SqsParameters must be specified for target: q.")
        self.events.put_targets(Rule="fifo", EventBusName="fifo-bus", Targets=[
            {"Id": "q", "Arn": arn, "SqsParameters": {"MessageGroupId": "g1"}}])
        self.events.put_events(Entries=[event(source="f", EventBusName="fifo-bus",
                                              detail={"n": i}) for i in range(3)])
        messages = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                            AttributeNames=["MessageGroupId"])["Messages"]
        self.assertEqual([json.loads(m["Body"])["detail"]["n"] for m in messages], [0, 1, 2])
        self.assertEqual({m["Attributes"]["MessageGroupId"] for m in messages}, {"g1"})

    def test_entry_errors_and_request_limits(self):
        result = self.events.put_events(Entries=[
            {"DetailType": "t", "Detail": "{}"},
            {"Source": "s", "Detail": "{}"},
            {"Source": "s", "DetailType": "t"},
            {"Source": "s", "DetailType": "t", "Detail": "[1]"},
            {"Source": "s", "DetailType": "t", "Detail": "{not json"},
            event(),
        ])
        self.assertEqual(result["FailedEntryCount"], 5)
        codes = [(e.get("ErrorCode"), e.get("ErrorMessage")) for e in result["Entries"]]
        self.assertEqual(codes[:5], [
            ("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required "
                                "argument."),
            ("InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a "
                                "required argument."),
            ("InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required "
                                "argument."),
            ("MalformedDetail", "Detail is malformed."),
            ("MalformedDetail", "Detail is malformed."),
        ])
        self.assertIn("EventId", result["Entries"][5])
        err = self.error(self.events.put_events, Entries=[event() for _ in range(11)])
        self.assertEqual(err["Error"]["Code"], "ValidationException")
        self.assertIn("Member must have length less than or equal to 10", err["Error"]["Message"])
        big = {"Source": "s", "DetailType": "t", "Detail": json.dumps({"x": "y" * 262_200})}
        err = self.error(self.events.put_events, Entries=[big])
        self.assertEqual(err["Error"]["Message"],
                         "Total size of the entries in the request is over the limit.")

    def test_an_unknown_bus_accepts_and_drops_the_event_as_aws_does(self):
        result = self.events.put_events(Entries=[event(EventBusName="nowhere")])
        self.assertEqual(result["FailedEntryCount"], 0)
        self.assertIn("EventId", result["Entries"][0])

    def test_test_event_pattern(self):
        full = {"id": "1", "account": ACCOUNT, "source": "com.example", "time":
                "2026-01-01T00:00:00Z", "region": REGION, "resources": [],
                "detail-type": "t", "detail": {"n": 7}}
        yes = self.events.test_event_pattern(
            EventPattern='{"detail":{"n":[{"numeric":[">",5]}]}}', Event=json.dumps(full))
        self.assertTrue(yes["Result"])
        no = self.events.test_event_pattern(EventPattern='{"source":["other"]}',
                                            Event=json.dumps(full))
        self.assertFalse(no["Result"])
        err = self.error(self.events.test_event_pattern, EventPattern='{"source":"x"}',
                         Event=json.dumps(full))
        self.assertEqual(err["Error"]["Code"], "InvalidEventPatternException")
        del full["id"]
        err = self.error(self.events.test_event_pattern, EventPattern='{"source":["x"]}',
                         Event=json.dumps(full))
        self.assertEqual(err["Error"]["Code"], "ValidationException")


class ArchiveTest(EventsTestBase):
    # Replay windows are whole seconds on the wire: the daemon's clock stands still and moves
    # by whole seconds, so the window's bounds fall where the test says.
    daemon_args = ("--clock", "manual")

    def daemon_time(self, offset_seconds=0):
        import datetime
        status, clock = call(self.daemon, "GET", "/v1/clock")
        self.assertEqual(status, 200)
        return datetime.datetime.fromtimestamp(clock["now"] / 1000 + offset_seconds,
                                               datetime.timezone.utc)

    def advance(self, seconds):
        status, body = call(self.daemon, "POST", "/v1/clock/advance", {"seconds": seconds})
        self.assertEqual(status, 200, body)

    def test_an_archive_counts_its_events_and_a_replay_delivers_them_again(self):
        begin = self.daemon_time(-60)
        bus_arn = self.events.create_event_bus(Name="archived-bus")["EventBusArn"]
        url, arn = self.queue("archived-q")
        rule_arn = self.events.put_rule(Name="all", EventBusName="archived-bus",
                                        EventPattern='{"source":[{"prefix":""}]}')["RuleArn"]
        self.events.put_targets(Rule="all", EventBusName="archived-bus",
                                Targets=[{"Id": "q", "Arn": arn}])
        archive = self.events.create_archive(ArchiveName="orders-archive", EventSourceArn=bus_arn,
                                             EventPattern='{"source":["orders"]}',
                                             RetentionDays=7)
        self.assertEqual(archive["ArchiveArn"],
                         f"arn:aws:events:{REGION}:{ACCOUNT}:archive/orders-archive")
        self.assertEqual(archive["State"], "ENABLED")
        err = self.error(self.events.create_archive, ArchiveName="orders-archive",
                         EventSourceArn=bus_arn)
        self.assertEqual(err["Error"]["Code"], "ResourceAlreadyExistsException")
        ids = [e["EventId"] for e in self.events.put_events(Entries=[
            event(source="orders", EventBusName="archived-bus", detail={"n": 1}),
            event(source="other", EventBusName="archived-bus", detail={"n": 2}),
            event(source="orders", EventBusName="archived-bus", detail={"n": 3}),
        ])["Entries"]]
        described = self.events.describe_archive(ArchiveName="orders-archive")
        self.assertEqual(described["EventCount"], 2)
        self.assertGreater(described["SizeBytes"], 0)
        self.assertEqual(len(self.receive_all(url)), 3)

        # The replay goes to a new queue, so what arrives there is the replay alone.
        replay_url, replay_queue = self.queue("replayed-q")
        self.events.put_targets(Rule="all", EventBusName="archived-bus",
                                Targets=[{"Id": "q", "Arn": replay_queue}])
        self.advance(5)
        end = self.daemon_time(-1)
        started = self.events.start_replay(
            ReplayName="again", EventSourceArn=archive["ArchiveArn"], EventStartTime=begin,
            EventEndTime=end, Destination={"Arn": bus_arn, "FilterArns": [rule_arn]})
        self.assertEqual(started["State"], "STARTING")
        done = eventually(lambda: self.events.describe_replay(ReplayName="again")["State"]
                          == "COMPLETED" and self.events.describe_replay(ReplayName="again"))
        self.assertEqual(done["Destination"], {"Arn": bus_arn, "FilterArns": [rule_arn]})
        self.assertIn("ReplayEndTime", done)
        replayed = self.receive_all(replay_url)
        self.assertEqual(sorted(e["id"] for e in replayed), sorted([ids[0], ids[2]]))
        self.assertEqual({e["replay-name"] for e in replayed}, {"again"})
        # Replayed events are not archived again.
        self.assertEqual(
            self.events.describe_archive(ArchiveName="orders-archive")["EventCount"], 2)
        names = [r["ReplayName"] for r in self.events.list_replays(NamePrefix="ag")["Replays"]]
        self.assertEqual(names, ["again"])
        err = self.error(self.events.cancel_replay, ReplayName="again")
        self.assertEqual(err["Error"]["Code"], "IllegalStatusException")
        err = self.error(self.events.start_replay, ReplayName="bad", EventSourceArn=archive[
            "ArchiveArn"], EventStartTime=end, EventEndTime=begin, Destination={"Arn": bus_arn})
        self.assertEqual(err["Error"]["Message"], "Parameter EventEndTime is not valid. Reason: "
                                                  "EventStartTime must be before EventEndTime.")
        self.events.delete_archive(ArchiveName="orders-archive")
        err = self.error(self.events.describe_archive, ArchiveName="orders-archive")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")

    def test_an_archive_has_a_managed_rule_users_cannot_change(self):
        bus_arn = self.events.create_event_bus(Name="managed-bus")["EventBusArn"]
        self.events.create_archive(ArchiveName="kept", EventSourceArn=bus_arn,
                                   EventPattern='{"source":["orders"]}')
        rules = self.events.list_rules(EventBusName="managed-bus")["Rules"]
        self.assertEqual([(r["Name"], r["ManagedBy"], r["State"]) for r in rules],
                         [("Events-Archive-kept", "events.amazonaws.com", "ENABLED")])
        name = "Events-Archive-kept"
        rule = self.events.describe_rule(Name=name, EventBusName="managed-bus")
        self.assertEqual(rule["ManagedBy"], "events.amazonaws.com")
        self.assertEqual(json.loads(rule["EventPattern"]),
                         {"source": ["orders"], "replay-name": [{"exists": False}]})
        _, queue = self.queue("managed-q")
        refused = [
            lambda: self.events.put_rule(Name=name, EventBusName="managed-bus",
                                         EventPattern='{"source":["x"]}'),
            lambda: self.events.put_targets(Rule=name, EventBusName="managed-bus",
                                            Targets=[{"Id": "q", "Arn": queue}]),
            lambda: self.events.remove_targets(Rule=name, EventBusName="managed-bus", Ids=["q"]),
            lambda: self.events.disable_rule(Name=name, EventBusName="managed-bus"),
            lambda: self.events.enable_rule(Name=name, EventBusName="managed-bus"),
            lambda: self.events.tag_resource(ResourceARN=rule["Arn"],
                                             Tags=[{"Key": "k", "Value": "v"}]),
            lambda: self.events.delete_rule(Name=name, EventBusName="managed-bus"),
        ]
        for call_it in refused:
            with self.assertRaises(ClientError) as ctx:
                call_it()
            self.assertEqual(ctx.exception.response["Error"]["Code"], "ManagedRuleException")
        # Events still reach the archive; UpdateArchive changes the rule's pattern.
        self.events.put_events(Entries=[event(source="orders", EventBusName="managed-bus")])
        self.assertEqual(self.events.describe_archive(ArchiveName="kept")["EventCount"], 1)
        self.events.update_archive(ArchiveName="kept", EventPattern='{"source":["billing"]}')
        rule = self.events.describe_rule(Name=name, EventBusName="managed-bus")
        self.assertEqual(json.loads(rule["EventPattern"]),
                         {"source": ["billing"], "replay-name": [{"exists": False}]})
        # DeleteArchive takes its rule away.
        self.events.delete_archive(ArchiveName="kept")
        self.assertEqual(self.events.list_rules(EventBusName="managed-bus")["Rules"], [])
        # Force is how a user deletes a managed rule.
        self.events.create_archive(ArchiveName="forced", EventSourceArn=bus_arn)
        self.events.delete_rule(Name="Events-Archive-forced", EventBusName="managed-bus",
                                Force=True)
        self.assertEqual(self.events.list_rules(EventBusName="managed-bus")["Rules"], [])
        self.events.delete_archive(ArchiveName="forced")


class ScheduleTest(EventsTestBase):
    daemon_args = ("--clock", "manual")

    def advance(self, seconds):
        status, body = call(self.daemon, "POST", "/v1/clock/advance", {"seconds": seconds})
        self.assertEqual(status, 200, body)

    def test_scheduled_rules_fire_when_the_clock_moves(self):
        url, arn = self.queue("scheduled-q")
        rule_arn = self.events.put_rule(Name="five", ScheduleExpression="rate(5 minutes)")[
            "RuleArn"]
        self.events.put_targets(Rule="five", Targets=[{"Id": "q", "Arn": arn}])
        self.advance(299)
        self.assertEqual(self.receive_all(url), [])
        self.advance(601)  # 900 s since the rule: three periods
        got = self.receive_all(url)
        self.assertEqual(len(got), 3)
        for scheduled in got:
            self.assertEqual(scheduled["source"], "aws.events")
            self.assertEqual(scheduled["detail-type"], "Scheduled Event")
            self.assertEqual(scheduled["resources"], [rule_arn])
            self.assertEqual(scheduled["detail"], {})

    def test_bad_schedules_are_refused(self):
        for expression in ["rate(1 minutes)", "rate(5 minute)", "cron(0 12 * * * *)",
                           "every day"]:
            err = self.error(self.events.put_rule, Name="bad", ScheduleExpression=expression)
            self.assertEqual(err["Error"]["Code"], "ValidationException", expression)
            self.assertEqual(err["Error"]["Message"], "Parameter ScheduleExpression is not valid.")


@unittest.skipUnless(AWS, "the AWS CLI is not installed")
class CliTest(EventsTestBase):
    def cli(self, *args):
        env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
               "AWS_DEFAULT_REGION": REGION, "PATH": "/usr/bin:/bin", "HOME": tempfile.gettempdir()}
        out = subprocess.run([AWS, "--endpoint-url", self.daemon.endpoint, "events", *args],
                             capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout) if out.stdout.strip() else None

    def test_cli_lists_buses_and_puts_events(self):
        names = [b["Name"] for b in self.cli("list-event-buses")["EventBuses"]]
        self.assertIn("default", names)
        url, arn = self.queue("cli-q")
        self.cli("put-rule", "--name", "cli", "--event-pattern", '{"source":["cli"]}')
        self.cli("put-targets", "--rule", "cli", "--targets", f"Id=q,Arn={arn}")
        out = self.cli("put-events", "--entries",
                       json.dumps([{"Source": "cli", "DetailType": "t", "Detail": "{}"}]))
        self.assertEqual(out["FailedEntryCount"], 0)
        self.assertEqual(self.receive_all(url)[0]["source"], "cli")


class RestartTest(unittest.TestCase):
    def test_buses_rules_and_targets_survive_a_restart(self):
        with tempfile.TemporaryDirectory() as data:
            with Daemon(data_dir=data) as daemon:
                events = boto3_client("events", daemon.endpoint)
                sqs = boto3_client("sqs", daemon.endpoint)
                url = sqs.create_queue(QueueName="kept")["QueueUrl"]
                arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:kept"
                events.create_event_bus(Name="kept-bus")
                events.put_rule(Name="kept", EventBusName="kept-bus",
                                EventPattern='{"source":["k"]}', State="DISABLED")
                events.put_targets(Rule="kept", EventBusName="kept-bus",
                                   Targets=[{"Id": "q", "Arn": arn}])
            with Daemon(data_dir=data) as daemon:
                events = boto3_client("events", daemon.endpoint)
                sqs = boto3_client("sqs", daemon.endpoint)
                rule = events.describe_rule(Name="kept", EventBusName="kept-bus")
                self.assertEqual(rule["State"], "DISABLED")
                events.enable_rule(Name="kept", EventBusName="kept-bus")
                events.put_events(Entries=[event(source="k", EventBusName="kept-bus")])
                body = sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"]
                self.assertEqual(json.loads(body)["source"], "k")


if __name__ == "__main__":
    unittest.main()
