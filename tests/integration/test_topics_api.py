"""The topic routes of the native API (GET /v1/topics, /v1/topics/{name}, POST
/v1/topics/{name}/publish) and the filter-policy tester (POST /v1/filter-policies/test) against
the real binary: topics and subscriptions made with boto3 are shown as SNS reports them, a
publish through /v1 arrives in the subscribed queue as a boto3 Publish would, the tester agrees
with what SNS delivered, and errors are SNS's.
"""

import base64
import hashlib
import json
import unittest

from harness import SharedDaemonTest, call, call_json, md5_of_message_attributes

POLICY = {"kind": ["order"], "total": [{"numeric": [">", 100]}]}
BODY_POLICY = {"order": {"status": ["paid"]}}


class TopicsApiTest(SharedDaemonTest):
    CLIENTS = ("sns", "sqs")

    def queue(self, name):
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def topic_with_subscriptions(self, name):
        """A topic with a raw SQS subscription filtering on attributes and one filtering on the
        body (MessageBody scope), each into its own queue."""
        topic = self.sns.create_topic(Name=name, Tags=[{"Key": "team", "Value": "checkout"}])
        topic_arn = topic["TopicArn"]
        by_attributes, by_attributes_arn = self.queue(name + "-attrs")
        by_body, by_body_arn = self.queue(name + "-body")
        _, dlq_arn = self.queue(name + "-dlq")
        first = self.sns.subscribe(
            TopicArn=topic_arn, Protocol="sqs", Endpoint=by_attributes_arn,
            Attributes={"FilterPolicy": json.dumps(POLICY), "RawMessageDelivery": "true",
                        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})},
            ReturnSubscriptionArn=True)["SubscriptionArn"]
        second = self.sns.subscribe(
            TopicArn=topic_arn, Protocol="sqs", Endpoint=by_body_arn,
            Attributes={"FilterPolicy": json.dumps(BODY_POLICY),
                        "FilterPolicyScope": "MessageBody"},
            ReturnSubscriptionArn=True)["SubscriptionArn"]
        return {"arn": topic_arn, "attrs_queue": by_attributes, "body_queue": by_body,
                "attrs_sub": first, "body_sub": second, "dlq_arn": dlq_arn}

    def receive_all(self, url):
        messages = []
        while True:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                           MessageAttributeNames=["All"]).get("Messages", [])
            if not got:
                return messages
            messages.extend(got)
            for m in got:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    def try_policy(self, policy, scope=None, attributes=None, message=None):
        body = {"filterPolicy": policy}
        if scope:
            body["scope"] = scope
        if attributes is not None:
            body["messageAttributes"] = attributes
        if message is not None:
            body["message"] = message
        return call(self.daemon, "POST", "/v1/filter-policies/test", body)

    def test_list_and_get_show_topics_subscriptions_and_policies(self):
        t = self.topic_with_subscriptions("tpa-orders")
        self.sns.create_topic(Name="tpa-orders.fifo", Attributes={"FifoTopic": "true"})
        status, body = call(self.daemon, "GET", "/v1/topics?prefix=tpa-")
        self.assertEqual(status, 200, body)
        self.assertEqual([x["name"] for x in body["topics"]], ["tpa-orders", "tpa-orders.fifo"])
        listed, fifo = body["topics"]
        self.assertEqual((listed["arn"], listed["type"], fifo["type"]), (t["arn"], "standard", "fifo"))
        self.assertEqual((listed["subscriptionsConfirmed"], listed["subscriptionsPending"]), (2, 0))

        status, body = call(self.daemon, "GET", "/v1/topics/tpa-orders")
        self.assertEqual(status, 200, body)
        expected = self.sns.get_topic_attributes(TopicArn=t["arn"])["Attributes"]
        self.assertEqual(body["attributes"], expected)
        self.assertEqual(body["tags"], {"team": "checkout"})
        subscriptions = {s["arn"]: s for s in body["subscriptions"]}
        self.assertEqual(set(subscriptions), {t["attrs_sub"], t["body_sub"]})
        for arn, shown in subscriptions.items():
            attributes = self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
            self.assertEqual(shown["filterPolicy"], attributes["FilterPolicy"])
            self.assertEqual(shown["filterPolicyScope"], attributes["FilterPolicyScope"])
            self.assertEqual(shown["endpoint"], attributes["Endpoint"])
            self.assertEqual(shown["protocol"], "sqs")
            self.assertTrue(shown["confirmed"])
        first = subscriptions[t["attrs_sub"]]
        self.assertEqual(json.loads(first["filterPolicy"]), POLICY)
        self.assertTrue(first["rawMessageDelivery"])
        self.assertEqual(first["deadLetterTargetArn"], t["dlq_arn"])
        self.assertEqual(first["deadLetterTarget"], "tpa-orders-dlq")
        second = subscriptions[t["body_sub"]]
        self.assertEqual(second["filterPolicyScope"], "MessageBody")
        self.assertFalse(second["rawMessageDelivery"])
        self.assertIsNone(second["redrivePolicy"])

    def test_a_publish_arrives_with_its_attributes_and_md5s(self):
        t = self.topic_with_subscriptions("tpb-orders")
        attributes = {"kind": {"dataType": "String", "stringValue": "order"},
                      "total": {"dataType": "Number", "stringValue": "250"},
                      "blob": {"dataType": "Binary",
                               "binaryValue": base64.b64encode(b"\x00\x01\xff").decode()}}
        message = json.dumps({"order": {"id": "o-1", "status": "paid"}})
        status, answer = call(self.daemon, "POST", "/v1/topics/tpb-orders/publish",
                              {"message": message, "subject": "new order",
                               "messageAttributes": attributes})
        self.assertEqual(status, 201, answer)
        self.assertNotIn("sequenceNumber", answer)

        [raw] = self.receive_all(t["attrs_queue"])
        self.assertEqual(raw["Body"], message)
        self.assertEqual(raw["MD5OfBody"], hashlib.md5(message.encode()).hexdigest())
        self.assertEqual(raw["MessageAttributes"]["kind"],
                         {"DataType": "String", "StringValue": "order"})
        self.assertEqual(raw["MessageAttributes"]["total"],
                         {"DataType": "Number", "StringValue": "250"})
        self.assertEqual(raw["MessageAttributes"]["blob"],
                         {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"})
        self.assertEqual(raw["MD5OfMessageAttributes"],
                         md5_of_message_attributes(raw["MessageAttributes"]))
        # The body-scoped subscription gets SNS's envelope, naming the /v1 message id.
        [wrapped] = self.receive_all(t["body_queue"])
        envelope = json.loads(wrapped["Body"])
        self.assertEqual((envelope["Type"], envelope["MessageId"], envelope["TopicArn"]),
                         ("Notification", answer["messageId"], t["arn"]))
        self.assertEqual((envelope["Message"], envelope["Subject"]), (message, "new order"))
        self.assertEqual(envelope["MessageAttributes"]["total"], {"Type": "Number", "Value": "250"})
        self.assertEqual(wrapped["MD5OfBody"], hashlib.md5(wrapped["Body"].encode()).hexdigest())

        status, body = call(self.daemon, "GET", "/v1/topics/tpb-orders")
        self.assertEqual((body["published"], body["delivered"], body["filteredOut"]), (1, 2, 0))

    def test_the_tester_agrees_with_what_sns_delivered(self):
        t = self.topic_with_subscriptions("tpc-orders")
        _, shown = call(self.daemon, "GET", "/v1/topics/tpc-orders")
        policies = {s["arn"]: (s["filterPolicy"], s["filterPolicyScope"])
                    for s in shown["subscriptions"]}
        cases = [
            ({"kind": "order", "total": "250"}, {"order": {"status": "paid"}}),
            ({"kind": "order", "total": "50"}, {"order": {"status": "paid"}}),
            ({"kind": "refund", "total": "500"}, {"order": {"status": "open"}}),
            ({"kind": "order", "total": "101"}, {"order": {"status": "open"}}),
        ]
        predicted = {t["attrs_sub"]: set(), t["body_sub"]: set()}
        for i, (values, document) in enumerate(cases):
            sdk_attributes = {
                "kind": {"DataType": "String", "StringValue": values["kind"]},
                "total": {"DataType": "Number", "StringValue": values["total"]}}
            message = json.dumps(dict(document, case=i))
            for arn, (policy, scope) in policies.items():
                status, answer = self.try_policy(
                    policy, scope, message=message,
                    attributes={k: {"dataType": v["DataType"], "stringValue": v["StringValue"]}
                                for k, v in sdk_attributes.items()})
                self.assertEqual(status, 200, answer)
                if answer["matches"]:
                    predicted[arn].add(i)
            self.sns.publish(TopicArn=t["arn"], Message=message, MessageAttributes=sdk_attributes)

        delivered_raw = {json.loads(m["Body"])["case"] for m in self.receive_all(t["attrs_queue"])}
        delivered_body = {json.loads(json.loads(m["Body"])["Message"])["case"]
                          for m in self.receive_all(t["body_queue"])}
        # Both outcomes occur for each subscription, and the tester called every one.
        self.assertEqual(predicted[t["attrs_sub"]], {0, 3})
        self.assertEqual(predicted[t["body_sub"]], {0, 1})
        self.assertEqual(delivered_raw, predicted[t["attrs_sub"]])
        self.assertEqual(delivered_body, predicted[t["body_sub"]])
        _, after = call(self.daemon, "GET", "/v1/topics/tpc-orders")
        self.assertEqual((after["published"], after["delivered"], after["filteredOut"]), (4, 4, 4))

    def test_errors_are_snss(self):
        from botocore.exceptions import ClientError

        topic_arn = self.sns.create_topic(Name="tpd-orders")["TopicArn"]
        missing_arn = topic_arn.replace("tpd-orders", "tpd-missing")

        def sdk_error(fn, **kwargs):
            with self.assertRaises(ClientError) as ctx:
                fn(**kwargs)
            error = ctx.exception.response["Error"]
            return ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], error["Code"], \
                error["Message"]

        def v1_error(path, body):
            status, answer = call(self.daemon, "POST", path, body)
            return status, answer["error"]["code"], answer["error"]["message"]

        # The same errors as Publish: an unknown topic, an empty message, a bad attribute.
        self.assertEqual(v1_error("/v1/topics/tpd-missing/publish", {"message": "x"}),
                         sdk_error(self.sns.publish, TopicArn=missing_arn, Message="x"))
        self.assertEqual(v1_error("/v1/topics/tpd-orders/publish", {"message": ""}),
                         sdk_error(self.sns.publish, TopicArn=topic_arn, Message=""))
        self.assertEqual(
            v1_error("/v1/topics/tpd-orders/publish",
                     {"message": "x",
                      "messageAttributes": {"n": {"dataType": "Number", "stringValue": "many"}}}),
            sdk_error(self.sns.publish, TopicArn=topic_arn, Message="x",
                      MessageAttributes={"n": {"DataType": "Number", "StringValue": "many"}}))
        # An invalid policy: what Subscribe says of it.
        queue_arn = self.queue("tpd-inbox")[1]
        for policy in ({"kind": "order"}, {"total": [{"numeric": ["<"]}]}):
            self.assertEqual(
                v1_error("/v1/filter-policies/test", {"filterPolicy": policy}),
                sdk_error(self.sns.subscribe, TopicArn=topic_arn, Protocol="sqs",
                          Endpoint=queue_arn, Attributes={"FilterPolicy": json.dumps(policy)}))
        status, answer = call(self.daemon, "GET", "/v1/topics/tpd-missing")
        self.assertEqual((status, answer["error"]["code"]), (404, "NotFound"))
        status, answer = call(self.daemon, "POST", "/v1/topics/tpd-orders/publish", raw="{oops")
        self.assertEqual((status, answer["error"]["code"]), (400, "MalformedRequest"))
        status, answer, response = call_json(self.daemon, "GET", "/v1/topics/tpd-orders/publish")
        self.assertEqual((status, answer["error"]["code"]), (405, "MethodNotAllowed"))
        self.assertEqual(response.getheader("Allow"), "POST")
        status, answer, response = call_json(self.daemon, "DELETE", "/v1/filter-policies/test")
        self.assertEqual((status, response.getheader("Allow")), (405, "POST"))


if __name__ == "__main__":
    unittest.main()
