"""SQS, SNS, EventBridge and EventBridge Scheduler driven by the AWS SDK for JavaScript v3 and
sqs-consumer against the built daemon, and the design's EventBus against the built-in workers of
the shipped configuration.

The tests themselves are JavaScript, in node/ (run with node's built-in `node --test`); this
wrapper starts a daemon, points them at it with EB_ENDPOINT and fails with node's output when
any of them fails. node_modules is installed from the lock file (`npm ci`) if missing.
"""
import os
import shutil
import subprocess
import unittest

from harness import Daemon

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
TEST_FILES = ["sqs.test.mjs", "consumer.test.mjs", "sns.test.mjs", "fifo.test.mjs",
              "events.test.mjs", "scheduler.test.mjs"]
NODE = shutil.which("node")
NPM = shutil.which("npm")
NODE_TIMEOUT = 300
NPM_TIMEOUT = 300


def ensure_node_modules():
    """Installs the pinned dependencies unless node_modules already holds them."""
    needed = [("@aws-sdk", "client-sqs"), ("@aws-sdk", "client-sns"),
              ("@aws-sdk", "client-eventbridge"), ("@aws-sdk", "client-scheduler"),
              ("sqs-consumer",), ("sns-validator",), ("playwright-core",)]
    if all(os.path.isdir(os.path.join(NODE_DIR, "node_modules", *parts)) for parts in needed):
        return
    if NPM is None:
        raise AssertionError("node_modules is missing in %s and npm is not installed" % NODE_DIR)
    result = subprocess.run([NPM, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR,
                            capture_output=True, text=True, timeout=NPM_TIMEOUT)
    if result.returncode != 0:
        raise AssertionError("npm ci failed in %s (exit %d)\n%s\n%s"
                             % (NODE_DIR, result.returncode, result.stdout, result.stderr))


SHIPPED_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config",
                              "eventbrokerd.yaml")


@unittest.skipIf(NODE is None, "node is not installed")
class JavaScriptSdkTest(unittest.TestCase):
    def test_node_sdk_and_sqs_consumer(self):
        self.run_node(TEST_FILES)

    def test_designs_event_bus_against_the_built_in_workers(self):
        self.run_node(["eventbus.test.mjs"], "--config", SHIPPED_CONFIG)

    def run_node(self, files, *daemon_args):
        run_node(self, files, *daemon_args)


def run_node(test, files, *daemon_args, env_extra=None):
    """Runs the node test `files` against a daemon started with `daemon_args`, with `env_extra`
    added to the environment; fails `test` (a TestCase) with node's output and the daemon's log
    when any of them fails."""
    ensure_node_modules()
    with Daemon(*daemon_args) as daemon:
        env = dict(os.environ, EB_ENDPOINT=daemon.endpoint, EB_TARGET="eventbrokerd",
                   **(env_extra or {}))
        # Keep the SDK from picking up a developer's AWS profile or region settings.
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE",
                     "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS"):
            env.pop(name, None)
        try:
            result = subprocess.run(
                [NODE, "--test", "--test-reporter=spec", *files],
                cwd=NODE_DIR, env=env, capture_output=True, text=True, timeout=NODE_TIMEOUT)
        except subprocess.TimeoutExpired as error:
            test.fail("node --test did not finish within %d s\n%s\n%s\n--- daemon log ---\n%s"
                      % (NODE_TIMEOUT, _text(error.stdout), _text(error.stderr), daemon.log))
        if result.returncode != 0:
            test.fail("node --test exited with %d\n%s\n%s\n--- daemon log ---\n%s"
                      % (result.returncode, result.stdout, result.stderr, daemon.log))
        # A file that fails to load makes node exit non-zero; make sure tests did run.
        test.assertRegex(result.stdout, r"pass [1-9]", result.stdout)


def _text(output):
    if output is None:
        return ""
    return output.decode(errors="replace") if isinstance(output, bytes) else output


if __name__ == "__main__":
    unittest.main()
