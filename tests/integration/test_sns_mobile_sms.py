"""SNS mobile push, SMS, permissions and data protection driven by boto3 (and one AWS CLI call)
against the built daemon: platform applications and endpoints, publishes recorded in the outbox,
SMS attributes, opt-outs and the sandbox, and that all of it survives a restart."""
import json
import re
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse
import urllib.request

from harness import Daemon, SharedDaemonTest, aws_cli_env, boto3_client

ACCOUNT = "000000000000"
AWS = shutil.which("aws")
GCM = {"PlatformCredential": "firebase-server-key"}
APNS = {"PlatformPrincipal": "-----BEGIN CERTIFICATE-----x", "PlatformCredential": "private-key"}


def outbox(daemon, **query):
    url = f"{daemon.endpoint}/v1/outbox?{urllib.parse.urlencode(query)}"
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())["messages"]


class SnsMobileSmsTest(SharedDaemonTest):
    CLIENTS = ("sns",)

    def error(self, fn, **kwargs):
        return self.client_error(fn, **kwargs)

    # --- platform applications ------------------------------------------------------------------

    def test_platform_application_lifecycle(self):
        arn = self.sns.create_platform_application(Name="lifecycle", Platform="GCM",
                                                   Attributes=GCM)["PlatformApplicationArn"]
        self.assertEqual(arn, f"arn:aws:sns:us-east-1:{ACCOUNT}:app/GCM/lifecycle")
        # The same call again is the same application.
        self.assertEqual(self.sns.create_platform_application(
            Name="lifecycle", Platform="GCM", Attributes=GCM)["PlatformApplicationArn"], arn)
        attributes = self.sns.get_platform_application_attributes(
            PlatformApplicationArn=arn)["Attributes"]
        self.assertNotIn("PlatformCredential", attributes)
        self.assertEqual(attributes["Enabled"], "true")
        self.sns.set_platform_application_attributes(
            PlatformApplicationArn=arn, Attributes={"EventEndpointCreated": f"arn:aws:sns:us-east-1:{ACCOUNT}:t"})
        self.assertEqual(self.sns.get_platform_application_attributes(
            PlatformApplicationArn=arn)["Attributes"]["EventEndpointCreated"],
            f"arn:aws:sns:us-east-1:{ACCOUNT}:t")
        listed = self.sns.list_platform_applications()["PlatformApplications"]
        self.assertIn(arn, [a["PlatformApplicationArn"] for a in listed])
        self.sns.delete_platform_application(PlatformApplicationArn=arn)
        self.sns.delete_platform_application(PlatformApplicationArn=arn)  # again: no error
        code, _ = self.error(self.sns.get_platform_application_attributes,
                             PlatformApplicationArn=arn)
        self.assertEqual(code, "NotFound")

    def test_platform_application_errors(self):
        code, message = self.error(self.sns.create_platform_application, Name="bad",
                                   Platform="PIGEON", Attributes=GCM)
        self.assertEqual(code, "InvalidParameter")
        self.assertIn("Platform", message)
        code, message = self.error(self.sns.create_platform_application, Name="bad",
                                   Platform="APNS", Attributes={"PlatformCredential": "k"})
        self.assertEqual(code, "InvalidParameter")
        self.assertIn("PlatformPrincipal", message)
        code, message = self.error(self.sns.create_platform_application, Name="bad",
                                   Platform="GCM", Attributes={"PlatformPrincipal": "p"})
        self.assertIn("PlatformCredential", message)
        code, _ = self.error(self.sns.create_platform_application, Name="bad name!",
                             Platform="GCM", Attributes=GCM)
        self.assertEqual(code, "InvalidParameter")
        code, message = self.error(self.sns.create_platform_application, Name="bad",
                                   Platform="GCM", Attributes={**GCM, "Colour": "blue"})
        self.assertIn("Colour", message)
        self.sns.create_platform_application(Name="taken", Platform="GCM", Attributes=GCM)
        code, _ = self.error(self.sns.create_platform_application, Name="taken", Platform="GCM",
                             Attributes={"PlatformCredential": "another"})
        self.assertEqual(code, "InvalidParameter")
        unknown = f"arn:aws:sns:us-east-1:{ACCOUNT}:app/GCM/nobody"
        for fn, kwargs in [
                (self.sns.get_platform_application_attributes, {}),
                (self.sns.set_platform_application_attributes, {"Attributes": GCM}),
                (self.sns.list_endpoints_by_platform_application, {}),
                (self.sns.create_platform_endpoint, {"Token": "t"})]:
            code, _ = self.error(fn, PlatformApplicationArn=unknown, **kwargs)
            self.assertEqual(code, "NotFound", fn)

    def test_list_platform_applications_pages(self):
        for i in range(105):
            self.sns.create_platform_application(Name=f"page-{i:03}", Platform="ADM",
                                                 Attributes=APNS)
        first = self.sns.list_platform_applications()
        self.assertEqual(len(first["PlatformApplications"]), 100)
        second = self.sns.list_platform_applications(NextToken=first["NextToken"])
        arns = [a["PlatformApplicationArn"] for a in
                first["PlatformApplications"] + second["PlatformApplications"]]
        self.assertEqual(len(set(arns)), len(arns))
        self.assertEqual(len([a for a in arns if ":app/ADM/page-" in a]), 105)
        paginated = [a for page in self.sns.get_paginator("list_platform_applications").paginate()
                     for a in page["PlatformApplications"]]
        self.assertEqual(len(paginated), len(arns))
        for i in range(105):
            self.sns.delete_platform_application(
                PlatformApplicationArn=f"arn:aws:sns:us-east-1:{ACCOUNT}:app/ADM/page-{i:03}")

    # --- endpoints ------------------------------------------------------------------------------

    def test_endpoint_lifecycle_and_token_idempotence(self):
        app = self.sns.create_platform_application(Name="devices", Platform="APNS",
                                                   Attributes=APNS)["PlatformApplicationArn"]
        endpoint = self.sns.create_platform_endpoint(
            PlatformApplicationArn=app, Token="device-token-1",
            CustomUserData="user-42")["EndpointArn"]
        self.assertTrue(endpoint.startswith(f"arn:aws:sns:us-east-1:{ACCOUNT}:endpoint/APNS/devices/"))
        # The same token and attributes: the same endpoint.
        self.assertEqual(self.sns.create_platform_endpoint(
            PlatformApplicationArn=app, Token="device-token-1",
            CustomUserData="user-42")["EndpointArn"], endpoint)
        # The same token with other attributes is refused.
        code, message = self.error(self.sns.create_platform_endpoint, PlatformApplicationArn=app,
                                   Token="device-token-1", CustomUserData="someone-else")
        self.assertEqual(code, "InvalidParameter")
        self.assertIn(endpoint, message)
        self.assertEqual(self.sns.get_endpoint_attributes(EndpointArn=endpoint)["Attributes"],
                         {"Enabled": "true", "Token": "device-token-1",
                          "CustomUserData": "user-42"})
        self.sns.set_endpoint_attributes(EndpointArn=endpoint,
                                         Attributes={"Enabled": "false", "Token": "rotated"})
        attributes = self.sns.get_endpoint_attributes(EndpointArn=endpoint)["Attributes"]
        self.assertEqual((attributes["Enabled"], attributes["Token"]), ("false", "rotated"))
        code, _ = self.error(self.sns.set_endpoint_attributes, EndpointArn=endpoint,
                             Attributes={"Enabled": "maybe"})
        self.assertEqual(code, "InvalidParameter")
        code, _ = self.error(self.sns.set_endpoint_attributes, EndpointArn=endpoint,
                             Attributes={"Colour": "blue"})
        self.assertEqual(code, "InvalidParameter")
        other = self.sns.create_platform_endpoint(PlatformApplicationArn=app,
                                                  Token="device-token-2")["EndpointArn"]
        listed = self.sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)
        self.assertEqual(sorted(e["EndpointArn"] for e in listed["Endpoints"]),
                         sorted([endpoint, other]))
        self.sns.delete_endpoint(EndpointArn=other)
        self.sns.delete_endpoint(EndpointArn=other)  # again: no error
        code, _ = self.error(self.sns.get_endpoint_attributes, EndpointArn=other)
        self.assertEqual(code, "NotFound")
        # Deleting the application deletes its endpoints.
        self.sns.delete_platform_application(PlatformApplicationArn=app)
        code, _ = self.error(self.sns.get_endpoint_attributes, EndpointArn=endpoint)
        self.assertEqual(code, "NotFound")

    def test_endpoint_errors(self):
        app = self.sns.create_platform_application(Name="endpoint-errors", Platform="GCM",
                                                   Attributes=GCM)["PlatformApplicationArn"]
        code, _ = self.error(self.sns.create_platform_endpoint, PlatformApplicationArn=app,
                             Token="")
        self.assertEqual(code, "InvalidParameter")
        code, _ = self.error(self.sns.create_platform_endpoint, PlatformApplicationArn=app,
                             Token="t", CustomUserData="x" * 2049)
        self.assertEqual(code, "InvalidParameter")
        code, _ = self.error(self.sns.get_endpoint_attributes, EndpointArn="not-an-arn")
        self.assertEqual(code, "InvalidParameter")
        code, _ = self.error(self.sns.set_endpoint_attributes,
                             EndpointArn=f"arn:aws:sns:us-east-1:{ACCOUNT}:endpoint/GCM/x/y",
                             Attributes={"Enabled": "true"})
        self.assertEqual(code, "NotFound")

    def test_publish_to_an_endpoint_is_recorded_per_platform(self):
        app = self.sns.create_platform_application(Name="push", Platform="GCM",
                                                   Attributes=GCM)["PlatformApplicationArn"]
        endpoint = self.sns.create_platform_endpoint(PlatformApplicationArn=app,
                                                     Token="gcm-token")["EndpointArn"]
        self.sns.publish(TargetArn=endpoint, Message="plain text")
        message = json.dumps({"default": "fallback", "GCM": json.dumps({"data": {"k": "v"}}),
                              "APNS": "not for gcm"})
        message_id = self.sns.publish(TargetArn=endpoint, Message=message,
                                      MessageStructure="json")["MessageId"]
        records = outbox(self.daemon, protocol="application", endpoint=endpoint)
        self.assertEqual([r["body"] for r in records],
                         ["plain text", json.dumps({"data": {"k": "v"}})])
        self.assertEqual(records[1]["messageId"], message_id)
        # Disabled: EndpointDisabled; unknown: NotFound.
        self.sns.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
        code, _ = self.error(self.sns.publish, TargetArn=endpoint, Message="nope")
        self.assertEqual(code, "EndpointDisabled")
        code, _ = self.error(self.sns.publish, TargetArn=endpoint + "0", Message="nope")
        self.assertEqual(code, "NotFound")

    def test_topic_fans_out_to_application_subscriptions(self):
        app = self.sns.create_platform_application(Name="fanout", Platform="APNS_SANDBOX",
                                                   Attributes=APNS)["PlatformApplicationArn"]
        endpoint = self.sns.create_platform_endpoint(PlatformApplicationArn=app,
                                                     Token="apns-token")["EndpointArn"]
        topic = self.sns.create_topic(Name="mobile")["TopicArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=endpoint)
        self.sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps(
            {"default": "everyone", "APNS_SANDBOX": '{"aps":{"alert":"hi"}}'}))
        self.sns.publish(TopicArn=topic, MessageStructure="json",
                         Message=json.dumps({"default": "everyone"}))
        records = outbox(self.daemon, protocol="application", endpoint=endpoint)
        self.assertEqual([r["body"] for r in records], ['{"aps":{"alert":"hi"}}', "everyone"])
        self.assertEqual(records[0]["topicArn"], topic)

    # --- SMS ------------------------------------------------------------------------------------

    def test_sms_attributes(self):
        self.sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional",
                                                "DefaultSenderID": "Shop1",
                                                "MonthlySpendLimit": "5"})
        self.assertEqual(self.sns.get_sms_attributes(attributes=["DefaultSMSType"])["attributes"],
                         {"DefaultSMSType": "Transactional"})
        everything = self.sns.get_sms_attributes()["attributes"]
        self.assertEqual(everything["DefaultSenderID"], "Shop1")
        self.assertEqual(everything["MonthlySpendLimit"], "5")
        for bad in [{"DefaultSMSType": "Loud"}, {"DefaultSenderID": "123"},
                    {"DeliveryStatusSuccessSamplingRate": "101"}, {"Volume": "11"},
                    {"MonthlySpendLimit": "-1"}]:
            code, _ = self.error(self.sns.set_sms_attributes, attributes=bad)
            self.assertEqual(code, "InvalidParameter", bad)

    def test_opt_out_list(self):
        self.assertFalse(self.sns.check_if_phone_number_is_opted_out(
            phoneNumber="+15555550123")["isOptedOut"])
        self.assertEqual(self.sns.list_phone_numbers_opted_out()["phoneNumbers"], [])
        self.sns.opt_in_phone_number(phoneNumber="+15555550123")
        code, _ = self.error(self.sns.check_if_phone_number_is_opted_out, phoneNumber="555-0123")
        self.assertEqual(code, "InvalidParameter")
        code, _ = self.error(self.sns.opt_in_phone_number, phoneNumber="+0123")
        self.assertEqual(code, "InvalidParameter")

    def test_sandbox_numbers_are_verified_with_the_password_in_the_outbox(self):
        self.assertTrue(self.sns.get_sms_sandbox_account_status()["IsInSandbox"])
        number = "+15555550177"
        self.sns.create_sms_sandbox_phone_number(PhoneNumber=number, LanguageCode="en-US")
        listed = self.sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"]
        self.assertIn({"PhoneNumber": number, "Status": "Pending"}, listed)
        code, _ = self.error(self.sns.verify_sms_sandbox_phone_number, PhoneNumber=number,
                             OneTimePassword="not-it")
        self.assertEqual(code, "VerificationException")
        sent = outbox(self.daemon, protocol="sms", endpoint=number)
        password = re.search(r"\d{6}", sent[-1]["body"]).group(0)
        self.sns.verify_sms_sandbox_phone_number(PhoneNumber=number, OneTimePassword=password)
        listed = self.sns.list_sms_sandbox_phone_numbers(MaxResults=10)["PhoneNumbers"]
        self.assertIn({"PhoneNumber": number, "Status": "Verified"}, listed)
        self.sns.delete_sms_sandbox_phone_number(PhoneNumber=number)
        for fn, kwargs in [(self.sns.delete_sms_sandbox_phone_number, {}),
                           (self.sns.verify_sms_sandbox_phone_number, {"OneTimePassword": "123456"})]:
            code, _ = self.error(fn, PhoneNumber=number, **kwargs)
            self.assertEqual(code, "ResourceNotFound")
        code, _ = self.error(self.sns.create_sms_sandbox_phone_number, PhoneNumber="12345")
        self.assertEqual(code, "InvalidParameter")
        code, _ = self.error(self.sns.create_sms_sandbox_phone_number, PhoneNumber=number,
                             LanguageCode="xx-XX")
        self.assertEqual(code, "InvalidParameter")
        code, _ = self.error(self.sns.list_sms_sandbox_phone_numbers, MaxResults=101)
        self.assertEqual(code, "InvalidParameter")

    def test_origination_numbers(self):
        self.assertEqual(self.sns.list_origination_numbers()["PhoneNumbers"], [])
        code, _ = self.error(self.sns.list_origination_numbers, MaxResults=31)
        self.assertEqual(code, "InvalidParameter")

    def test_publish_to_a_phone_number(self):
        message_id = self.sns.publish(PhoneNumber="+15555550188", Message="code 9876")["MessageId"]
        records = outbox(self.daemon, protocol="sms", endpoint="+15555550188")
        self.assertEqual([(r["body"], r["messageId"]) for r in records],
                         [("code 9876", message_id)])
        for bad in ["5555550188", "+0555", "+1555abc", "+1234567890123456"]:
            code, _ = self.error(self.sns.publish, PhoneNumber=bad, Message="x")
            self.assertEqual(code, "InvalidParameter", bad)

    # --- permissions and data protection --------------------------------------------------------

    def test_add_and_remove_permission(self):
        topic = self.sns.create_topic(Name="shared")["TopicArn"]
        self.sns.add_permission(TopicArn=topic, Label="partner", AWSAccountId=["111122223333"],
                                ActionName=["Publish", "Subscribe"])
        policy = json.loads(self.sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
        added = [s for s in policy["Statement"] if s.get("Sid") == "partner"]
        self.assertEqual(len(added), 1)
        self.assertEqual(added[0]["Principal"], {"AWS": "arn:aws:iam::111122223333:root"})
        self.assertEqual(added[0]["Action"], ["SNS:Publish", "SNS:Subscribe"])
        self.assertEqual(added[0]["Resource"], topic)
        code, _ = self.error(self.sns.add_permission, TopicArn=topic, Label="partner",
                             AWSAccountId=["111122223333"], ActionName=["Publish"])
        self.assertEqual(code, "InvalidParameter")
        code, _ = self.error(self.sns.add_permission, TopicArn=topic, Label="other",
                             AWSAccountId=["111122223333"], ActionName=["Fly"])
        self.assertEqual(code, "InvalidParameter")
        self.sns.remove_permission(TopicArn=topic, Label="partner")
        policy = json.loads(self.sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
        self.assertEqual([s for s in policy["Statement"] if s.get("Sid") == "partner"], [])
        code, _ = self.error(self.sns.add_permission, TopicArn=topic + "-missing", Label="x",
                             AWSAccountId=["111122223333"], ActionName=["Publish"])
        self.assertEqual(code, "NotFound")

    def test_data_protection_policy(self):
        topic = self.sns.create_topic(Name="protected")["TopicArn"]
        self.assertEqual(self.sns.get_data_protection_policy(ResourceArn=topic)
                         .get("DataProtectionPolicy", ""), "")
        policy = json.dumps({"Name": "p", "Version": "2021-06-01", "Statement": []})
        self.sns.put_data_protection_policy(ResourceArn=topic, DataProtectionPolicy=policy)
        self.assertEqual(self.sns.get_data_protection_policy(ResourceArn=topic)[
            "DataProtectionPolicy"], policy)
        code, _ = self.error(self.sns.put_data_protection_policy, ResourceArn=topic,
                             DataProtectionPolicy="{not json")
        self.assertEqual(code, "InvalidParameter")
        code, _ = self.error(self.sns.get_data_protection_policy, ResourceArn=topic + "-missing")
        self.assertEqual(code, "NotFound")


class SnsMobileSmsRestartTest(unittest.TestCase):
    def test_applications_endpoints_and_sms_state_survive_a_restart(self):
        with tempfile.TemporaryDirectory(prefix="eb-sns-mobile-") as data:
            with Daemon(data_dir=data) as daemon:
                sns = boto3_client("sns", daemon.endpoint)
                app = sns.create_platform_application(
                    Name="kept", Platform="GCM", Attributes=GCM)["PlatformApplicationArn"]
                endpoint = sns.create_platform_endpoint(
                    PlatformApplicationArn=app, Token="kept-token",
                    CustomUserData="u")["EndpointArn"]
                sns.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
                sns.set_sms_attributes(attributes={"DefaultSMSType": "Promotional"})
                sns.create_sms_sandbox_phone_number(PhoneNumber="+15555550199")
                topic = sns.create_topic(Name="kept-protected")["TopicArn"]
                sns.put_data_protection_policy(ResourceArn=topic, DataProtectionPolicy="{}")
            with Daemon(data_dir=data) as daemon:
                sns = boto3_client("sns", daemon.endpoint)
                self.assertIn(app, [a["PlatformApplicationArn"] for a in
                                    sns.list_platform_applications()["PlatformApplications"]])
                self.assertEqual(sns.get_endpoint_attributes(EndpointArn=endpoint)["Attributes"],
                                 {"Enabled": "false", "Token": "kept-token",
                                  "CustomUserData": "u"})
                self.assertEqual(sns.create_platform_endpoint(
                    PlatformApplicationArn=app, Token="kept-token",
                    CustomUserData="u")["EndpointArn"], endpoint)
                self.assertEqual(sns.get_sms_attributes()["attributes"],
                                 {"DefaultSMSType": "Promotional"})
                self.assertEqual(sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"],
                                 [{"PhoneNumber": "+15555550199", "Status": "Pending"}])
                self.assertEqual(sns.get_data_protection_policy(ResourceArn=topic)[
                    "DataProtectionPolicy"], "{}")


@unittest.skipIf(AWS is None, "the aws CLI is not installed")
class AwsCliMobileTest(unittest.TestCase):
    def test_cli_creates_a_platform_application(self):
        with tempfile.TemporaryDirectory(prefix="eb-cli-") as home, Daemon() as daemon:
            out = subprocess.run(
                [AWS, "sns", "create-platform-application", "--name", "cli-app", "--platform",
                 "GCM", "--attributes", "PlatformCredential=key", "--endpoint-url",
                 daemon.endpoint, "--output", "json"],
                capture_output=True, text=True, env=aws_cli_env(home), timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(json.loads(out.stdout)["PlatformApplicationArn"],
                             f"arn:aws:sns:us-east-1:{ACCOUNT}:app/GCM/cli-app")


if __name__ == "__main__":
    unittest.main()
