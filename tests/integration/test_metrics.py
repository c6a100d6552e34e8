"""GET /metrics against the built daemon: the Prometheus text format (checked by promtool), and
counter values that match the work a boto3 client did: SQS and SNS, and under --clock manual
EventBridge (an SQS target, an API destination that fails into its dead-letter queue after its
retry), SNS HTTP delivery, a saga of the shipped config and a DLQ monitor alert."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.request

from harness import Daemon, boto3_client, call, eventually
from test_events_api_destinations import Endpoint as HttpsEndpoint
from test_sns_boto3 import Endpoint as HttpEndpoint, confirmed_http_subscription

SHIPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config",
                       "eventbrokerd.yaml")

PROMTOOL = shutil.which("promtool")


def scrape(daemon):
    with urllib.request.urlopen(daemon.endpoint + "/metrics", timeout=10) as response:
        return response.headers.get("Content-Type"), response.read().decode()


def samples(text):
    """{'name{labels}': value} of every sample line."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key] = float(value)
    return out


def queue_series(name, account, queue, **labels):
    inner = 'account="%s",queue="%s"' % (account, queue)
    for key, value in labels.items():
        inner += ',%s="%s"' % (key, value)
    return "%s{%s}" % (name, inner)


class MetricsTest(unittest.TestCase):
    def check_format(self, text):
        self.assertIsNotNone(PROMTOOL, "promtool is missing: scripts/setup installs it")
        result = subprocess.run([PROMTOOL, "check", "metrics"], input=text, text=True,
                                capture_output=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def complete_saga(self, daemon, saga_id):
        """Runs one order saga of the shipped config to its completion."""
        order = {"orderId": saga_id, "userId": "u-1", "totalAmount": 25, "currency": "EUR",
                 "items": [{"productId": "SKU-2", "quantity": 1, "price": 25}],
                 "paymentMethod": "card", "shippingAddress": {"street": "1 Main St"}}
        status, body = call(daemon, "POST", "/v1/sagas/order-creation",
                            {"id": saga_id, "input": order})
        self.assertEqual(status, 201, body)
        eventually(lambda: call(daemon, "GET", "/v1/sagas/" + saga_id)[1]["status"]
                   == "completed")

    def test_plugins_and_sagas(self):
        with Daemon("--config", SHIPPED) as daemon:
            self.complete_saga(daemon, "m-1")
            _, text = scrape(daemon)
            self.check_format(text)
            got = samples(text)
            self.assertEqual(got['eventbrokerd_sagas{definition="order-creation",status="completed"}'],
                             1)
            self.assertEqual(got['eventbrokerd_sagas{definition="order-creation",status="stuck"}'], 0)
            # The saga asked the inventory to reserve, and the payment worker to charge.
            for plugin in ("inventory", "payment"):
                self.assertGreaterEqual(got['eventbrokerd_plugin_messages_total{plugin="%s",kind="%s",'
                                            'outcome="handled"}' % (plugin, plugin)], 1)
                self.assertGreaterEqual(got['eventbrokerd_plugin_events_published_total'
                                            '{plugin="%s",kind="%s"}' % (plugin, plugin)], 1)
            self.assertEqual(got['eventbrokerd_plugin_messages_total{plugin="order-creation",'
                                 'kind="saga",outcome="failed"}'], 0)

    def test_counters_match_the_work_done(self):
        with tempfile.TemporaryDirectory() as data, Daemon(data_dir=data) as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            sns = boto3_client("sns", daemon.endpoint)
            account = "000000000000"
            dlq = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
            dlq_arn = "arn:aws:sqs:us-east-1:%s:work-dlq" % account
            url = sqs.create_queue(QueueName="work", Attributes={
                "RedrivePolicy": '{"deadLetterTargetArn":"%s","maxReceiveCount":"1"}' % dlq_arn,
            })["QueueUrl"]
            for i in range(10):
                sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=4, VisibilityTimeout=0)
            self.assertEqual(len(got["Messages"]), 4)
            for m in got["Messages"][:3]:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            # The fourth was received once and is visible again: the next receives move it to
            # the dead-letter queue instead of returning it, until the queue is empty.
            received = 0
            while True:
                batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                            VisibilityTimeout=600).get("Messages", [])
                if not batch:
                    break
                received += len(batch)
            self.assertEqual(received, 6)
            empty = sqs.create_queue(QueueName="empty")["QueueUrl"]
            self.assertNotIn("Messages", sqs.receive_message(QueueUrl=empty))

            topic = sns.create_topic(Name="orders")["TopicArn"]
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=dlq_arn,
                          Attributes={"FilterPolicy": '{"kind":["keep"]}'})
            for kind in ("keep", "drop", "keep"):
                sns.publish(TopicArn=topic, Message="x", MessageAttributes={
                    "kind": {"DataType": "String", "StringValue": kind}})

            content_type, text = scrape(daemon)
            self.assertEqual(content_type, "text/plain; version=0.0.4; charset=utf-8")
            self.check_format(text)
            s = samples(text)
            q = lambda name, **labels: s[queue_series(name, account, "work", **labels)]
            self.assertEqual(q("eventbrokerd_sqs_queue_messages_sent_total"), 10)
            self.assertEqual(q("eventbrokerd_sqs_queue_messages_received_total"), 10)
            self.assertEqual(q("eventbrokerd_sqs_queue_messages_deleted_total"), 3)
            self.assertEqual(q("eventbrokerd_sqs_queue_messages_dead_lettered_total"), 1)
            self.assertEqual(q("eventbrokerd_sqs_queue_messages", state="in_flight"), 6)
            self.assertEqual(q("eventbrokerd_sqs_queue_messages", state="visible"), 0)
            self.assertEqual(s[queue_series("eventbrokerd_sqs_queue_empty_receives_total",
                                            account, "empty")], 1)
            # The DLQ holds the dead letter and the two SNS copies the filter let through.
            self.assertEqual(s[queue_series("eventbrokerd_sqs_queue_messages", account,
                                            "work-dlq", state="visible")], 3)
            topic_series = 'account="%s",topic="orders"' % account
            self.assertEqual(s["eventbrokerd_sns_topic_messages_published_total{%s}"
                               % topic_series], 3)
            self.assertEqual(s["eventbrokerd_sns_topic_notifications_filtered_out_total{%s}"
                               % topic_series], 1)
            self.assertEqual(s["eventbrokerd_sns_topic_notifications_delivered_to_queues_total{%s}"
                               % topic_series], 2)
            self.assertEqual(s['eventbrokerd_sqs_queues{type="standard"}'], 3)
            self.assertEqual(s['eventbrokerd_api_requests_total{api="sqs",action="SendMessage"}'],
                             10)
            self.assertGreater(s["eventbrokerd_storage_write_duration_seconds_count"], 0)
            self.assertGreater(s["eventbrokerd_eventlog_head_sequence"], 0)
            self.assertGreater(s["process_resident_memory_bytes"], 0)

            # Deleting a queue keeps the label-less totals.
            before = s["eventbrokerd_sqs_messages_sent_total"]
            sqs.delete_queue(QueueUrl=url)
            after = samples(scrape(daemon)[1])
            self.assertEqual(after["eventbrokerd_sqs_messages_sent_total"], before)
            self.assertNotIn(queue_series("eventbrokerd_sqs_queue_messages_sent_total", account,
                                          "work"), after)

    def test_eventbridge_sns_http_saga_and_dlq_alert_counters(self):
        with tempfile.TemporaryDirectory() as certs, \
                Daemon("--config", SHIPPED, "--clock", "manual") as daemon:
            https = HttpsEndpoint(certs)
            http_endpoint = HttpEndpoint()
            self.addCleanup(http_endpoint.close)
            self.addCleanup(https.server.shutdown)
            sqs = boto3_client("sqs", daemon.endpoint)
            sns = boto3_client("sns", daemon.endpoint)
            events = boto3_client("events", daemon.endpoint)
            account = "000000000000"
            arn = lambda name: "arn:aws:sqs:us-east-1:%s:%s" % (account, name)

            # EventBridge: 3 events to an SQS target; 1 to an API destination answering 500,
            # with one retry and a dead-letter queue; 1 entry refused.
            target = sqs.create_queue(QueueName="eb-target")["QueueUrl"]
            eb_dlq = sqs.create_queue(QueueName="eb-dlq")["QueueUrl"]
            events.put_rule(Name="to-queue", EventPattern=json.dumps({"source": ["m.ok"]}))
            events.put_targets(Rule="to-queue", Targets=[{"Id": "q", "Arn": arn("eb-target")}])
            connection = events.create_connection(
                Name="c", AuthorizationType="API_KEY",
                AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "k",
                                                          "ApiKeyValue": "v"}})["ConnectionArn"]
            destination = events.create_api_destination(
                Name="failing", ConnectionArn=connection, InvocationEndpoint=https.url + "/fail",
                HttpMethod="POST")["ApiDestinationArn"]
            events.put_rule(Name="to-api", EventPattern=json.dumps({"source": ["m.fail"]}))
            self.assertEqual(events.put_targets(Rule="to-api", Targets=[{
                "Id": "api", "Arn": destination,
                "RetryPolicy": {"MaximumRetryAttempts": 1},
                "DeadLetterConfig": {"Arn": arn("eb-dlq")}}])["FailedEntryCount"], 0)
            entry = lambda source: {"Source": source, "DetailType": "t", "Detail": "{}"}
            put = events.put_events(Entries=[entry("m.ok"), entry("m.ok"), entry("m.ok"),
                                             entry("m.fail"), entry("")])
            self.assertEqual(put["FailedEntryCount"], 1)
            eventually(lambda: len(https.received("/fail")) == 1)
            call(daemon, "POST", "/v1/clock/advance", {"seconds": 2})  # the retry is due
            eventually(lambda: sqs.get_queue_attributes(
                QueueUrl=eb_dlq, AttributeNames=["ApproximateNumberOfMessages"])[
                    "Attributes"]["ApproximateNumberOfMessages"] == "1")

            # SNS HTTP: the confirmation and two notifications, each answered 200.
            topic = sns.create_topic(Name="http-topic")["TopicArn"]
            confirmed_http_subscription(sns, topic, http_endpoint, 0)
            for i in range(2):
                sns.publish(TopicArn=topic, Message="n%d" % i)
                http_endpoint.next()

            # A saga of the shipped config.
            self.complete_saga(daemon, "s-1")

            # A message exhausts its receives into a dead-letter queue the monitor watches.
            sqs.create_queue(QueueName="alerting-dlq")
            source = sqs.create_queue(QueueName="alerting", Attributes={
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn("alerting-dlq"),
                                             "maxReceiveCount": "1"})})["QueueUrl"]
            sqs.send_message(QueueUrl=source, MessageBody="x")
            for _ in range(2):
                sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
            eventually(lambda: call(daemon, "GET", "/v1/plugins/dlq-monitor/alerts")[1]
                       ["alerts"])

            def settled():
                got = samples(scrape(daemon)[1])
                done = got['eventbrokerd_sns_http_deliveries_total{outcome="delivered"}'] == 3
                return got if done else None
            s = eventually(settled)
            _, text = scrape(daemon)
            self.check_format(text)
            bus = lambda name, **labels: s["%s{%s}" % (name, ",".join(
                ['account="%s"' % account, 'bus="default"'] +
                ['%s="%s"' % kv for kv in labels.items()]))]
            self.assertEqual(s['eventbrokerd_eventbridge_events_put_total{outcome="accepted"}'], 4)
            self.assertEqual(s['eventbrokerd_eventbridge_events_put_total{outcome="failed"}'], 1)
            self.assertEqual(bus("eventbrokerd_eventbridge_bus_events_put_total",
                                 outcome="accepted"), 4)
            self.assertEqual(bus("eventbrokerd_eventbridge_bus_rule_matches_total"), 4)
            self.assertEqual(bus("eventbrokerd_eventbridge_bus_invocations_total",
                                 outcome="delivered"), 3)
            self.assertEqual(bus("eventbrokerd_eventbridge_bus_invocations_total",
                                 outcome="failed"), 1)
            self.assertEqual(bus("eventbrokerd_eventbridge_bus_invocation_retries_total"), 1)
            self.assertEqual(bus("eventbrokerd_eventbridge_bus_invocations_dead_lettered_total"),
                             1)
            self.assertEqual(s["eventbrokerd_eventbridge_events_dropped_total"], 0)
            self.assertEqual(s['eventbrokerd_sns_http_posts_total{outcome="delivered"}'], 3)
            self.assertEqual(s['eventbrokerd_sns_http_posts_total{outcome="failed"}'], 0)
            self.assertEqual(s["eventbrokerd_sns_http_retries_total"], 0)
            self.assertEqual(s["eventbrokerd_sns_http_post_duration_seconds_count"], 3)
            definition = '{definition="order-creation"}'
            self.assertEqual(s["eventbrokerd_sagas_started_total" + definition], 1)
            self.assertEqual(s["eventbrokerd_sagas_completed_total" + definition], 1)
            self.assertEqual(s["eventbrokerd_sagas_compensated_total" + definition], 0)
            for step in ("reserve-inventory", "process-payment", "create-order"):
                self.assertEqual(s['eventbrokerd_saga_step_duration_seconds_count{definition='
                                   '"order-creation",step="%s",phase="action"}' % step], 1)
            self.assertEqual(s["eventbrokerd_dlq_alerts_total"], 1)
            self.assertEqual(s['eventbrokerd_dlq_queue_alerts_total{plugin="dlq-monitor",'
                               'queue="alerting-dlq"}'], 1)
            self.assertEqual(s['eventbrokerd_scheduler_invocations_total{outcome="delivered"}'], 0)

    def test_errors_and_odd_names(self):
        with Daemon() as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            sqs.create_queue(QueueName="a-b_c")
            with self.assertRaises(Exception):
                sqs.get_queue_url(QueueName="missing")
            _, text = scrape(daemon)
            self.check_format(text)
            s = samples(text)
            self.assertEqual(s['eventbrokerd_api_errors_total{api="sqs",action="GetQueueUrl",'
                               'kind="client"}'], 1)
            self.assertIn(queue_series("eventbrokerd_sqs_queue_messages", "000000000000",
                                       "a-b_c", state="visible"), s)
            # HEAD answers the headers only; other methods are refused.
            request = urllib.request.Request(daemon.endpoint + "/metrics", method="POST")
            with self.assertRaises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            self.assertEqual(refused.exception.code, 405)

    def test_metrics_off(self):
        # --metrics false: no page (404, the daemon's JSON error), and the AWS API unchanged.
        with Daemon("--metrics", "false") as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            url = sqs.create_queue(QueueName="quiet")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="hi")
            self.assertEqual(sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"], "hi")
            with self.assertRaises(urllib.error.HTTPError) as missing:
                scrape(daemon)
            self.assertEqual(missing.exception.code, 404)
            self.assertIn(b'"NotFound"', missing.exception.read())


if __name__ == "__main__":
    unittest.main()
