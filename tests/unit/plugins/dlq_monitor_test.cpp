// DlqMonitor on the plugin daemon: messages really exhaust their receives and move by
// RedrivePolicy; webhooks go to a fake poster, the SNS sink to a real topic; the ManualClock
// ends follow-up windows and runs the emptiness checks.
#include "plugins/dlq_monitor.hpp"

#include <gtest/gtest.h>

#include "daemon_fixture.hpp"
#include "sns/endpoint_delivery.hpp"

namespace eb::plugins {
namespace {

using config::DlqSinkSpec;
using Format = DlqSinkSpec::Format;

class FakePoster final : public sns::HttpPoster {
 public:
  struct Post {
    std::string url;
    std::string body;
  };
  std::vector<Post> posts;
  int status = 200;
  void post(const std::string& url, Headers headers, std::string body, Done done) override {
    EXPECT_EQ(headers, (Headers{{"Content-Type", "application/json"}}));
    posts.push_back({url, std::move(body)});
    done(status, status == 0 ? "connection refused" : "");
  }
  // The bodies posted to `url` since the last call.
  std::vector<std::string> take(const std::string& url) {
    std::vector<std::string> out;
    std::vector<Post> rest;
    for (auto& p : posts) {
      if (p.url == url) {
        out.push_back(std::move(p.body));
      } else {
        rest.push_back(std::move(p));
      }
    }
    posts = std::move(rest);
    return out;
  }
};

const std::string kGeneric = "http://hooks.test/generic";
const std::string kSlack = "http://hooks.test/slack";
const std::string kAlertmanager = "http://alertmanager.test/api/v2/alerts";

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class DlqMonitorTest : public testing::PluginDaemon {
 protected:
  FakePoster poster_;
  DlqMonitorTest() { http_ = &poster_; }

  void SetUp() override {
    PluginDaemon::SetUp();
    dead_letter_pair("orders", "orders-dlq");
  }

  // `source` redrives into `dlq` after 2 receives.
  void dead_letter_pair(const std::string& source, const std::string& dlq) {
    queue(dlq);
    queue(source, {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + d_->queues.queue_arn(dlq) +
                                         R"(","maxReceiveCount":2})"}});
  }

  static config::PluginSpec monitor(config::DlqMonitorPluginSpec settings) {
    config::PluginSpec s;
    s.name = "dlq-monitor";
    s.kind = "dlq-monitor";
    s.source = "dlq-monitor-service";
    s.settings = std::move(settings);
    return s;
  }
  static config::DlqMonitorPluginSpec generic() {
    return {.sinks = {{.webhook = kGeneric}}, .group_seconds = 60};
  }

  // Sends a message to `source` and receives it until its redrive moves it.
  std::string fail_message(const std::string& source, const std::string& body = R"({"id":"e"})",
                           const std::string& type = "order.created") {
    sqs::SendInput in;
    in.body = body;
    if (!type.empty()) in.attributes["eventType"] = {"String", type, ""};
    auto sent = d_->queues.send_message(source, std::move(in));
    EXPECT_TRUE(sent);
    for (int i = 0; i < 3; ++i) {
      sqs::ReceiveInput r;
      r.wait_seconds = 0;
      r.visibility_timeout = 0;
      r.max_messages = 10;
      d_->queues.receive_message(source, std::move(r), [](const auto&) {});
    }
    run_tasks();
    return sent ? sent->message_id : "";
  }

  void empty_queue(const std::string& name) {
    for (;;) {
      sqs::ReceiveInput in;
      in.wait_seconds = 0;
      in.max_messages = 10;
      std::vector<sqs::ReceivedMessage> got;
      d_->queues.receive_message(name, std::move(in), [&](auto r) {
        if (r) got = std::move(*r);
      });
      if (got.empty()) return;
      for (auto& m : got) ASSERT_TRUE(d_->queues.delete_message(name, m.receipt_handle));
    }
  }

  void advance(Millis ms) {
    clock_.advance(ms);
    run_tasks();
  }

  std::string alerts() {
    auto r = route("dlq-monitor", "GET", {"alerts"});
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : "";
  }
};

TEST_F(DlqMonitorTest, TheFirstArrivalAlertsAtOnceWithTheDesignsFields) {
  apply({monitor(generic())});
  const Millis at = clock_.now_ms();
  const std::string id = fail_message("orders");
  auto bodies = poster_.take(kGeneric);
  ASSERT_EQ(bodies.size(), 1u);
  const std::string ts = utc_timestamp(at);
  EXPECT_EQ(bodies[0],
            R"({"status":"firing","notification":"alert","severity":"high",)"
            R"("title":"Messages in dead-letter queue orders-dlq",)"
            R"("message":"A message reached dead-letter queue orders-dlq: message )" +
                id +
                R"( from orders after 2 receives (event type order.created).",)"
                R"("details":{"queue":"orders-dlq","sourceQueue":"orders","messageId":")" +
                id +
                R"(","receiveCount":2,"eventType":"order.created","count":1,"total":1,)"
                R"("firstArrivalAt":")" +
                ts + R"(","body":"{\"id\":\"e\"}"},"queue":"orders-dlq","messageId":")" + id +
                R"(","receiveCount":2,"eventType":"order.created","timestamp":")" + ts + R"("})");
  EXPECT_EQ(alerts(), R"({"alerts":[{"queue":"orders-dlq","status":"firing","severity":"high",)"
                      R"("firstArrivalAt":")" +
                          ts + R"(","lastArrivalAt":")" + ts +
                          R"(","count":1,"notifications":1}]})");
  // It never deletes on its own.
  EXPECT_EQ(attribute("orders-dlq", "ApproximateNumberOfMessages"), "1");
  const PluginCounters c = d_->host.running().front()->counters();
  EXPECT_EQ(c.received, 1u);
  EXPECT_EQ(c.handled, 1u);
  EXPECT_EQ(c.failed, 0u);
}

TEST_F(DlqMonitorTest, LaterArrivalsAreGroupedIntoOneFollowUpThenEmptinessResolves) {
  apply({monitor(generic())});
  fail_message("orders");
  ASSERT_EQ(poster_.take(kGeneric).size(), 1u);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    advance(5000);
    ids.push_back(fail_message("orders", "m" + std::to_string(i), i == 3 ? "" : "order.paid"));
  }
  EXPECT_TRUE(poster_.take(kGeneric).empty());  // collected, not sent yet
  advance(40'000);                              // the window ends 60 s after the first arrival
  auto bodies = poster_.take(kGeneric);
  ASSERT_EQ(bodies.size(), 1u);
  const std::string& f = bodies[0];
  EXPECT_TRUE(has(f, R"("status":"firing","notification":"follow-up")")) << f;
  EXPECT_TRUE(has(f, R"("title":"4 more messages in dead-letter queue orders-dlq")")) << f;
  EXPECT_TRUE(has(f, R"("count":4,"total":5)")) << f;
  EXPECT_TRUE(has(f, R"("messageId":")" + ids[3] + R"(","receiveCount":2,"eventType":null)")) << f;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(has(f, ids[i])) << f;  // the samples
  EXPECT_FALSE(has(f, R"("body")")) << f;
  EXPECT_TRUE(has(alerts(), R"("status":"firing")"));
  EXPECT_TRUE(has(alerts(), R"("count":5,"notifications":2)"));

  // Nothing more arrives: the next window never opens; an empty queue resolves within a second.
  advance(120'000);
  EXPECT_TRUE(poster_.take(kGeneric).empty());
  empty_queue("orders-dlq");
  advance(1000);
  bodies = poster_.take(kGeneric);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_TRUE(has(bodies[0], R"("status":"resolved","notification":"resolved")")) << bodies[0];
  EXPECT_TRUE(has(bodies[0], R"("title":"Dead-letter queue orders-dlq is empty")"));
  EXPECT_TRUE(has(bodies[0], R"("messageId":null,"receiveCount":null,"eventType":null)"));
  const std::string listed = alerts();
  EXPECT_TRUE(has(listed, R"("status":"resolved")")) << listed;
  EXPECT_TRUE(has(listed, R"("count":5,"notifications":3,"resolvedAt":")" +
                              utc_timestamp(clock_.now_ms()) + "\""))
      << listed;

  // Quiet again: the next arrival is a new alert, sent at once.
  fail_message("orders");
  bodies = poster_.take(kGeneric);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_TRUE(has(bodies[0], R"("notification":"alert")"));
  EXPECT_TRUE(has(alerts(), R"("count":1,"notifications":1}]})"));
}

TEST_F(DlqMonitorTest, AnEmptiedQueueSendsItsPendingFollowUpBeforeTheResolution) {
  apply({monitor(generic())});
  fail_message("orders");
  fail_message("orders");
  ASSERT_EQ(poster_.take(kGeneric).size(), 1u);
  empty_queue("orders-dlq");
  advance(1000);
  auto bodies = poster_.take(kGeneric);
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_TRUE(has(bodies[0], R"("notification":"follow-up")"));
  EXPECT_TRUE(has(bodies[1], R"("notification":"resolved")"));
  advance(120'000);  // the window's timer was cancelled
  EXPECT_TRUE(poster_.take(kGeneric).empty());
}

TEST_F(DlqMonitorTest, AlertsRaisedAreCountedPerQueueFollowUpsNot) {
  dead_letter_pair("payments", "payments-dlq");
  apply({monitor(generic())});
  const auto monitor = [this] {
    return std::dynamic_pointer_cast<DlqMonitor>(d_->host.running().front());
  };
  fail_message("orders");
  fail_message("orders");  // a follow-up of the same alert
  empty_queue("orders-dlq");
  advance(1000);           // resolved
  fail_message("orders");  // a new alert
  fail_message("payments");
  using Raised = std::vector<std::pair<std::string, std::uint64_t>>;
  EXPECT_EQ(monitor()->alerts_raised(), (Raised{{"orders-dlq", 2}, {"payments-dlq", 1}}));
}

TEST_F(DlqMonitorTest, WatchesDeadLetterQueuesCreatedLaterAndOnlyTheListedOnes) {
  auto settings = generic();
  apply({monitor(settings)});
  dead_letter_pair("payments", "payments-dlq");
  fail_message("payments");
  auto bodies = poster_.take(kGeneric);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_TRUE(has(bodies[0], R"("title":"Messages in dead-letter queue payments-dlq")"));
  const auto listed = d_->host.list_json();
  EXPECT_TRUE(has(listed, R"("dlqMonitor":{"watching":["orders-dlq","payments-dlq"],"alerts":1,)"))
      << listed;
  EXPECT_TRUE(has(listed, R"("queue":"","topic":"")")) << listed;

  settings.queues = {"payments-dlq"};
  apply({monitor(settings)});
  fail_message("orders");
  EXPECT_TRUE(poster_.take(kGeneric).empty());
  dead_letter_pair("shipping", "shipping-dlq");
  fail_message("shipping");
  EXPECT_TRUE(poster_.take(kGeneric).empty());
}

TEST_F(DlqMonitorTest, DeleteAfterAlertEmptiesTheQueueAndResolves) {
  auto settings = generic();
  settings.delete_after_alert = true;
  apply({monitor(settings)});
  fail_message("orders");
  ASSERT_EQ(poster_.take(kGeneric).size(), 1u);
  EXPECT_EQ(attribute("orders-dlq", "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(attribute("orders-dlq", "ApproximateNumberOfMessagesNotVisible"), "0");
  advance(1000);
  auto bodies = poster_.take(kGeneric);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_TRUE(has(bodies[0], R"("notification":"resolved")"));
  EXPECT_TRUE(has(d_->host.list_json(), R"("deleted":1)"));
}

TEST_F(DlqMonitorTest, SlackAndAlertmanagerFormats) {
  apply({monitor({.sinks = {{.webhook = kSlack, .format = Format::kSlack},
                            {.webhook = kAlertmanager, .format = Format::kAlertmanager}},
                  .severity = "critical"})});
  const std::string started = utc_timestamp(clock_.now_ms());
  const std::string id = fail_message("orders", "{}", "");
  auto slack = poster_.take(kSlack);
  ASSERT_EQ(slack.size(), 1u);
  EXPECT_EQ(slack[0],
            R"({"text":"[FIRING:critical] Messages in dead-letter queue orders-dlq\nA message )"
            R"(reached dead-letter queue orders-dlq: message )" +
                id + R"( from orders after 2 receives."})");
  auto am = poster_.take(kAlertmanager);
  ASSERT_EQ(am.size(), 1u);
  EXPECT_EQ(am[0],
            R"([{"labels":{"alertname":"DeadLetterQueueMessages","queue":"orders-dlq",)"
            R"("severity":"critical"},"annotations":{"summary":"Messages in dead-letter queue )"
            R"(orders-dlq","description":"A message reached dead-letter queue orders-dlq: )"
            R"(message )" +
                id + R"( from orders after 2 receives."},"startsAt":")" + started + R"("}])");

  empty_queue("orders-dlq");
  advance(1000);
  slack = poster_.take(kSlack);
  ASSERT_EQ(slack.size(), 1u);
  EXPECT_TRUE(slack[0].starts_with(R"({"text":"[RESOLVED] Dead-letter queue orders-dlq is empty)"))
      << slack[0];
  am = poster_.take(kAlertmanager);
  ASSERT_EQ(am.size(), 1u);
  EXPECT_TRUE(has(am[0], R"("startsAt":")" + started + R"(","endsAt":")" +
                             utc_timestamp(clock_.now_ms()) + R"("}])"))
      << am[0];
}

TEST_F(DlqMonitorTest, AnSnsSinkPublishesTheGenericJsonWithTheTitleAsSubject) {
  ASSERT_TRUE(d_->topics.create_topic({"ops-alerts", {}, {}, {}}));
  queue("ops-inbox");
  ASSERT_TRUE(d_->topics.subscribe(
      {d_->topics.topic_arn("ops-alerts"), "sqs", d_->queues.queue_arn("ops-inbox"), {}, false}));
  apply({monitor({.sinks = {{.sns_topic = "ops-alerts"}, {.sns_topic = "no-such-topic"}}})});
  fail_message("orders");
  sqs::ReceiveInput in;
  in.wait_seconds = 0;
  std::vector<sqs::ReceivedMessage> got;
  d_->queues.receive_message("ops-inbox", std::move(in), [&](auto r) {
    if (r) got = std::move(*r);
  });
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(has(got[0].body, R"("Subject" : "Messages in dead-letter queue orders-dlq")") ||
              has(got[0].body, R"("Subject":"Messages in dead-letter queue orders-dlq")"))
      << got[0].body;
  EXPECT_TRUE(has(got[0].body, R"(\"notification\":\"alert\")")) << got[0].body;
  const PluginCounters c = d_->host.running().front()->counters();
  EXPECT_EQ(c.published, 1u);
  EXPECT_EQ(c.failed, 1u);  // the missing topic is counted, not fatal
}

TEST_F(DlqMonitorTest, FailingWebhooksAreCountedAndOtherRoutesAnswerErrors) {
  poster_.status = 500;
  apply({monitor(generic())});
  fail_message("orders");
  EXPECT_EQ(d_->host.running().front()->counters().failed, 1u);
  poster_.status = 0;
  empty_queue("orders-dlq");
  advance(1000);
  EXPECT_EQ(d_->host.running().front()->counters().failed, 2u);
  auto r = route("dlq-monitor", "POST", {"alerts"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnsupportedOperation);
  r = route("dlq-monitor", "GET", {"nothing"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kResourceNotFound);
}

TEST_F(DlqMonitorTest, StoppedItAlertsNoMore) {
  apply({monitor(generic())});
  apply({});
  fail_message("orders");
  EXPECT_TRUE(poster_.posts.empty());
}

}  // namespace
}  // namespace eb::plugins
