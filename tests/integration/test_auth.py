"""--auth verify against the built daemon: boto3 clients of every service signing with a
configured credential succeed; a wrong secret, an unknown key, a missing or malformed signature
and a clock 20 minutes off are answered as AWS answers them; presigned URLs and credentials STS
issued verify; every response carries a Date header."""
import datetime
import email.utils
import http.client
import os
import tempfile
import time
import unittest
import urllib.parse
from unittest import mock

import boto3
import botocore.auth
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import test_js_sdk
from harness import Daemon, http_get, run_binary

REGION = "us-east-1"
KEY, SECRET = "AKIDAUTHTEST0001", "auth-test-secret/with+chars"
OTHER_KEY, OTHER_SECRET, OTHER_ACCOUNT = "AKIDAUTHTEST0002", "second-secret", "111122223333"
CONFIG = """\
auth: verify
account_id: '123456789012'
credentials:
  - access_key_id: %s
    secret_access_key: %s
  - {access_key_id: %s, secret_access_key: %s, account_id: '%s'}
""" % (KEY, SECRET, OTHER_KEY, OTHER_SECRET, OTHER_ACCOUNT)


def client(service, endpoint, key=KEY, secret=SECRET, token=None):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        aws_session_token=token,
                        config=Config(retries={"max_attempts": 1}, connect_timeout=5,
                                      read_timeout=30))


def raw(endpoint, method, path, body=b"", headers=None, sign_with=None, service="sqs"):
    """One request on a fresh connection, signed by botocore's signer with `sign_with`
    (key, secret) when given; returns (status, lower-cased headers, body text)."""
    headers = dict(headers or {})
    if sign_with:
        request = AWSRequest(method=method, url=endpoint + path, data=body, headers=headers)
        SigV4Auth(Credentials(*sign_with), service, REGION).add_auth(request)
        headers = dict(request.headers.items())
    port = urllib.parse.urlsplit(endpoint).port
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read().decode("utf-8"))
    finally:
        connection.close()


class AuthVerifyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        path = os.path.join(cls.tmp.name, "auth.yaml")
        with open(path, "w") as f:
            f.write(CONFIG)
        cls.daemon = Daemon("--config", path)
        cls.daemon.__enter__()
        cls.endpoint = cls.daemon.endpoint
        cls.queue_url = client("sqs", cls.endpoint).create_queue(QueueName="auth")["QueueUrl"]

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)
        cls.tmp.cleanup()

    def error_of(self, fn, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            fn(**kwargs)
        response = ctx.exception.response
        return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
                response["Error"].get("Message", ""))

    def test_every_service_accepts_the_right_secret(self):
        sqs = client("sqs", self.endpoint)
        sqs.send_message(QueueUrl=self.queue_url, MessageBody="signed")
        self.assertEqual(sqs.receive_message(QueueUrl=self.queue_url)["Messages"][0]["Body"],
                         "signed")
        client("sns", self.endpoint).create_topic(Name="auth-topic")
        self.assertIn("Account", client("sts", self.endpoint).get_caller_identity())
        client("events", self.endpoint).list_event_buses()
        client("scheduler", self.endpoint).list_schedule_groups()
        # The second credential, with its own secret; STS answers its account.
        client("sqs", self.endpoint, OTHER_KEY, OTHER_SECRET).list_queues()
        who = client("sts", self.endpoint, OTHER_KEY, OTHER_SECRET).get_caller_identity()
        self.assertEqual(who["Arn"], "arn:aws:iam::%s:root" % OTHER_ACCOUNT)
        self.assertEqual(client("sts", self.endpoint).get_caller_identity()["Account"],
                         "123456789012")

    def test_sqs_query_protocol_signed_and_not(self):
        body = urllib.parse.urlencode({"Action": "ListQueues", "Version": "2012-11-05"}).encode()
        form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        status, _, text = raw(self.endpoint, "POST", "/", body, form, (KEY, SECRET))
        self.assertEqual(status, 200, text)
        status, _, text = raw(self.endpoint, "POST", "/", body, form, (KEY, "wrong"))
        self.assertEqual(status, 403)
        self.assertIn("<Code>SignatureDoesNotMatch</Code>", text)
        self.assertIn("<Type>Sender</Type>", text)
        status, _, text = raw(self.endpoint, "POST", "/", body, form)
        self.assertEqual(status, 403)
        self.assertIn("<Code>MissingAuthenticationToken</Code>", text)
        broken = dict(form, Authorization="AWS4-HMAC-SHA256 Credential=%s/20240101/%s/sqs/"
                      "aws4_request" % (KEY, REGION), **{"X-Amz-Date": "20240101T000000Z"})
        status, _, text = raw(self.endpoint, "POST", "/", body, broken)
        self.assertEqual(status, 400)
        self.assertIn("<Code>IncompleteSignature</Code>", text)

    def test_unsigned_query_calls_get_the_error_shape_of_their_service(self):
        form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        for action, version, xmlns in (
                ("ListTopics", "2010-03-31", "http://sns.amazonaws.com/doc/2010-03-31/"),
                ("GetCallerIdentity", "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/"),
                ("ListQueues", "2012-11-05", "http://queue.amazonaws.com/doc/2012-11-05/")):
            body = urllib.parse.urlencode({"Action": action, "Version": version}).encode()
            status, _, text = raw(self.endpoint, "POST", "/", body, form)
            self.assertEqual(status, 403, action)
            self.assertIn("<Code>MissingAuthenticationToken</Code>", text)
            self.assertIn('<ErrorResponse xmlns="%s">' % xmlns, text)

    def test_wrong_secret_is_signature_does_not_match(self):
        sqs = client("sqs", self.endpoint, secret="wrong")
        code, status, message = self.error_of(sqs.list_queues)
        self.assertEqual((code, status), ("SignatureDoesNotMatch", 403))
        self.assertIn("does not match the signature you provided", message)
        for service, call in (("sns", "list_topics"), ("sts", "get_caller_identity")):
            code, status, _ = self.error_of(getattr(client(service, self.endpoint,
                                                           secret="wrong"), call))
            self.assertEqual((code, status), ("SignatureDoesNotMatch", 403), service)
        code, status, _ = self.error_of(
            client("events", self.endpoint, secret="wrong").list_event_buses)
        self.assertEqual((code, status), ("InvalidSignatureException", 400))
        code, status, _ = self.error_of(
            client("scheduler", self.endpoint, secret="wrong").list_schedule_groups)
        self.assertEqual((code, status), ("InvalidSignatureException", 403))

    def test_unknown_key_is_invalid_client_token_id(self):
        code, status, message = self.error_of(
            client("sqs", self.endpoint, key="AKIDNOBODY", secret=SECRET).list_queues)
        self.assertEqual((code, status), ("InvalidClientTokenId", 403))
        self.assertEqual(message, "The security token included in the request is invalid.")
        code, status, _ = self.error_of(
            client("sns", self.endpoint, key="AKIDNOBODY", secret=SECRET).list_topics)
        self.assertEqual((code, status), ("InvalidClientTokenId", 403))
        code, _, _ = self.error_of(
            client("events", self.endpoint, key="AKIDNOBODY", secret=SECRET).list_event_buses)
        self.assertEqual(code, "UnrecognizedClientException")

    def test_clock_twenty_minutes_off_is_refused(self):
        sqs = client("sqs", self.endpoint)
        for minutes, words in ((-20, "Signature expired"), (20, "Signature not yet current")):
            skewed = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
                minutes=minutes)
            with mock.patch.object(botocore.auth, "get_current_datetime", return_value=skewed):
                code, status, message = self.error_of(sqs.list_queues)
            self.assertEqual((code, status), ("SignatureDoesNotMatch", 403))
            self.assertIn(words, message)
        # Ten minutes off is within AWS's 15.
        skewed = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)
        with mock.patch.object(botocore.auth, "get_current_datetime", return_value=skewed):
            sqs.list_queues()

    def presigned(self, secret, expires=300):
        params = {"Action": "GetQueueAttributes", "AttributeName.1": "All",
                  "Version": "2012-11-05"}
        url = self.queue_url + "?" + urllib.parse.urlencode(params)
        request = AWSRequest(method="GET", url=url)
        SigV4QueryAuth(Credentials(KEY, secret), "sqs", REGION, expires=expires).add_auth(request)
        return request.url

    def test_presigned_url_verifies(self):
        status, headers, body = http_get(self.presigned(SECRET))
        self.assertEqual(status, 200, body)
        self.assertIn(b"<Name>QueueArn</Name>", body)
        status, _, body = http_get(self.presigned("wrong"))
        self.assertEqual(status, 403)
        self.assertIn(b"SignatureDoesNotMatch", body)
        # Tampering with a signed parameter breaks it.
        status, _, _ = http_get(self.presigned(SECRET).replace("AttributeName.1=All",
                                                              "AttributeName.1=QueueArn"))
        self.assertEqual(status, 403)

    def test_credentials_sts_issued_verify_with_their_token(self):
        sts = client("sts", self.endpoint)
        role = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/app",
                               RoleSessionName="auth-test")["Credentials"]
        assumed = client("sts", self.endpoint, role["AccessKeyId"], role["SecretAccessKey"],
                         role["SessionToken"])
        self.assertIn("assumed-role/app/auth-test", assumed.get_caller_identity()["Arn"])
        client("sqs", self.endpoint, role["AccessKeyId"], role["SecretAccessKey"],
               role["SessionToken"]).list_queues()
        session = sts.get_session_token()["Credentials"]
        client("events", self.endpoint, session["AccessKeyId"], session["SecretAccessKey"],
               session["SessionToken"]).list_event_buses()
        # Without the session token the key is not accepted.
        code, status, _ = self.error_of(client("sqs", self.endpoint, role["AccessKeyId"],
                                               role["SecretAccessKey"]).list_queues)
        self.assertEqual((code, status), ("InvalidClientTokenId", 403))

    def test_admin_paths_stay_open_and_every_response_has_a_date(self):
        status, headers, _ = http_get(self.endpoint + "/health")
        self.assertEqual(status, 200)
        for response_headers in (
                headers,
                client("sqs", self.endpoint).list_queues()["ResponseMetadata"]["HTTPHeaders"],
                raw(self.endpoint, "POST", "/", b"Action=ListQueues")[1]):
            date = email.utils.parsedate_to_datetime(response_headers["date"])
            self.assertLess(abs(date.timestamp() - time.time()), 5)


@unittest.skipIf(test_js_sdk.NODE is None, "node is not installed")
class JavaScriptSdkSignaturesTest(unittest.TestCase):
    """The JS SDK v3 suites of SQS, SNS, EventBridge and the Scheduler, every request of them
    verified: they sign with AKIDEXAMPLE/secret, here the one configured credential."""

    def test_node_suites_pass_with_signatures_checked(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "auth.yaml")
            with open(path, "w") as f:
                f.write("auth: verify\ncredentials:\n"
                        "  - {access_key_id: AKIDEXAMPLE, secret_access_key: secret}\n")
            test_js_sdk.run_node(self, ["sqs.test.mjs", "sns.test.mjs", "events.test.mjs",
                                        "scheduler.test.mjs"], "--config", path)


class AuthStartupTest(unittest.TestCase):
    def test_verify_without_credentials_does_not_start(self):
        result = run_binary("--in-memory", "--listen", "127.0.0.1:0", "--auth", "verify")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("credentials", result.stderr)

    def test_default_accepts_any_credentials(self):
        with Daemon() as daemon:
            client("sqs", daemon.endpoint, "anything", "at all").list_queues()
            status, _, _ = raw(daemon.endpoint, "POST", "/", b"Action=ListQueues")
            self.assertEqual(status, 200)


if __name__ == "__main__":
    unittest.main()
