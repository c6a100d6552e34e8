"""The web console (/ui/) in Debian's Chromium, driven by playwright-core from node (the test is
node/console.test.mjs): the start page lists a queue made with the SDK, the queue page peeks
without receiving and sends, a dead-letter queue is redriven and purged, the plugins page shows
the DLQ monitor's alert, the outbox an email subscription's message, a saga of the shipped
configuration shows its steps and trace, the event log tails, a form posted from another
site is refused, a topic's page publishes into a subscribed queue and tests its subscription's
filter policy, and an event bus made with the SDK shows its rule and target, puts an event from
its form into the target queue and tests patterns. Screenshots of each page go to
console-screenshots/ beside the binary.
Also the console's files over HTTP and the browser guard, with plain HTTP requests.
"""
import http.client
import os
import shutil
import unittest
import urllib.error
import urllib.request

from harness import Daemon, binary_path
from test_js_sdk import SHIPPED_CONFIG, run_node

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def request(daemon, method, path, headers=None, body=None):
    req = urllib.request.Request(daemon.endpoint + path, method=method, data=body,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as res:
            return res.status, dict(res.headers), res.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class ConsoleInBrowserTest(unittest.TestCase):
    def test_the_console_in_chromium(self):
        self.assertTrue(os.path.exists(CHROMIUM), "chromium is not installed (scripts/setup does)")
        shots = os.path.join(os.path.dirname(os.path.abspath(binary_path())), "console-screenshots")
        run_node(self, ["console.test.mjs"], "--config", SHIPPED_CONFIG,
                 env_extra={"CHROMIUM": CHROMIUM, "EB_SCREENSHOTS": shots})
        for page in ("queues", "queue", "redrive", "plugins", "outbox", "saga", "trace", "events",
                     "topic", "bus"):
            self.assertTrue(os.path.getsize(os.path.join(shots, page + ".png")) > 0, page)


class ConsoleOverHttpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon("--in-memory").__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    def test_serves_the_pages_with_their_headers(self):
        status, headers, body = request(self.daemon, "GET", "/ui/")
        self.assertEqual(status, 200)
        self.assertIn(b'<script type="module" src="app.js">', body)
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        self.assertIn("default-src 'self'", headers["Content-Security-Policy"])
        status, headers, _ = request(self.daemon, "GET", "/ui/app.js",
                                     {"If-None-Match": headers["ETag"]})
        self.assertEqual(status, 200)  # another file's ETag
        status, _, body = request(self.daemon, "GET", "/ui/app.js",
                                  {"If-None-Match": headers["ETag"]})
        self.assertEqual((status, body), (304, b""))
        status, headers, _ = request(self.daemon, "GET", "/ui/vendor/preact-htm.js")
        self.assertEqual((status, headers["Content-Type"]), (200, "text/javascript; charset=utf-8"))
        self.assertEqual(request(self.daemon, "GET", "/ui/nothing.js")[0], 404)

    def test_a_browser_at_the_root_is_sent_to_the_console(self):
        def root(accept):
            host, port = self.daemon.endpoint.removeprefix("http://").split(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=5)
            conn.request("GET", "/", headers={"Accept": accept} if accept else {})
            res = conn.getresponse()
            body = res.read()
            conn.close()
            return res.status, res.getheader("Location"), body
        self.assertEqual(root("text/html,application/xhtml+xml,*/*;q=0.8")[:2], (302, "/ui/"))
        # Anything else at / is still SQS's query protocol.
        status, location, body = root(None)
        self.assertEqual((status, location), (400, None))
        self.assertIn(b"MissingAction", body)

    def test_refuses_browsers_from_elsewhere(self):
        def purge(headers):
            return request(self.daemon, "POST", "/v1/queues/missing/purge", headers, b"{}")[0]
        # Without browser headers (curl, SDKs, other containers): served (here: no such queue).
        self.assertEqual(purge({"Host": "eventbrokerd:4566"}), 404)
        self.assertEqual(purge({"Origin": self.daemon.endpoint}), 404)
        self.assertEqual(purge({"Origin": "https://evil.example"}), 403)
        self.assertEqual(purge({"Sec-Fetch-Site": "cross-site"}), 403)
        # DNS rebinding: the attacker's name in Host, even for reads.
        status, _, body = request(self.daemon, "GET", "/ui/",
                                  {"Host": "attacker.example:4566", "Sec-Fetch-Site": "same-origin"})
        self.assertEqual(status, 403)
        self.assertIn(b"attacker.example", body)


if __name__ == "__main__":
    unittest.main()
