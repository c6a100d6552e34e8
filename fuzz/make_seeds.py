#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/corpus/ from the test suites: the policies, patterns, form
bodies, YAML and /v1 calls of the unit tests, and the requests boto3 sends for the calls the
integration tests make (captured before sending; nothing is started). Replaces the seed-*
files of each corpus and leaves inputs that fuzzing found (and regression inputs) alone.

    python3 fuzz/make_seeds.py
"""
import json
import pathlib
import re
import urllib.parse

import boto3
import botocore.config

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
UNIT = ROOT / "tests" / "unit"
RAW = re.compile(r'R"\((.*?)\)"', re.S)


def raw_strings(path):
    return RAW.findall(path.read_text())


def compact(text):
    try:
        return json.dumps(json.loads(text), separators=(",", ":"))
    except ValueError:
        return None


def write(target, seeds, limit=60):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("seed-*"):
        old.unlink()
    unique = list(dict.fromkeys(s for s in seeds if s))[:limit]
    for i, seed in enumerate(unique):
        data = seed if isinstance(seed, bytes) else seed.encode()
        (folder / f"seed-{i:03d}").write_bytes(data)
    print(f"{target}: {len(unique)} seeds")


# --- requests as boto3 sends them -------------------------------------------------------------

class Captured(Exception):
    pass


def capture(service, calls):
    """The AWSPreparedRequest of each call, stopped before it leaves."""
    client = boto3.client(service, endpoint_url="http://localhost:4566", region_name="us-east-1",
                          aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                          config=botocore.config.Config(retries={"max_attempts": 0}))
    sent = []

    def stop(request, **_):
        sent.append(request)
        raise Captured()

    client.meta.events.register("before-send", stop)
    for name, kwargs in calls:
        try:
            getattr(client, name)(**kwargs)
        except Captured:
            pass
    return sent


def body_of(request):
    body = request.body or b""
    return body if isinstance(body, bytes) else body.encode()


def http_text(request):
    url = urllib.parse.urlsplit(request.url)
    target = url.path + ("?" + url.query if url.query else "")
    body = body_of(request)
    lines = [f"{request.method} {target or '/'} HTTP/1.1", "Host: localhost:4566"]
    for name, value in request.headers.items():
        if name.lower() in ("host", "content-length"):
            continue
        lines.append(f"{name}: {value.decode() if isinstance(value, bytes) else value}")
    lines.append(f"Content-Length: {len(body)}")
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + body


QUEUE = "http://localhost:4566/000000000000/orders"
FIFO = "http://localhost:4566/000000000000/orders.fifo"
ATTRS = {"eventType": {"DataType": "String", "StringValue": "order.created"},
         "amount": {"DataType": "Number", "StringValue": "42.5"},
         "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}
SQS_CALLS = [
    ("create_queue", {"QueueName": "orders", "Attributes": {"VisibilityTimeout": "30"}}),
    ("create_queue", {"QueueName": "orders.fifo", "Attributes": {
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope":
        "messageGroup", "FifoThroughputLimit": "perMessageGroupId"}, "tags": {"team": "a"}}),
    ("create_queue", {"QueueName": "dlq"}),
    ("get_queue_url", {"QueueName": "orders"}),
    ("set_queue_attributes", {"QueueUrl": QUEUE, "Attributes": {"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq", "maxReceiveCount": 2})}}),
    ("send_message", {"QueueUrl": QUEUE, "MessageBody": "hello", "DelaySeconds": 2,
                      "MessageAttributes": ATTRS}),
    ("send_message", {"QueueUrl": FIFO, "MessageBody": '{"id":1}', "MessageGroupId": "g1",
                      "MessageDeduplicationId": "d1",
                      "MessageSystemAttributes": {"AWSTraceHeader": {
                          "DataType": "String", "StringValue": "Root=1-5-6"}}}),
    ("send_message_batch", {"QueueUrl": QUEUE, "Entries": [
        {"Id": "a", "MessageBody": "one"},
        {"Id": "b", "MessageBody": "two", "DelaySeconds": 1, "MessageAttributes": ATTRS}]}),
    ("receive_message", {"QueueUrl": QUEUE, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 2,
                         "VisibilityTimeout": 5, "MessageAttributeNames": ["All"],
                         "MessageSystemAttributeNames": ["ApproximateReceiveCount"]}),
    ("receive_message", {"QueueUrl": FIFO, "ReceiveRequestAttemptId": "try-1",
                         "AttributeNames": ["All"]}),
    ("delete_message", {"QueueUrl": QUEUE, "ReceiptHandle": "AQEB-handle"}),
    ("delete_message_batch", {"QueueUrl": QUEUE, "Entries": [{"Id": "a", "ReceiptHandle": "h"}]}),
    ("change_message_visibility", {"QueueUrl": QUEUE, "ReceiptHandle": "h",
                                   "VisibilityTimeout": 0}),
    ("change_message_visibility_batch", {"QueueUrl": QUEUE, "Entries": [
        {"Id": "a", "ReceiptHandle": "h", "VisibilityTimeout": 10}]}),
    ("get_queue_attributes", {"QueueUrl": QUEUE, "AttributeNames": ["All"]}),
    ("list_queues", {"QueueNamePrefix": "ord", "MaxResults": 5}),
    ("tag_queue", {"QueueUrl": QUEUE, "Tags": {"env": "dev"}}),
    ("untag_queue", {"QueueUrl": QUEUE, "TagKeys": ["env"]}),
    ("list_queue_tags", {"QueueUrl": QUEUE}),
    ("list_dead_letter_source_queues", {"QueueUrl": QUEUE}),
    ("start_message_move_task", {"SourceArn": "arn:aws:sqs:us-east-1:000000000000:dlq",
                                 "MaxNumberOfMessagesPerSecond": 10}),
    ("list_message_move_tasks", {"SourceArn": "arn:aws:sqs:us-east-1:000000000000:dlq"}),
    ("add_permission", {"QueueUrl": QUEUE, "Label": "l", "AWSAccountIds": ["111122223333"],
                        "Actions": ["SendMessage"]}),
    ("remove_permission", {"QueueUrl": QUEUE, "Label": "l"}),
    ("purge_queue", {"QueueUrl": QUEUE}),
    ("delete_queue", {"QueueUrl": QUEUE}),
]
TOPIC = "arn:aws:sns:us-east-1:000000000000:orders"
SNS_CALLS = [
    ("create_topic", {"Name": "orders", "Attributes": {"DisplayName": "Orders"},
                      "Tags": [{"Key": "team", "Value": "a"}]}),
    ("create_topic", {"Name": "orders.fifo", "Attributes": {
        "FifoTopic": "true", "ContentBasedDeduplication": "true"}}),
    ("subscribe", {"TopicArn": TOPIC, "Protocol": "sqs",
                   "Endpoint": "arn:aws:sqs:us-east-1:000000000000:orders",
                   "Attributes": {"RawMessageDelivery": "true", "FilterPolicy": json.dumps(
                       {"eventType": ["order.created"], "amount": [{"numeric": [">", 10]}]})},
                   "ReturnSubscriptionArn": True}),
    ("subscribe", {"TopicArn": TOPIC, "Protocol": "http", "Endpoint": "http://127.0.0.1:9/hook"}),
    ("publish", {"TopicArn": TOPIC, "Message": "hello", "Subject": "s",
                 "MessageAttributes": ATTRS}),
    ("publish", {"TopicArn": TOPIC, "MessageStructure": "json",
                 "Message": json.dumps({"default": "d", "sqs": "q"})}),
    ("publish_batch", {"TopicArn": TOPIC, "PublishBatchRequestEntries": [
        {"Id": "1", "Message": "a"}, {"Id": "2", "Message": "b", "MessageAttributes": ATTRS}]}),
    ("set_topic_attributes", {"TopicArn": TOPIC, "AttributeName": "DeliveryPolicy",
                              "AttributeValue": json.dumps({"http": {"defaultHealthyRetryPolicy": {
                                  "numRetries": 3}}})}),
    ("set_subscription_attributes", {"SubscriptionArn": TOPIC + ":1",
                                     "AttributeName": "FilterPolicyScope",
                                     "AttributeValue": "MessageBody"}),
    ("get_topic_attributes", {"TopicArn": TOPIC}),
    ("list_topics", {}),
    ("list_subscriptions_by_topic", {"TopicArn": TOPIC}),
    ("tag_resource", {"ResourceArn": TOPIC, "Tags": [{"Key": "k", "Value": "v"}]}),
    ("untag_resource", {"ResourceArn": TOPIC, "TagKeys": ["k"]}),
    ("create_platform_application", {"Name": "app", "Platform": "GCM",
                                     "Attributes": {"PlatformCredential": "key"}}),
    ("set_sms_attributes", {"attributes": {"DefaultSMSType": "Transactional"}}),
    ("publish", {"PhoneNumber": "+15555550100", "Message": "code 1234"}),
    ("add_permission", {"TopicArn": TOPIC, "Label": "l", "AWSAccountId": ["111122223333"],
                        "ActionName": ["Publish"]}),
    ("unsubscribe", {"SubscriptionArn": TOPIC + ":1"}),
    ("delete_topic", {"TopicArn": TOPIC}),
]
PATTERN = json.dumps({"source": ["orders"], "detail-type": ["created"],
                      "detail": {"amount": [{"numeric": [">", 10]}]}})
EVENT = {"Source": "orders", "DetailType": "created", "Detail": json.dumps({"amount": 42})}
EVENTS_SCENARIOS = [
    [("create_event_bus", {"Name": "orders-bus"}),
     ("put_rule", {"Name": "r1", "EventBusName": "orders-bus", "EventPattern": PATTERN}),
     ("put_targets", {"Rule": "r1", "EventBusName": "orders-bus", "Targets": [
         {"Id": "q", "Arn": "arn:aws:sqs:us-east-1:000000000000:orders"}]}),
     ("put_events", {"Entries": [dict(EVENT, EventBusName="orders-bus")]})],
    [("put_rule", {"Name": "t", "EventPattern": PATTERN}),
     ("put_targets", {"Rule": "t", "Targets": [
         {"Id": "x", "Arn": "arn:aws:sns:us-east-1:000000000000:orders",
          "InputTransformer": {"InputPathsMap": {"a": "$.detail.amount"},
                               "InputTemplate": '{"amount": <a>}'}},
         {"Id": "y", "Arn": "arn:aws:sqs:us-east-1:000000000000:orders", "InputPath": "$.detail",
          "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"},
          "RetryPolicy": {"MaximumRetryAttempts": 2}}]}),
     ("put_events", {"Entries": [EVENT, {"Source": "x", "DetailType": "y", "Detail": "{}"}]}),
     ("list_targets_by_rule", {"Rule": "t"}), ("remove_targets", {"Rule": "t", "Ids": ["x"]}),
     ("delete_rule", {"Name": "t"})],
    [("put_rule", {"Name": "every", "ScheduleExpression": "rate(5 minutes)"}),
     ("describe_rule", {"Name": "every"}), ("disable_rule", {"Name": "every"}),
     ("list_rules", {"NamePrefix": "ev", "Limit": 5})],
    [("test_event_pattern", {"EventPattern": PATTERN, "Event": json.dumps(
        {"id": "1", "account": "000000000000", "source": "orders", "time": "2024-01-01T00:00:00Z",
         "region": "us-east-1", "resources": [], "detail-type": "created",
         "detail": {"amount": 11}})})],
    [("create_archive", {"ArchiveName": "a1", "EventSourceArn":
                         "arn:aws:events:us-east-1:000000000000:event-bus/default",
                         "EventPattern": PATTERN, "RetentionDays": 1}),
     ("put_events", {"Entries": [EVENT]}), ("describe_archive", {"ArchiveName": "a1"}),
     ("start_replay", {"ReplayName": "p1", "EventSourceArn":
                       "arn:aws:events:us-east-1:000000000000:archive/a1",
                       "EventStartTime": 1699990000, "EventEndTime": 1699999000,
                       "Destination": {"Arn":
                                       "arn:aws:events:us-east-1:000000000000:event-bus/default"}}),
     ("list_replays", {})],
    [("create_connection", {"Name": "c", "AuthorizationType": "API_KEY", "AuthParameters": {
        "ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}}),
     ("create_api_destination", {"Name": "d", "ConnectionArn":
                                 "arn:aws:events:us-east-1:000000000000:connection/c/1",
                                 "InvocationEndpoint": "https://127.0.0.1:9/x",
                                 "HttpMethod": "POST", "InvocationRateLimitPerSecond": 1}),
     ("describe_connection", {"Name": "c"}), ("list_api_destinations", {})],
    [("put_permission", {"Action": "events:PutEvents", "Principal": "111122223333",
                         "StatementId": "s"}),
     ("describe_event_bus", {}),
     ("tag_resource", {"ResourceARN": "arn:aws:events:us-east-1:000000000000:event-bus/default",
                       "Tags": [{"Key": "k", "Value": "v"}]}),
     ("list_event_buses", {})],
    [("create_endpoint", {"Name": "e", "RoutingConfig": {"FailoverConfig": {
        "Primary": {"HealthCheck": "arn:aws:route53:::healthcheck/1"},
        "Secondary": {"Route": "us-west-2"}}}, "EventBuses": [
        {"EventBusArn": "arn:aws:events:us-east-1:000000000000:event-bus/default"},
        {"EventBusArn": "arn:aws:events:us-west-2:000000000000:event-bus/default"}]}),
     ("create_partner_event_source", {"Name": "aws.partner/acme/x", "Account": "000000000000"}),
     ("put_partner_events", {"Entries": [{"Source": "aws.partner/acme/x", "DetailType": "t",
                                          "Detail": "{}"}]})],
]
SCHEDULER_SCENARIOS = [
    [("create_schedule_group", {"Name": "g", "Tags": [{"Key": "k", "Value": "v"}]}),
     ("create_schedule", {"Name": "s", "GroupName": "g", "ScheduleExpression": "rate(1 minute)",
                          "FlexibleTimeWindow": {"Mode": "OFF"}, "Target": {
                              "Arn": "arn:aws:sqs:us-east-1:000000000000:orders",
                              "RoleArn": "arn:aws:iam::000000000000:role/r", "Input": "{}"}}),
     ("get_schedule", {"Name": "s", "GroupName": "g"}),
     ("list_schedules", {"GroupName": "g", "NamePrefix": "s", "MaxResults": 5})],
    [("create_schedule", {"Name": "once", "ScheduleExpression": "at(2030-01-01T00:00:00)",
                          "ScheduleExpressionTimezone": "Europe/Paris",
                          "ActionAfterCompletion": "DELETE",
                          "FlexibleTimeWindow": {"Mode": "FLEXIBLE",
                                                 "MaximumWindowInMinutes": 5},
                          "Target": {"Arn": "arn:aws:sns:us-east-1:000000000000:orders",
                                     "RoleArn": "arn:aws:iam::000000000000:role/r",
                                     "RetryPolicy": {"MaximumRetryAttempts": 3},
                                     "DeadLetterConfig": {
                                         "Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"}}}),
     ("update_schedule", {"Name": "once", "ScheduleExpression": "cron(0 12 * * ? *)",
                          "FlexibleTimeWindow": {"Mode": "OFF"}, "State": "DISABLED",
                          "Target": {"Arn": "arn:aws:sqs:us-east-1:000000000000:orders",
                                     "RoleArn": "arn:aws:iam::000000000000:role/r"}}),
     ("delete_schedule", {"Name": "once"})],
    [("get_schedule_group", {"Name": "default"}), ("list_schedule_groups", {}),
     ("tag_resource", {"ResourceArn": "arn:aws:scheduler:us-east-1:000000000000:schedule-group/g",
                       "Tags": [{"Key": "a", "Value": "b"}]}),
     ("untag_resource", {"ResourceArn":
                         "arn:aws:scheduler:us-east-1:000000000000:schedule-group/g",
                         "TagKeys": ["a"]}),
     ("delete_schedule_group", {"Name": "g"})],
]
# The /v1 calls of docs/admin-api.md, on the queues, topic and bus the admin_v1 target declares.
ADMIN_SCENARIOS = [
    ['POST /v1/queues/orders/messages {"body":"{\\"orderId\\":\\"42\\"}","messageAttributes":'
     '{"eventType":{"dataType":"String","stringValue":"order.created"}}}',
     "GET /v1/queues/orders/messages?state=visible&limit=5", "GET /v1/queues/orders",
     "GET /v1/queues?prefix=ord", "POST /v1/queues/orders/purge"],
    ['POST /v1/queues/orders-dlq/messages {"body":"x"}',
     'POST /v1/queues/orders-dlq/redrive {"destination":null,"maxPerSecond":50}',
     "GET /v1/queues/orders-dlq/redrive", "DELETE /v1/queues/orders-dlq/redrive"],
    ['POST /v1/topics/orders/publish {"message":"{\\"orderId\\":\\"42\\"}","subject":"new order",'
     '"messageAttributes":{"eventType":{"dataType":"String","stringValue":"order.created"},'
     '"total":{"dataType":"Number","stringValue":"40"}}}', "GET /v1/topics/orders",
     'POST /v1/filter-policies/test {"filterPolicy":{"eventType":["order.created"],"total":'
     '[{"numeric":[">",100]}]},"messageAttributes":{"eventType":{"dataType":"String",'
     '"stringValue":"order.created"},"total":{"dataType":"Number","stringValue":"40"}}}'],
    ['POST /v1/buses/default/events {"source":"shop","detailType":"OrderPlaced","detail":'
     '{"orderId":"42","total":40}}', "GET /v1/buses", "GET /v1/buses/default",
     'POST /v1/event-patterns/test {"eventPattern":{"source":["shop"]},"event":{"id":"1",'
     '"account":"000000000000","source":"shop","time":"2024-01-01T00:00:00Z","region":'
     '"us-east-1","resources":[],"detail-type":"OrderPlaced","detail":{}}}'],
    ['POST /v1/streams/order-1/events {"expectedVersion":0,"events":[{"id":"e1","type":'
     '"order.created","correlationId":"c1","source":"order-service","data":{"total":40}}]}',
     "GET /v1/streams/order-1/events", "GET /v1/streams/order-1/state",
     "GET /v1/events?source=order-service&limit=5", "GET /v1/trace/c1",
     'POST /v1/replays {"fromSeq":1,"types":["order.created"],"target":'
     '"http://localhost:4566/000000000000/orders","ratePerSecond":10}', "GET /v1/replays"],
]
STS_CALLS = [("get_caller_identity", {}),
             ("assume_role", {"RoleArn": "arn:aws:iam::000000000000:role/r",
                              "RoleSessionName": "session", "DurationSeconds": 900})]


def main():
    sqs = capture("sqs", SQS_CALLS)
    sns = capture("sns", SNS_CALLS)
    sts = capture("sts", STS_CALLS)
    events = [capture("events", s) for s in EVENTS_SCENARIOS]
    scheduler = [capture("scheduler", s) for s in SCHEDULER_SCENARIOS]

    unit_forms = [m.encode() for f in UNIT.glob("api/**/*_test.cpp")
                  for m in re.findall(r'"(Action=[^"]*)"', f.read_text())]
    forms = [body_of(r) for r in sns + sts] + unit_forms
    write("sqs_json", [body_of(r) for r in sqs] +
          [c for f in UNIT.glob("api/sqs/*_test.cpp") for s in raw_strings(f)
           if (c := compact(s)) and c.startswith("{")])
    write("query_form", forms)
    write("writers", forms[:30] + [b"a=%00%01%0D%0A%09&%3C%3E%26%22%27=%C3%A9%E2%82%AC%F0%9F%98%80",
                                   b"%FF%FE=%7F", b"plain text with no pairs < & >"])

    def lines(requests, render):
        return b"\n".join(render(r) for r in requests)

    write("events_json", [lines(s, lambda r: r.headers["X-Amz-Target"].split(b".")[-1] + b" " +
                                body_of(r)) for s in events] +
          [b"PutEvents " + body_of(r) for s in events for r in s])

    def rest_line(r):
        url = urllib.parse.urlsplit(r.url)
        target = url.path + ("?" + url.query if url.query else "")
        return f"{r.method} {target} ".encode() + body_of(r)

    write("scheduler_json", [lines(s, rest_line) for s in scheduler] +
          [rest_line(r) for s in scheduler for r in s])
    everything = sqs + sns + sts + [r for s in events + scheduler for r in s]
    write("http_request", [http_text(r) for r in everything] +
          [b"".join(http_text(r) for r in sqs[:9]),
           b"".join(http_text(r) for r in sns[:7]),
           b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n",
           b"POST /v1/reset HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n",
           b"GET /v1/topology HTTP/1.1\r\nHost: localhost\r\n\r\n",
           b"POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Type: "
           b"application/x-www-form-urlencoded\r\n\r\n11\r\nAction=ListQueues\r\n0\r\n\r\n"])

    def sigv4_seed(r):
        url = urllib.parse.urlsplit(r.url)
        headers = [f"{k}: {v.decode() if isinstance(v, bytes) else v}"
                   for k, v in r.headers.items() if k != "Authorization"]
        auth = r.headers["Authorization"]
        auth = auth.decode() if isinstance(auth, bytes) else auth
        target = url.path + ("?" + url.query if url.query else "")
        return "\n".join([auth, target, "host: localhost:4566"] + headers)

    presigned = ("\n/?Action=ListQueues&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                 "AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsqs%2Faws4_request&X-Amz-Date="
                 "20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature="
                 + "0" * 64 + "\nhost: example.amazonaws.com")
    write("sigv4", [sigv4_seed(r) for r in everything[:20]] + [presigned] +
          [s for s in re.findall(r'"(AWS4-HMAC-SHA256[^"]*)"',
                                 (UNIT / "api/aws/sigv4_test.cpp").read_text())])

    # Unit test rows: {pattern, event, expected} and {policy, attributes, expected}.
    pattern_rows = re.findall(r'\{R"\((.*?)\)",\s*R"\((.*?)\)"',
                              (UNIT / "matching/event_pattern_test.cpp").read_text(), re.S)
    seeds = []
    for pattern, event in pattern_rows:
        p, e = compact(pattern), compact(event)
        if p and e:
            seeds.append(f"{e}\n{p}")
    patterns = [c for f in UNIT.glob("matching/event_pattern*_test.cpp") for s in raw_strings(f)
                if (c := compact(s)) and c.startswith("{")]
    seeds += ['{"source":"orders","detail":{"amount":42}}\n' + "\n".join(patterns[i:i + 4])
              for i in range(0, len(patterns), 4)]
    write("event_pattern", seeds)

    policies = [c for s in raw_strings(UNIT / "matching/filter_policy_test.cpp")
                if (c := compact(s)) and c.startswith("{")]

    def attribute_lines(policy):
        out = []
        for key, values in json.loads(policy).items():
            if isinstance(values, list) and values:
                value = values[0]
                if isinstance(value, (int, float)):
                    out.append(f"{key} Number {value}")
                elif isinstance(value, str):
                    out.append(f"{key} String {value}")
                else:
                    out.append(f'{key} String.Array ["x",1,true]')
        return out

    write("filter_policy", ["\n".join([p, p] + attribute_lines(p)) for p in policies])

    yaml = [s for f in list(UNIT.glob("config/*_test.cpp")) + [UNIT / "app/topology_test.cpp"]
            for s in raw_strings(f) if ":" in s and "\n" in s]
    write("config_yaml", [(ROOT / "config/eventbrokerd.yaml").read_text()] + yaml)

    calls = []
    for f in UNIT.glob("api/admin/*_test.cpp"):
        text = f.read_text()
        for m in re.finditer(r'(?:call\(http::verb::(\w+)|(?<![\w.])(get|post)\()\s*,?\s*"(/[^"]*)"'
                             r'(?:,\s*((?:R"\(.*?\)"\s*)+))?', text, re.S):
            method = (m.group(1) or m.group(2)).upper()
            body = "".join(RAW.findall(m.group(4) or ""))
            calls.append(f"{method} {m.group(3)} {compact(body) or body}".rstrip())
    write("admin_v1", ["\n".join(s) for s in ADMIN_SCENARIOS] +
          ["\n".join(calls[i:i + 5]) for i in range(0, len(calls), 5)])


if __name__ == "__main__":
    main()
