"""EventBridge connections and API destinations driven by boto3 against the built daemon: each
action's shapes, secrets never coming back, the states a deauthorization leads to, AWS's error
codes and messages, and everything surviving a restart."""
import json
import tempfile
import unittest

from harness import Daemon, boto3_client
from test_events_boto3 import EventsTestBase

ACCOUNT = "000000000000"
REGION = "us-east-1"
SECRETS = ("hunter2", "k3y-value", "client-secret", "header-secret")


class ConnectionsTest(EventsTestBase):
    def error(self, fn, **kwargs):
        return super().error(fn, **kwargs)["Error"]

    def assert_no_secret(self, response):
        text = json.dumps(response, default=str)
        for secret in SECRETS:
            self.assertNotIn(secret, text)

    def basic(self, name, **extra):
        return self.events.create_connection(
            Name=name, AuthorizationType="BASIC",
            AuthParameters={"BasicAuthParameters": {"Username": "user", "Password": "hunter2"}},
            **extra)

    def test_a_basic_connection_is_described_without_its_password(self):
        created = self.basic(
            "crm", Description="the CRM")
        self.assertRegex(created["ConnectionArn"],
                         rf"^arn:aws:events:{REGION}:{ACCOUNT}:connection/crm/[0-9a-f-]{{36}}$")
        self.assertEqual(created["ConnectionState"], "AUTHORIZED")
        self.assertIn("CreationTime", created)
        self.assertIn("LastModifiedTime", created)
        described = self.events.describe_connection(Name="crm")
        self.assert_no_secret(described)
        self.assertEqual(described["Name"], "crm")
        self.assertEqual(described["Description"], "the CRM")
        self.assertEqual(described["AuthorizationType"], "BASIC")
        self.assertEqual(described["AuthParameters"],
                         {"BasicAuthParameters": {"Username": "user"}})
        self.assertTrue(described["SecretArn"].startswith(
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:events!connection/crm/"))
        self.assertIn("LastAuthorizedTime", described)
        err = self.error(self.basic, name="crm")
        self.assertEqual(err["Code"], "ResourceAlreadyExistsException")
        self.assertEqual(err["Message"], "Connection crm already exists.")

    def test_api_key_and_oauth_connections_hide_every_secret(self):
        self.events.create_connection(
            Name="keyed", AuthorizationType="API_KEY",
            AuthParameters={
                "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k3y-value"},
                "InvocationHttpParameters": {"HeaderParameters": [
                    {"Key": "x-plain", "Value": "visible", "IsValueSecret": False},
                    {"Key": "x-hidden", "Value": "header-secret", "IsValueSecret": True}]}})
        described = self.events.describe_connection(Name="keyed")
        self.assert_no_secret(described)
        params = described["AuthParameters"]
        self.assertEqual(params["ApiKeyAuthParameters"], {"ApiKeyName": "x-api-key"})
        headers = params["InvocationHttpParameters"]["HeaderParameters"]
        self.assertEqual(headers[0], {"Key": "x-plain", "Value": "visible", "IsValueSecret": False})
        self.assertEqual(headers[1], {"Key": "x-hidden", "IsValueSecret": True})

        self.events.create_connection(
            Name="oauth", AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
            AuthParameters={"OAuthParameters": {
                "ClientParameters": {"ClientID": "client", "ClientSecret": "client-secret"},
                "AuthorizationEndpoint": "https://auth.example.com/token",
                "HttpMethod": "POST"}})
        described = self.events.describe_connection(Name="oauth")
        self.assert_no_secret(described)
        self.assertEqual(described["ConnectionState"], "AUTHORIZED")
        self.assertEqual(described["AuthParameters"]["OAuthParameters"], {
            "ClientParameters": {"ClientID": "client"},
            "AuthorizationEndpoint": "https://auth.example.com/token", "HttpMethod": "POST"})
        self.assert_no_secret(self.events.list_connections())

    def test_validation_errors(self):
        err = self.error(self.events.create_connection, Name="bad name", AuthorizationType="BASIC",
                         AuthParameters={"BasicAuthParameters": {"Username": "u",
                                                                 "Password": "p"}})
        self.assertEqual(err["Code"], "ValidationException")
        self.assertEqual(err["Message"],
                         "1 validation error detected: Value 'bad name' at 'name' failed to "
                         "satisfy constraint: Member must satisfy regular expression pattern: "
                         "[\\.\\-_A-Za-z0-9]+")
        err = self.error(self.events.create_connection, Name="mismatch", AuthorizationType="API_KEY",
                         AuthParameters={"BasicAuthParameters": {"Username": "u",
                                                                 "Password": "p"}})
        self.assertEqual(err["Code"], "ValidationException")
        self.assertEqual(err["Message"],
                         "Only ApiKeyAuthParameters may be specified for AuthorizationType API_KEY.")
        err = self.error(self.events.describe_connection, Name="missing")
        self.assertEqual(err["Code"], "ResourceNotFoundException")
        self.assertEqual(err["Message"], "Connection 'missing' does not exist.")
        err = self.error(self.events.describe_api_destination, Name="missing")
        self.assertEqual(err["Code"], "ResourceNotFoundException")
        self.assertEqual(err["Message"], "An api-destination 'missing' does not exist.")

    def test_deauthorize_update_and_delete(self):
        arn = self.basic("cycle")["ConnectionArn"]
        dest = self.events.create_api_destination(
            Name="cycle-hook", ConnectionArn=arn, InvocationEndpoint="https://example.com/*",
            HttpMethod="POST")
        self.assertEqual(dest["ApiDestinationState"], "ACTIVE")
        deauthorized = self.events.deauthorize_connection(Name="cycle")
        self.assertEqual(deauthorized["ConnectionState"], "DEAUTHORIZED")
        self.assertEqual(deauthorized["ConnectionArn"], arn)
        self.assertEqual(
            self.events.describe_api_destination(Name="cycle-hook")["ApiDestinationState"],
            "INACTIVE")
        listed = self.events.list_connections(ConnectionState="DEAUTHORIZED")["Connections"]
        self.assertEqual([c["Name"] for c in listed], ["cycle"])
        updated = self.events.update_connection(
            Name="cycle", AuthParameters={"BasicAuthParameters": {"Password": "hunter2"}})
        self.assertEqual(updated["ConnectionState"], "AUTHORIZED")
        self.assertIn("LastAuthorizedTime", updated)
        deleted = self.events.delete_connection(Name="cycle")
        self.assertEqual(deleted["ConnectionState"], "DELETING")
        err = self.error(self.events.delete_connection, Name="cycle")
        self.assertEqual(err["Code"], "ResourceNotFoundException")
        self.events.delete_api_destination(Name="cycle-hook")

    def test_api_destination_lifecycle(self):
        arn = self.basic("dest-conn")["ConnectionArn"]
        created = self.events.create_api_destination(
            Name="orders", Description="orders in", ConnectionArn=arn,
            InvocationEndpoint="https://api.example.com/orders/*", HttpMethod="PUT",
            InvocationRateLimitPerSecond=20)
        self.assertRegex(
            created["ApiDestinationArn"],
            rf"^arn:aws:events:{REGION}:{ACCOUNT}:api-destination/orders/[0-9a-f-]{{36}}$")
        described = self.events.describe_api_destination(Name="orders")
        self.assertEqual(described["Description"], "orders in")
        self.assertEqual(described["ConnectionArn"], arn)
        self.assertEqual(described["InvocationEndpoint"], "https://api.example.com/orders/*")
        self.assertEqual(described["HttpMethod"], "PUT")
        self.assertEqual(described["InvocationRateLimitPerSecond"], 20)
        updated = self.events.update_api_destination(Name="orders", HttpMethod="POST")
        self.assertEqual(updated["ApiDestinationState"], "ACTIVE")
        self.assertEqual(self.events.describe_api_destination(Name="orders")["HttpMethod"], "POST")
        self.events.create_api_destination(
            Name="orders-2", ConnectionArn=arn, InvocationEndpoint="https://example.com/x",
            HttpMethod="GET")
        page = self.events.list_api_destinations(NamePrefix="orders", Limit=1)
        self.assertEqual([d["Name"] for d in page["ApiDestinations"]], ["orders"])
        page = self.events.list_api_destinations(NamePrefix="orders", NextToken=page["NextToken"])
        self.assertEqual([d["Name"] for d in page["ApiDestinations"]], ["orders-2"])
        self.assertEqual(page["ApiDestinations"][0]["InvocationRateLimitPerSecond"], 300)
        self.assertNotIn("NextToken", page)

        err = self.error(self.events.create_api_destination, Name="orders", ConnectionArn=arn,
                         InvocationEndpoint="https://example.com/x", HttpMethod="GET")
        self.assertEqual(err["Code"], "ResourceAlreadyExistsException")
        err = self.error(self.events.create_api_destination, Name="plain", ConnectionArn=arn,
                         InvocationEndpoint="http://example.com/x", HttpMethod="GET")
        self.assertEqual(err["Code"], "ValidationException")
        err = self.error(self.events.create_api_destination, Name="fast", ConnectionArn=arn,
                         InvocationEndpoint="https://example.com/x", HttpMethod="GET",
                         InvocationRateLimitPerSecond=301)
        self.assertEqual(err["Code"], "ValidationException")
        self.assertEqual(err["Message"],
                         "1 validation error detected: Value '301' at "
                         "'invocationRateLimitPerSecond' failed to satisfy constraint: Member must "
                         "have value less than or equal to 300")
        err = self.error(self.events.create_api_destination, Name="lost",
                         ConnectionArn=arn[:arn.rfind("/") + 1] + "0" * 36,
                         InvocationEndpoint="https://example.com/x", HttpMethod="GET")
        self.assertEqual(err["Code"], "ResourceNotFoundException")
        self.assertEqual(err["Message"], "Connection 'dest-conn' does not exist.")
        self.events.delete_api_destination(Name="orders")
        self.events.delete_api_destination(Name="orders-2")
        err = self.error(self.events.delete_api_destination, Name="orders")
        self.assertEqual(err["Code"], "ResourceNotFoundException")


class ConnectionsRestartTest(unittest.TestCase):
    def test_connections_and_destinations_survive_a_restart(self):
        with tempfile.TemporaryDirectory() as data:
            with Daemon(data_dir=data) as daemon:
                events = boto3_client("events", daemon.endpoint)
                arn = events.create_connection(
                    Name="kept", AuthorizationType="API_KEY",
                    AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "k",
                                                             "ApiKeyValue": "k3y-value"}}
                )["ConnectionArn"]
                dest = events.create_api_destination(
                    Name="kept", ConnectionArn=arn, InvocationEndpoint="https://example.com/",
                    HttpMethod="POST")["ApiDestinationArn"]
            with Daemon(data_dir=data) as daemon:
                events = boto3_client("events", daemon.endpoint)
                described = events.describe_connection(Name="kept")
                self.assertEqual(described["ConnectionArn"], arn)
                self.assertEqual(described["ConnectionState"], "AUTHORIZED")
                self.assertNotIn("k3y-value", json.dumps(described, default=str))
                self.assertEqual(events.describe_api_destination(Name="kept")["ApiDestinationArn"],
                                 dest)


if __name__ == "__main__":
    unittest.main()
