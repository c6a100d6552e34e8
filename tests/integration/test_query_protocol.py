"""SQS over the query protocol, as older SDKs speak it: form-encoded POST bodies signed with
SigV4 (botocore's own signer), XML responses. Also the JSON protocol's error wire facts.

Requests are built by hand and sent with http.client to 127.0.0.1, so the tests see exactly
the bytes on the wire; the assertions follow AWS's documented response structure.
"""
import base64
import hashlib
import http.client
import json
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import Daemon, md5_of_message_attributes

NS = "http://queue.amazonaws.com/doc/2012-11-05/"
VERSION = "2012-11-05"
REGION = "us-east-1"
ACCOUNT = "000000000000"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
TIMEOUT = 10


# ---------------------------------------------------------------- helpers (also used by
# test_bad_input)

def port_of(endpoint):
    return urllib.parse.urlsplit(endpoint).port


def signed_headers(method, url, body=b"", headers=None, service="sqs"):
    """Headers for `method url` with `body`, signed by botocore's SigV4 signer."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(Credentials("test", "test"), service, REGION).add_auth(request)
    return {k: v for k, v in request.headers.items()}


def http_request(endpoint, method, path, body=b"", headers=None, sign=True, timeout=TIMEOUT):
    """One request on a fresh connection; returns (status, lower-cased headers, body bytes)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = dict(headers or {})
    if sign:
        headers = signed_headers(method, endpoint + path, body, headers)
    connection = http.client.HTTPConnection("127.0.0.1", port_of(endpoint), timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        connection.close()


def form_body(action, params=(), version=True):
    pairs = [("Action", action)] if action is not None else []
    if version:
        pairs.append(("Version", VERSION))
    pairs.extend(params.items() if isinstance(params, dict) else params)
    # quote_plus, as the SDKs' query serializers do: spaces become '+'.
    return urllib.parse.urlencode(pairs).encode("ascii")


def json_request(endpoint, action, payload, target_prefix="AmazonSQS"):
    """A raw AWS JSON 1.0 request; returns (status, headers, body bytes)."""
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return http_request(endpoint, "POST", "/", body, {
        "X-Amz-Target": "%s.%s" % (target_prefix, action),
        "Content-Type": "application/x-amz-json-1.0",
    })


def local(tag):
    return tag.rsplit("}", 1)[-1]


def strip_namespaces(root):
    """A copy-free view: rewrites every tag to its local name (for error documents, whose
    namespace AWS's own documentation shows both with and without)."""
    for element in root.iter():
        element.tag = local(element.tag)
    return root




def q(path):
    """'A/B' -> '{NS}A/{NS}B' for ElementTree lookups."""
    return "/".join("{%s}%s" % (NS, part) if part not in (".", "..") else part
                    for part in path.split("/"))


# ---------------------------------------------------------------- tests

class QueryProtocolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        cls.daemon.__enter__()
        cls.endpoint = cls.daemon.endpoint
        cls.host = cls.endpoint.split("//", 1)[1]

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    # -- request helpers

    def describe(self, method, path, body, status, data):
        return ("%s %s\nrequest body: %r\n-> HTTP %d\n%s\ndaemon log tail:\n%s"
                % (method, path, body[:500], status, data.decode("utf-8", "replace")[:2000],
                   self.daemon.log[-2000:]))

    def query(self, action, params=(), path="/", expect=200, method="POST"):
        """Sends a query-protocol request; asserts the status; returns the parsed XML root."""
        body = form_body(action, params)
        if method == "GET":
            path = path + "?" + body.decode("ascii")
            status, headers, data = http_request(self.endpoint, "GET", path)
            body = b""
        else:
            status, headers, data = http_request(self.endpoint, "POST", path, body,
                                                 {"Content-Type": FORM})
        self.assertEqual(status, expect, self.describe(method, path, body, status, data))
        self.assertIn("xml", headers.get("content-type", ""),
                      self.describe(method, path, body, status, data))
        try:
            root = ET.fromstring(data)
        except ET.ParseError as error:
            self.fail("response is not XML (%s)\n%s"
                      % (error, self.describe(method, path, body, status, data)))
        self.last_raw = data
        return root

    def ok(self, action, params=(), path="/", method="POST"):
        """A successful call: checks <ActionResponse xmlns=NS> with
        <ResponseMetadata><RequestId>; returns the root."""
        root = self.query(action, params, path, 200, method)
        self.assertEqual(root.tag, "{%s}%sResponse" % (NS, action),
                         ET.tostring(root, encoding="unicode"))
        request_id = root.find(q("ResponseMetadata/RequestId"))
        self.assertIsNotNone(request_id, ET.tostring(root, encoding="unicode"))
        self.assertTrue((request_id.text or "").strip())
        return root

    def result(self, action, params=(), path="/", method="POST"):
        """The <ActionResult> element of a successful call."""
        root = self.ok(action, params, path, method)
        result = root.find(q("%sResult" % action))
        self.assertIsNotNone(result, ET.tostring(root, encoding="unicode"))
        return result

    def error(self, action, params=(), path="/", expect=400):
        """A failed call: checks <ErrorResponse><Error><Type/><Code/><Message/></Error>
        <RequestId/>; returns (type, code, message)."""
        root = strip_namespaces(self.query(action, params, path, expect))
        text = ET.tostring(root, encoding="unicode")
        self.assertEqual(root.tag, "ErrorResponse", text)
        error = root.find("Error")
        self.assertIsNotNone(error, text)
        for child in ("Type", "Code", "Message"):
            self.assertIsNotNone(error.find(child), text)
        self.assertTrue((root.findtext("RequestId") or "").strip(), text)
        return error.findtext("Type"), error.findtext("Code"), error.findtext("Message")

    def url(self, name):
        return "http://%s/%s/%s" % (self.host, ACCOUNT, name)

    def create(self, name, attributes=None):
        params = [("QueueName", name)]
        for i, (key, value) in enumerate((attributes or {}).items(), 1):
            params += [("Attribute.%d.Name" % i, key), ("Attribute.%d.Value" % i, str(value))]
        url = self.result("CreateQueue", params).findtext(q("QueueUrl"))
        self.assertEqual(url, self.url(name))
        return url

    def queue_attributes(self, url):
        result = self.result("GetQueueAttributes",
                             {"QueueUrl": url, "AttributeName.1": "All"})
        attributes = {}
        for attribute in result.findall(q("Attribute")):
            attributes[attribute.findtext(q("Name"))] = attribute.findtext(q("Value"))
        return attributes

    def receive(self, url, path="/", extra=()):
        params = [("AttributeName.1", "All"), ("MessageAttributeName.1", "All"),
                  ("MaxNumberOfMessages", "10"), ("WaitTimeSeconds", "0")]
        if path == "/":
            params.insert(0, ("QueueUrl", url))
        result = self.result("ReceiveMessage", params + list(extra), path)
        return result.findall(q("Message"))

    # -- tests

    def test_create_queue_attributes_and_queue_url(self):
        url = self.create("qp-create", {"VisibilityTimeout": 40, "DelaySeconds": 2})
        attributes = self.queue_attributes(url)
        self.assertEqual(attributes["VisibilityTimeout"], "40")
        self.assertEqual(attributes["DelaySeconds"], "2")
        self.assertEqual(attributes["QueueArn"], "arn:aws:sqs:%s:%s:qp-create" % (REGION, ACCOUNT))
        for key in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                    "CreatedTimestamp", "LastModifiedTimestamp", "MaximumMessageSize",
                    "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds"):
            self.assertIn(key, attributes)
        # GetQueueAttributes posted to the queue URL path itself, without QueueUrl.
        result = self.result("GetQueueAttributes", {"AttributeName.1": "VisibilityTimeout"},
                             path="/%s/qp-create" % ACCOUNT)
        attribute = result.find(q("Attribute"))
        self.assertEqual(attribute.findtext(q("Name")), "VisibilityTimeout")
        self.assertEqual(attribute.findtext(q("Value")), "40")
        got = self.result("GetQueueUrl", {"QueueName": "qp-create"}).findtext(q("QueueUrl"))
        self.assertEqual(got, url)
        self.ok("SetQueueAttributes", {"QueueUrl": url, "Attribute.1.Name": "DelaySeconds",
                                       "Attribute.1.Value": "0"})
        self.assertEqual(self.queue_attributes(url)["DelaySeconds"], "0")
        self.ok("DeleteQueue", {"QueueUrl": url})
        _, code, _ = self.error("GetQueueUrl", {"QueueName": "qp-create"})
        self.assertEqual(code, "AWS.SimpleQueueService.NonExistentQueue")

    def test_send_message_with_attributes_and_receive(self):
        url = self.create("qp-send")
        body = "line one\r\nline two\n<tag attr=\"x\"> & 'amp' \u00e9\u4e2d\U0001F600 a+b c%20d\t"
        binary = bytes(range(256))
        result = self.result("SendMessage", [
            ("QueueUrl", url), ("MessageBody", body),
            ("MessageAttribute.1.Name", "trace"),
            ("MessageAttribute.1.Value.DataType", "String"),
            ("MessageAttribute.1.Value.StringValue", "t<1>&\u00fc"),
            ("MessageAttribute.2.Name", "blob"),
            ("MessageAttribute.2.Value.DataType", "Binary"),
            ("MessageAttribute.2.Value.BinaryValue", base64.b64encode(binary).decode()),
            ("MessageAttribute.3.Name", "n"),
            ("MessageAttribute.3.Value.DataType", "Number"),
            ("MessageAttribute.3.Value.StringValue", "-12.5"),
        ])
        expected_attributes = {
            "trace": {"DataType": "String", "StringValue": "t<1>&\u00fc"},
            "blob": {"DataType": "Binary", "BinaryValue": binary},
            "n": {"DataType": "Number", "StringValue": "-12.5"},
        }
        self.assertEqual(result.findtext(q("MD5OfMessageBody")),
                         hashlib.md5(body.encode("utf-8")).hexdigest())
        self.assertEqual(result.findtext(q("MD5OfMessageAttributes")),
                         md5_of_message_attributes(expected_attributes))
        message_id = result.findtext(q("MessageId"))
        self.assertTrue(message_id)

        messages = self.receive(url)
        self.assertEqual(len(messages), 1, self.last_raw)
        message = messages[0]
        self.assertEqual(message.findtext(q("MessageId")), message_id)
        self.assertEqual(message.findtext(q("Body")), body,
                         "body did not round-trip exactly (\\r must be sent as &#xD;)\n%r"
                         % self.last_raw)
        self.assertEqual(message.findtext(q("MD5OfBody")),
                         hashlib.md5(body.encode("utf-8")).hexdigest())
        self.assertTrue(message.findtext(q("ReceiptHandle")))
        self.assertEqual(message.findtext(q("MD5OfMessageAttributes")),
                         md5_of_message_attributes(expected_attributes))
        system = {a.findtext(q("Name")): a.findtext(q("Value"))
                  for a in message.findall(q("Attribute"))}
        self.assertEqual(system.get("ApproximateReceiveCount"), "1", system)
        for key in ("SenderId", "SentTimestamp", "ApproximateFirstReceiveTimestamp"):
            self.assertIn(key, system)
        user = {}
        for attribute in message.findall(q("MessageAttribute")):
            value = attribute.find(q("Value"))
            self.assertIsNotNone(value, ET.tostring(attribute, encoding="unicode"))
            entry = {"DataType": value.findtext(q("DataType"))}
            if value.find(q("BinaryValue")) is not None:
                entry["BinaryValue"] = base64.b64decode(value.findtext(q("BinaryValue")))
            else:
                entry["StringValue"] = value.findtext(q("StringValue"))
            user[attribute.findtext(q("Name"))] = entry
        self.assertEqual(user, expected_attributes)

        self.ok("DeleteMessage", {"QueueUrl": url,
                                  "ReceiptHandle": message.findtext(q("ReceiptHandle"))})
        self.assertEqual(self.queue_attributes(url)["ApproximateNumberOfMessagesNotVisible"], "0")

    def test_bodies_round_trip_exactly(self):
        url = self.create("qp-bodies")
        bodies = ["\r\n", "a\rb", "  leading and trailing  ", "<![CDATA[x]]>", "&amp;",
                  "\"'", "\u00a0\u2028\u2029", "\U0010FFFD", "tab\there", "]]>", "x" * 5000]
        for body in bodies:
            result = self.result("SendMessage", {"QueueUrl": url, "MessageBody": body})
            self.assertEqual(result.findtext(q("MD5OfMessageBody")),
                             hashlib.md5(body.encode("utf-8")).hexdigest(), repr(body))
            messages = self.receive(url)
            self.assertEqual(len(messages), 1, repr(body))
            self.assertEqual(messages[0].findtext(q("Body")), body,
                             "%r came back as %r" % (body, self.last_raw[:600]))
            self.ok("DeleteMessage", {"QueueUrl": url,
                                      "ReceiptHandle": messages[0].findtext(q("ReceiptHandle"))})

    def test_actions_posted_to_the_queue_url_path(self):
        """Older SDKs (Java v1, .NET, PHP) POST to the queue URL and omit QueueUrl."""
        url = self.create("qp-path")
        path = "/%s/qp-path" % ACCOUNT
        result = self.result("SendMessage", {"MessageBody": "via path"}, path=path)
        self.assertEqual(result.findtext(q("MD5OfMessageBody")),
                         hashlib.md5(b"via path").hexdigest())
        messages = self.receive(url, path=path)
        self.assertEqual([m.findtext(q("Body")) for m in messages], ["via path"])
        handle = messages[0].findtext(q("ReceiptHandle"))
        self.ok("ChangeMessageVisibility", {"ReceiptHandle": handle, "VisibilityTimeout": "0"},
                path=path)
        messages = self.receive(url, path=path)
        self.assertEqual(len(messages), 1)
        system = {a.findtext(q("Name")): a.findtext(q("Value"))
                  for a in messages[0].findall(q("Attribute"))}
        self.assertEqual(system["ApproximateReceiveCount"], "2")
        self.ok("DeleteMessage", {"ReceiptHandle": messages[0].findtext(q("ReceiptHandle"))},
                path=path)
        self.assertEqual(self.receive(url, path=path), [])
        # A missing queue addressed by path.
        _, code, _ = self.error("SendMessage", {"MessageBody": "x"},
                                path="/%s/qp-path-missing" % ACCOUNT)
        self.assertEqual(code, "AWS.SimpleQueueService.NonExistentQueue")
        self.ok("DeleteQueue", {}, path=path)

    def test_send_and_delete_batch(self):
        url = self.create("qp-batch")
        params = [("QueueUrl", url)]
        bodies = {"a": "first & <one>", "b": "second\r\n", "c": "third \u00e9"}
        for i, (entry_id, body) in enumerate(bodies.items(), 1):
            prefix = "SendMessageBatchRequestEntry.%d." % i
            params += [(prefix + "Id", entry_id), (prefix + "MessageBody", body)]
        prefix = "SendMessageBatchRequestEntry.1.MessageAttribute.1."
        params += [(prefix + "Name", "k"), (prefix + "Value.DataType", "String"),
                   (prefix + "Value.StringValue", "v")]
        result = self.result("SendMessageBatch", params)
        entries = result.findall(q("SendMessageBatchResultEntry"))
        self.assertEqual(len(entries), 3, self.last_raw)
        self.assertEqual(result.findall(q("BatchResultErrorEntry")), [])
        by_id = {e.findtext(q("Id")): e for e in entries}
        self.assertEqual(set(by_id), set(bodies))
        for entry_id, body in bodies.items():
            entry = by_id[entry_id]
            self.assertTrue(entry.findtext(q("MessageId")))
            self.assertEqual(entry.findtext(q("MD5OfMessageBody")),
                             hashlib.md5(body.encode()).hexdigest())
        self.assertEqual(by_id["a"].findtext(q("MD5OfMessageAttributes")),
                         md5_of_message_attributes({"k": {"DataType": "String",
                                                          "StringValue": "v"}}))

        received = []
        for _ in range(10):
            received += self.receive(url)
            if len(received) >= 3:
                break
        self.assertEqual(sorted(m.findtext(q("Body")) for m in received), sorted(bodies.values()))

        params = [("QueueUrl", url)]
        for i, message in enumerate(received, 1):
            params += [("DeleteMessageBatchRequestEntry.%d.Id" % i, "d%d" % i),
                       ("DeleteMessageBatchRequestEntry.%d.ReceiptHandle" % i,
                        message.findtext(q("ReceiptHandle")))]
        params += [("DeleteMessageBatchRequestEntry.4.Id", "bad"),
                   ("DeleteMessageBatchRequestEntry.4.ReceiptHandle", "not-a-handle")]
        result = self.result("DeleteMessageBatch", params)
        ok_ids = sorted(e.findtext(q("Id"))
                        for e in result.findall(q("DeleteMessageBatchResultEntry")))
        self.assertEqual(ok_ids, ["d1", "d2", "d3"], self.last_raw)
        errors = result.findall(q("BatchResultErrorEntry"))
        self.assertEqual(len(errors), 1, self.last_raw)
        self.assertEqual(errors[0].findtext(q("Id")), "bad")
        self.assertEqual(errors[0].findtext(q("Code")), "ReceiptHandleIsInvalid")
        self.assertEqual(errors[0].findtext(q("SenderFault")), "true")
        self.assertTrue(errors[0].findtext(q("Message")))
        attributes = self.queue_attributes(url)
        self.assertEqual(attributes["ApproximateNumberOfMessages"], "0")
        self.assertEqual(attributes["ApproximateNumberOfMessagesNotVisible"], "0")

    def test_change_message_visibility(self):
        url = self.create("qp-vis", {"VisibilityTimeout": 300})
        self.result("SendMessage", {"QueueUrl": url, "MessageBody": "hide and seek"})
        messages = self.receive(url)
        self.assertEqual(len(messages), 1)
        self.assertEqual(self.receive(url), [])
        self.ok("ChangeMessageVisibility",
                {"QueueUrl": url, "ReceiptHandle": messages[0].findtext(q("ReceiptHandle")),
                 "VisibilityTimeout": "0"})
        again = self.receive(url)
        self.assertEqual([m.findtext(q("Body")) for m in again], ["hide and seek"])
        # The SQS API reference gives ReceiptHandleIsInvalid HTTP status 404.
        _, code, _ = self.error("ChangeMessageVisibility",
                                {"QueueUrl": url, "ReceiptHandle": "garbage",
                                 "VisibilityTimeout": "0"}, expect=404)
        self.assertEqual(code, "ReceiptHandleIsInvalid")

    def test_list_queues(self):
        urls = [self.create("qp-list-%d" % i) for i in range(3)]
        result = self.result("ListQueues", {"QueueNamePrefix": "qp-list-"})
        self.assertEqual(sorted(e.text for e in result.findall(q("QueueUrl"))), sorted(urls))
        # GET with the query in the URL, signed, works too.
        result = self.result("ListQueues", {"QueueNamePrefix": "qp-list-"}, method="GET")
        self.assertEqual(sorted(e.text for e in result.findall(q("QueueUrl"))), sorted(urls))
        result = self.result("ListQueues", {"QueueNamePrefix": "qp-list-none"})
        self.assertEqual(result.findall(q("QueueUrl")), [])

    def test_get_list_queues_without_parameters(self):
        self.create("qp-get")
        status, headers, data = http_request(self.endpoint, "GET",
                                             "/?Action=ListQueues&Version=2012-11-05")
        self.assertEqual(status, 200, data)
        root = ET.fromstring(data)
        self.assertEqual(root.tag, "{%s}ListQueuesResponse" % NS)
        self.assertIn(self.url("qp-get"),
                      [e.text for e in root.findall(q("ListQueuesResult/QueueUrl"))])

    def test_tags(self):
        url = self.create("qp-tags")
        self.ok("TagQueue", {"QueueUrl": url, "Tag.1.Key": "team", "Tag.1.Value": "orders",
                             "Tag.2.Key": "env", "Tag.2.Value": "dev & test"})
        result = self.result("ListQueueTags", {"QueueUrl": url})
        tags = {t.findtext(q("Key")): t.findtext(q("Value")) for t in result.findall(q("Tag"))}
        self.assertEqual(tags, {"team": "orders", "env": "dev & test"})
        self.ok("UntagQueue", {"QueueUrl": url, "TagKey.1": "env"})
        result = self.result("ListQueueTags", {"QueueUrl": url})
        tags = {t.findtext(q("Key")): t.findtext(q("Value")) for t in result.findall(q("Tag"))}
        self.assertEqual(tags, {"team": "orders"})

    def test_error_response_structure(self):
        type_, code, message = self.error("GetQueueUrl", {"QueueName": "qp-nope"})
        self.assertEqual(type_, "Sender")
        self.assertEqual(code, "AWS.SimpleQueueService.NonExistentQueue")
        self.assertTrue(message)
        type_, code, _ = self.error("SendMessage", {"QueueUrl": self.url("qp-nope"),
                                                    "MessageBody": "x"})
        self.assertEqual((type_, code), ("Sender", "AWS.SimpleQueueService.NonExistentQueue"))
        type_, code, _ = self.error("ReceiveMessage", {"QueueUrl": self.url("qp-nope")})
        self.assertEqual((type_, code), ("Sender", "AWS.SimpleQueueService.NonExistentQueue"))
        # A parameter error.
        url = self.create("qp-errors")
        _, code, _ = self.error("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": "11"})
        self.assertEqual(code, "InvalidParameterValue")

    def test_json_protocol_error_wire_format(self):
        status, headers, data = json_request(self.endpoint, "GetQueueUrl",
                                             {"QueueName": "missing"})
        self.assertEqual(status, 400, data)
        self.assertTrue(headers.get("content-type", "").startswith("application/x-amz-json-1.0"),
                        headers)
        document = json.loads(data)
        self.assertTrue(document["__type"].endswith("QueueDoesNotExist"), document)
        self.assertTrue(document.get("message") or document.get("Message"), document)
        self.assertEqual(headers.get("x-amzn-query-error"),
                         "AWS.SimpleQueueService.NonExistentQueue;Sender", headers)
        self.assertTrue(headers.get("x-amzn-requestid"), headers)


if __name__ == "__main__":
    unittest.main()
