"""EventBridge API destination targets against the built daemon under --clock manual: a real
HTTPS endpoint in the test receives each invocation with its connection's authorization and its
target's HttpParameters; an endpoint answering 500 is retried as the clock advances and then
dead-lettered; one answering 400 goes straight to the dead-letter queue; an injected http fault
(POST /v1/faults) fails attempts the same way."""
import http.server
import json
import os
import signal
import ssl
import subprocess
import tempfile
import threading
import unittest
import urllib.parse
import urllib.request

from harness import Daemon, boto3_client, call, eventually
from test_events_boto3 import EventsTestBase

SOURCE = "apidest.test"


class Endpoint:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate (the daemon verifies none).
    Paths under /ok answer 200, /fail 500, /bad 400, /switch `switch_status` (500 until a test
    changes it); /token answers an OAuth token. Keeps every request it received as (method,
    path, headers, body, status)."""

    def __init__(self, directory):
        cert = os.path.join(directory, "cert.pem")
        key = os.path.join(directory, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
        self.requests = []
        self.switch_status = 500
        self.lock = threading.Lock()
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                status, reply = 200, b"{}"
                if self.path.startswith("/fail"):
                    status = 500
                elif self.path.startswith("/bad"):
                    status = 400
                elif self.path.startswith("/switch"):
                    status = endpoint.switch_status
                elif self.path.startswith("/token"):
                    reply = b'{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}'
                with endpoint.lock:
                    endpoint.requests.append(
                        (self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                         body, status))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def received(self, prefix):
        with self.lock:
            return [r for r in self.requests if r[1].startswith(prefix)]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class ApiDestinationsTest(EventsTestBase):
    daemon_args = ("--clock", "manual")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory()
        cls.endpoint = Endpoint(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.endpoint.close()
        cls.tmp.cleanup()
        super().tearDownClass()

    def advance(self, seconds):
        status, body = call(self.daemon, "POST", "/v1/clock/advance", {"seconds": seconds})
        self.assertEqual(status, 200, body)

    def api_key_connection(self, name):
        return self.events.create_connection(
            Name=name, AuthorizationType="API_KEY",
            AuthParameters={
                "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k3y"},
                "InvocationHttpParameters": {"HeaderParameters": [
                    {"Key": "x-from-connection", "Value": "c1", "IsValueSecret": False}]}},
        )["ConnectionArn"]

    def destination(self, name, connection_arn, path, method="POST"):
        return self.events.create_api_destination(
            Name=name, ConnectionArn=connection_arn, InvocationEndpoint=self.endpoint.url + path,
            HttpMethod=method, InvocationRateLimitPerSecond=10)["ApiDestinationArn"]

    def target(self, rule, kind, target):
        rule_arn = self.events.put_rule(
            Name=rule, EventPattern=json.dumps({"source": [SOURCE], "detail-type": [kind]}))[
            "RuleArn"]
        failed = self.events.put_targets(Rule=rule, Targets=[target])
        self.assertEqual(failed["FailedEntryCount"], 0, failed)
        return rule_arn

    def put(self, kind, detail):
        answer = self.events.put_events(Entries=[{
            "Source": SOURCE, "DetailType": kind, "Detail": json.dumps(detail)}])
        self.assertEqual(answer["FailedEntryCount"], 0, answer)
        return answer["Entries"][0]["EventId"]

    def outbox(self, endpoint):
        query = urllib.parse.urlencode({"protocol": "api-destination", "endpoint": endpoint})
        with urllib.request.urlopen(f"{self.daemon.endpoint}/v1/outbox?{query}", timeout=5) as r:
            return json.loads(r.read())["messages"]

    def dead_letters(self, url):
        messages = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                            MessageAttributeNames=["All"]).get("Messages", [])
        return [(json.loads(m["Body"]),
                 {k: v["StringValue"] for k, v in m["MessageAttributes"].items()})
                for m in messages]

    def test_the_endpoint_receives_the_connections_auth_and_the_targets_parameters(self):
        connection = self.api_key_connection("keyed")
        arn = self.destination("orders", connection, "/ok/orders/*", method="PUT")
        self.target("to-orders", "order", {
            "Id": "api", "Arn": arn, "InputPath": "$.detail",
            "HttpParameters": {"PathParameterValues": ["o-1"],
                               "HeaderParameters": {"x-tenant": "acme"},
                               "QueryStringParameters": {"mode": "fast"}}})
        event_id = self.put("order", {"orderId": "o-1", "total": 42})

        method, path, headers, body, _ = eventually(
            lambda: self.endpoint.received("/ok/orders"))[0]
        self.assertEqual(method, "PUT")
        self.assertEqual(path, "/ok/orders/o-1?mode=fast")
        self.assertEqual(headers["x-api-key"], "k3y")
        self.assertEqual(headers["x-tenant"], "acme")
        self.assertEqual(headers["x-from-connection"], "c1")
        self.assertEqual(json.loads(body), {"orderId": "o-1", "total": 42})
        record = eventually(lambda: self.outbox(arn))[0]
        self.assertEqual(record["outcome"], "delivered")
        self.assertEqual(record["messageId"], event_id)
        self.assertEqual(record["attempts"], 1)
        self.assertEqual(record["httpStatus"], 200)

    def test_an_oauth_connection_fetches_a_token_and_sends_it(self):
        connection = self.events.create_connection(
            Name="oauth", AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
            AuthParameters={"OAuthParameters": {
                "ClientParameters": {"ClientID": "client", "ClientSecret": "secret"},
                "AuthorizationEndpoint": self.endpoint.url + "/token",
                "HttpMethod": "POST"}})["ConnectionArn"]
        arn = self.destination("oauth-dest", connection, "/ok/oauth")
        self.target("to-oauth", "oauth", {"Id": "api", "Arn": arn})
        self.put("oauth", {"n": 1})
        _, _, headers, _, _ = eventually(lambda: self.endpoint.received("/ok/oauth"))[0]
        self.assertEqual(headers["authorization"], "Bearer tok-1")
        token_request = self.endpoint.received("/token")[0]
        self.assertEqual(token_request[0], "POST")
        self.assertIn("grant_type=client_credentials", token_request[3])

    def test_an_injected_http_fault_is_retried_like_the_endpoints_own_error(self):
        arn = self.destination("faulted", self.api_key_connection("faulted-key"), "/ok/faulted",
                               method="PUT")
        self.target("to-faulted", "faulted", {"Id": "api", "Arn": arn,
                                              "RetryPolicy": {"MaximumRetryAttempts": 5}})
        status, body = call(self.daemon, "POST", "/v1/faults", {
            "service": "http", "action": "PUT", "resource": self.endpoint.url + "/ok/faulted*",
            "error": 503, "count": 2})
        self.assertEqual(status, 201, body)
        fault = body["faultId"]
        try:
            self.put("faulted", {"n": 1})
            # Two attempts fail without reaching the endpoint; the third lands.
            eventually(lambda: (self.advance(2), self.endpoint.received("/ok/faulted"))[1])
            _, listed = call(self.daemon, "GET", "/v1/faults")
            rule = next(r for r in listed["faults"] if r["faultId"] == fault)
            self.assertEqual((rule["injected"], rule["count"]), (2, 0))
            self.assertEqual(len(self.endpoint.received("/ok/faulted")), 1)
            record = eventually(lambda: self.outbox(arn))[0]
            self.assertEqual((record["outcome"], record["attempts"]), ("delivered", 3))
        finally:
            call(self.daemon, "DELETE", "/v1/faults/" + fault)

    def test_a_server_error_is_retried_as_the_clock_advances_then_dead_lettered(self):
        url, dlq = self.queue("api-dlq-retried")
        arn = self.destination("failing", self.api_key_connection("failing-key"), "/fail/it")
        rule_arn = self.target("to-failing", "failing", {
            "Id": "api", "Arn": arn, "RetryPolicy": {"MaximumRetryAttempts": 2},
            "DeadLetterConfig": {"Arn": dlq}})
        event_id = self.put("failing", {"n": 1})
        eventually(lambda: self.endpoint.received("/fail/it"))
        # Each retry waits at most 2 s, and its timer exists only once the daemon has read the
        # answer: advance until the endpoint has seen the next attempt.
        for attempts in (2, 3):
            eventually(lambda: (self.advance(2), len(self.endpoint.received("/fail/it")))[1]
                       >= attempts)
        letters = eventually(lambda: self.dead_letters(url))
        self.assertEqual(len(self.endpoint.received("/fail/it")), 3)
        event, attributes = letters[0]
        self.assertEqual(event["id"], event_id)
        self.assertEqual(event["detail"], {"n": 1})
        self.assertEqual(attributes["RULE_ARN"], rule_arn)
        self.assertEqual(attributes["TARGET_ARN"], arn)
        self.assertEqual(attributes["ERROR_CODE"], "HTTP_ERROR")
        self.assertEqual(attributes["ERROR_MESSAGE"], "The endpoint answered HTTP status 500")
        self.assertEqual(attributes["RETRY_ATTEMPTS"], "2")
        self.assertEqual(attributes["EXHAUSTED_RETRY_CONDITION"], "MaximumRetryAttempts")
        record = eventually(lambda: self.outbox(arn))[0]
        self.assertEqual(record["outcome"], "dead-lettered")
        self.assertEqual(record["attempts"], 3)
        self.assertEqual(record["httpStatus"], 500)

    def test_a_client_error_goes_straight_to_the_dead_letter_queue(self):
        url, dlq = self.queue("api-dlq-bad")
        arn = self.destination("bad", self.api_key_connection("bad-key"), "/bad/it")
        self.target("to-bad", "bad", {"Id": "api", "Arn": arn, "DeadLetterConfig": {"Arn": dlq}})
        self.put("bad", {"n": 2})
        event, attributes = eventually(lambda: self.dead_letters(url))[0]
        self.assertEqual(event["detail"], {"n": 2})
        self.assertEqual(attributes["ERROR_CODE"], "HTTP_ERROR")
        self.assertEqual(attributes["ERROR_MESSAGE"], "The endpoint answered HTTP status 400")
        self.assertEqual(attributes["RETRY_ATTEMPTS"], "0")
        self.assertNotIn("EXHAUSTED_RETRY_CONDITION", attributes)
        self.assertEqual(len(self.endpoint.received("/bad/it")), 1)
        self.assertEqual(eventually(lambda: self.outbox(arn))[0]["outcome"], "dead-lettered")


class KillNineTest(unittest.TestCase):
    """kill -9 while an API destination delivery waits for its retry: the daemon recorded it
    (PendingDeliveries), so the next start on the same data dir sends it again, once."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.data = os.path.join(self.tmp.name, "data")
        self.endpoint = Endpoint(self.tmp.name)
        self.daemon = None

    def tearDown(self):
        if self.daemon is not None:
            self.daemon.stop(sig=signal.SIGKILL, check=False)
        self.endpoint.close()
        self.tmp.cleanup()

    def start(self):
        self.daemon = Daemon("--clock", "manual", data_dir=self.data)
        self.daemon.start()
        return boto3_client("events", self.daemon.endpoint)

    def advance(self, seconds):
        status, body = call(self.daemon, "POST", "/v1/clock/advance", {"seconds": seconds})
        self.assertEqual(status, 200, body)

    def statuses(self):
        return [r[4] for r in self.endpoint.received("/switch/it")]

    def test_a_delivery_in_flight_at_kill_9_is_made_once_after_the_restart(self):
        events = self.start()
        connection = events.create_connection(
            Name="kill", AuthorizationType="API_KEY",
            AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key",
                                                      "ApiKeyValue": "k"}})["ConnectionArn"]
        arn = events.create_api_destination(
            Name="flaky", ConnectionArn=connection, InvocationEndpoint=self.endpoint.url
            + "/switch/it", HttpMethod="POST")["ApiDestinationArn"]
        events.put_rule(Name="to-flaky", EventPattern=json.dumps({"source": [SOURCE]}))
        self.assertEqual(events.put_targets(
            Rule="to-flaky", Targets=[{"Id": "api", "Arn": arn}])["FailedEntryCount"], 0)
        answer = events.put_events(Entries=[{"Source": SOURCE, "DetailType": "kill",
                                             "Detail": json.dumps({"n": 9})}])
        self.assertEqual(answer["FailedEntryCount"], 0, answer)
        event_id = answer["Entries"][0]["EventId"]
        # The first attempt got its 500; its retry waits on the manual clock, which stands.
        eventually(lambda: self.statuses() == [500])
        self.daemon.stop(sig=signal.SIGKILL, check=False)

        self.endpoint.switch_status = 200
        self.start()
        self.assertIn("resumed 1 EventBridge deliveries", self.daemon.log)
        eventually(lambda: self.statuses() == [500, 200])
        body = json.loads(self.endpoint.received("/switch/it")[1][3])
        self.assertEqual(body["id"], event_id)
        self.assertEqual(body["detail"], {"n": 9})
        # Its outcome is final once the daemon has read the 200 (the record then goes).
        query = urllib.parse.urlencode({"protocol": "api-destination", "endpoint": arn})
        outbox = f"{self.daemon.endpoint}/v1/outbox?{query}"
        record = eventually(lambda: json.loads(urllib.request.urlopen(outbox, timeout=5).read())[
            "messages"])[0]
        self.assertEqual(record["outcome"], "delivered")
        self.assertEqual(record["messageId"], event_id)
        # Nothing else is due: neither the retry the first run had armed nor a second copy.
        self.advance(3600)
        self.daemon.stop()
        self.start()
        self.advance(3600)
        self.daemon.stop()
        self.daemon = None
        self.assertEqual(self.statuses(), [500, 200])


if __name__ == "__main__":
    unittest.main()
