#include "events/api_destination_delivery.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/encoding.hpp"
#include "core/manual_clock.hpp"
#include "events/connections.hpp"
#include "events/dead_letter.hpp"
#include "events/event_buses.hpp"
#include "events/targets.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::events {
namespace {

// Keeps every request; the test answers them one by one, as an endpoint would, later.
class FakeSender final : public HttpSender {
 public:
  struct Sent {
    HttpRequestSpec request;
    Done done;
    bool answered = false;
  };

  void send(HttpRequestSpec request, Done done) override {
    sent.push_back(Sent{std::move(request), std::move(done)});
  }

  // Answers the oldest request not answered yet.
  void answer(int status, std::string body = "", std::string error = "") {
    for (Sent& s : sent) {
      if (s.answered) continue;
      s.answered = true;
      s.done(HttpResponse{.status = status, .error = std::move(error), .body = std::move(body)});
      return;
    }
    ADD_FAILURE() << "no request waits for an answer";
  }

  std::size_t unanswered() const {
    return static_cast<std::size_t>(
        std::count_if(sent.begin(), sent.end(), [](const Sent& s) { return !s.answered; }));
  }

  std::optional<std::string> header(std::size_t i, std::string_view name) const {
    for (const auto& [key, value] : sent.at(i).request.headers) {
      if (key == name) return value;
    }
    return std::nullopt;
  }

  std::vector<Sent> sent;
};

class ApiDestinationDeliveryTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'709'208'000'000};  // 2024-02-29T12:00:00Z
  storage::MemoryEngine store_{false};
  sqs::Queues queues_{clock_, clock_, store_};
  Connections connections_{clock_, store_};
  FakeSender sender_;
  std::vector<sns::OutboxRecord> records_;
  ApiDestinationDeliveries deliveries_{clock_, clock_, sender_, connections_};
  EventBuses buses_{clock_, clock_, store_, queues_};  // hands its API destinations to deliveries_
  int finals_ = 0;

  void SetUp() override {
    ASSERT_TRUE(queues_.recover());
    ASSERT_TRUE(buses_.recover());
    ASSERT_TRUE(connections_.recover());
    buses_.set_target_services({.api_destinations = &deliveries_});
    deliveries_.set_dead_letter(
        [this](const DeadLetterEvent& letter) { return send_dead_letter(queues_, "1", letter); });
    deliveries_.set_record([this](sns::OutboxRecord r) { records_.push_back(std::move(r)); });
  }

  std::string connection(ConnectionInput in) {
    auto created = connections_.create_connection(in);
    EXPECT_TRUE(created) << (created ? "" : created.error().message);
    return created ? created->arn : std::string();
  }

  std::string api_key_connection() {
    ConnectionInput in;
    in.name = "key";
    in.authorization_type = std::string(kAuthApiKey);
    in.auth = ConnectionAuthInput{.api_key = ApiKeyAuthInput{"x-api-key", "s3cret"}};
    return connection(in);
  }

  std::string oauth_connection() {
    ConnectionInput in;
    in.name = "oauth";
    in.authorization_type = std::string(kAuthOAuth);
    in.auth = ConnectionAuthInput{
        .oauth = OAuthInput{.client_id = "client",
                            .client_secret = "secret",
                            .authorization_endpoint = "https://auth.example.com/token",
                            .http_method = "POST"}};
    return connection(in);
  }

  std::string destination(const std::string& connection_arn, int rate = 300,
                          std::string endpoint = "https://api.example.com/orders",
                          std::string method = "POST") {
    ApiDestinationInput in;
    in.name = "dest" + std::to_string(++destinations_);
    in.connection_arn = connection_arn;
    in.invocation_endpoint = std::move(endpoint);
    in.http_method = std::move(method);
    in.invocation_rate_limit_per_second = rate;
    auto created = connections_.create_api_destination(in);
    EXPECT_TRUE(created) << (created ? "" : created.error().message);
    return created ? created->arn : std::string();
  }

  std::string dlq() {
    EXPECT_TRUE(queues_.create_queue({"dlq", {}, {}}));
    return queues_.queue_arn("dlq");
  }

  ApiDestinationDelivery delivery(const std::string& destination_arn, std::string dlq_arn = "") {
    return ApiDestinationDelivery{.rule_arn = "arn:aws:events:us-east-1:000000000000:rule/r",
                                  .target_id = "t1",
                                  .target_arn = destination_arn,
                                  .event_id = "e-" + std::to_string(++events_),
                                  .dead_letter_arn = std::move(dlq_arn),
                                  .body = R"({"order":1})",
                                  .event = R"({"id":"the-event"})",
                                  .on_final = [this] { ++finals_; }};
  }

  std::vector<sqs::ReceivedMessage> receive(const std::string& queue) {
    std::optional<Result<std::vector<sqs::ReceivedMessage>>> out;
    sqs::ReceiveInput in;
    in.wait_seconds = 0;
    in.max_messages = 10;
    in.message_attribute_names = {"All"};
    queues_.receive_message(queue, in, [&](auto r) { out = std::move(r); });
    if (!out || !out->has_value()) return {};
    return **out;
  }

  static std::string attribute(const sqs::ReceivedMessage& m, const std::string& name) {
    auto it = m.message_attributes.find(name);
    return it == m.message_attributes.end() ? std::string("(none)") : it->second.string_value;
  }

  // Rule "orders" taking source "shop", its one target the API destination `arn` with the
  // Target's `members` (JSON, after Arn); the rule's ARN.
  std::string shop_rule(const std::string& arn, const std::string& members) {
    PutRuleInput rule;
    rule.name = "orders";
    rule.event_pattern = R"({"source":["shop"]})";
    auto put_rule = buses_.put_rule(rule);
    EXPECT_TRUE(put_rule) << put_rule.error().message;
    auto target = parse_target(R"({"Id":"api","Arn":")" + arn + "\"," + members + "}");
    EXPECT_TRUE(target) << target.error().message;
    EXPECT_TRUE(target && buses_.put_targets(std::nullopt, "orders", {*target}));
    return put_rule.value_or("");
  }

  static PutEventsEntry shop_event(std::string detail) {
    PutEventsEntry entry;
    entry.source = "shop";
    entry.detail_type = "Order Placed";
    entry.detail = std::move(detail);
    return entry;
  }

  int destinations_ = 0;
  int events_ = 0;
};

TEST_F(ApiDestinationDeliveryTest, ApiKeyInvocationCarriesTheKeyAndTheTargetsParameters) {
  const std::string arn =
      destination(api_key_connection(), 300, "https://api.example.com/orders/*", "PUT");
  ApiDestinationDelivery d = delivery(arn);
  d.http_parameters.path_parameter_values = {"42"};
  d.http_parameters.header_parameters = {{"x-tenant", "acme"}};
  d.http_parameters.query_string_parameters = {{"mode", "fast"}};
  deliveries_.deliver(std::move(d));

  ASSERT_EQ(sender_.sent.size(), 1U);
  const HttpRequestSpec& r = sender_.sent[0].request;
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.url, "https://api.example.com/orders/42?mode=fast");
  EXPECT_EQ(r.body, R"({"order":1})");
  EXPECT_EQ(sender_.header(0, "x-api-key"), "s3cret");
  EXPECT_EQ(sender_.header(0, "x-tenant"), "acme");
  EXPECT_EQ(deliveries_.in_flight(), 1U);

  sender_.answer(204);
  EXPECT_EQ(finals_, 1);
  EXPECT_EQ(deliveries_.in_flight(), 0U);
  ASSERT_EQ(records_.size(), 1U);
  EXPECT_EQ(records_[0].outcome, sns::kOutcomeDelivered);
  EXPECT_EQ(records_[0].protocol, "api-destination");
  EXPECT_EQ(records_[0].endpoint, arn);
  EXPECT_EQ(records_[0].attempts, 1);
  EXPECT_EQ(records_[0].http_status, 204);
}

TEST_F(ApiDestinationDeliveryTest, BasicConnectionSendsBasicCredentials) {
  ConnectionInput in;
  in.name = "basic";
  in.authorization_type = std::string(kAuthBasic);
  in.auth = ConnectionAuthInput{.basic = BasicAuthInput{"user", "hunter2"}};
  deliveries_.deliver(delivery(destination(connection(in))));
  ASSERT_EQ(sender_.sent.size(), 1U);
  EXPECT_EQ(sender_.header(0, "Authorization"), "Basic " + base64_encode("user:hunter2"));
}

TEST_F(ApiDestinationDeliveryTest, OAuthTokenIsFetchedOnceCachedAndRefreshedOn401) {
  const std::string arn = destination(oauth_connection());
  deliveries_.deliver(delivery(arn));
  deliveries_.deliver(delivery(arn));
  // One token request for both deliveries.
  ASSERT_EQ(sender_.sent.size(), 1U);
  EXPECT_EQ(sender_.sent[0].request.url, "https://auth.example.com/token");
  EXPECT_EQ(sender_.header(0, "Authorization"), "Basic " + base64_encode("client:secret"));
  sender_.answer(200, R"({"access_token":"t1","token_type":"Bearer"})");
  ASSERT_EQ(sender_.sent.size(), 3U);
  EXPECT_EQ(sender_.header(1, "Authorization"), "Bearer t1");
  EXPECT_EQ(sender_.header(2, "Authorization"), "Bearer t1");
  sender_.answer(200);

  // Cached: the next delivery goes straight out.
  deliveries_.deliver(delivery(arn));
  ASSERT_EQ(sender_.sent.size(), 4U);
  EXPECT_EQ(sender_.header(3, "Authorization"), "Bearer t1");
  sender_.answer(200);

  // The endpoint refuses the token: the retry fetches a new one.
  sender_.answer(401);
  EXPECT_EQ(sender_.sent.size(), 4U);
  clock_.advance(1000);
  ASSERT_EQ(sender_.sent.size(), 5U);
  EXPECT_EQ(sender_.sent[4].request.url, "https://auth.example.com/token");
  sender_.answer(200, R"({"access_token":"t2"})");
  ASSERT_EQ(sender_.sent.size(), 6U);
  EXPECT_EQ(sender_.header(5, "Authorization"), "Bearer t2");
  sender_.answer(200);
  EXPECT_EQ(finals_, 3);
  EXPECT_EQ(deliveries_.in_flight(), 0U);
}

TEST_F(ApiDestinationDeliveryTest, OAuthTokenIsRefreshedBeforeItsExpiresInRunsOut) {
  const std::string arn = destination(oauth_connection());
  deliveries_.deliver(delivery(arn));
  ASSERT_EQ(sender_.sent.size(), 1U);
  sender_.answer(200, R"({"access_token":"t1","expires_in":300})");
  ASSERT_EQ(sender_.sent.size(), 2U);
  EXPECT_EQ(sender_.header(1, "Authorization"), "Bearer t1");
  sender_.answer(200);

  // Well within its 300 s the token is reused.
  clock_.advance(200'000);
  deliveries_.deliver(delivery(arn));
  ASSERT_EQ(sender_.sent.size(), 3U);
  EXPECT_EQ(sender_.header(2, "Authorization"), "Bearer t1");
  sender_.answer(200);

  // Close to its end (30 s before) it is not used any more: a new one is fetched first.
  clock_.advance(75'000);
  deliveries_.deliver(delivery(arn));
  ASSERT_EQ(sender_.sent.size(), 4U);
  EXPECT_EQ(sender_.sent[3].request.url, "https://auth.example.com/token");
  sender_.answer(200, R"({"access_token":"t2","expires_in":"300"})");
  ASSERT_EQ(sender_.sent.size(), 5U);
  EXPECT_EQ(sender_.header(4, "Authorization"), "Bearer t2");
  sender_.answer(200);

  // A token without expires_in is kept until the destination refuses it.
  clock_.advance(300'000);
  deliveries_.deliver(delivery(arn));
  ASSERT_EQ(sender_.sent.size(), 6U);
  sender_.answer(200, R"({"access_token":"t3"})");
  sender_.answer(200);
  clock_.advance(86'400'000);
  deliveries_.deliver(delivery(arn));
  ASSERT_EQ(sender_.sent.size(), 8U);
  EXPECT_EQ(sender_.header(7, "Authorization"), "Bearer t3");
  sender_.answer(200);
  EXPECT_EQ(finals_, 5);
  EXPECT_EQ(deliveries_.in_flight(), 0U);
}

TEST_F(ApiDestinationDeliveryTest, InvocationsOverTheRateLimitWaitForTheNextSecond) {
  const std::string arn = destination(api_key_connection(), 2);
  for (int i = 0; i < 5; ++i) deliveries_.deliver(delivery(arn));
  EXPECT_EQ(sender_.sent.size(), 2U);
  EXPECT_EQ(deliveries_.in_flight(), 5U);
  clock_.advance(999);
  EXPECT_EQ(sender_.sent.size(), 2U);
  clock_.advance(1);
  EXPECT_EQ(sender_.sent.size(), 4U);
  clock_.advance(1000);
  EXPECT_EQ(sender_.sent.size(), 5U);
  while (sender_.unanswered() > 0) sender_.answer(200);
  EXPECT_EQ(finals_, 5);
  EXPECT_EQ(records_.size(), 5U);
}

TEST_F(ApiDestinationDeliveryTest, ServerErrorIsRetriedAfterItsBackoff) {
  deliveries_.deliver(delivery(destination(api_key_connection())));
  sender_.answer(503);
  clock_.advance(499);  // the first retry waits between 500 and 1000 ms
  EXPECT_EQ(sender_.sent.size(), 1U);
  clock_.advance(501);
  ASSERT_EQ(sender_.sent.size(), 2U);
  sender_.answer(200);
  ASSERT_EQ(records_.size(), 1U);
  EXPECT_EQ(records_[0].outcome, sns::kOutcomeDelivered);
  EXPECT_EQ(records_[0].attempts, 2);
  EXPECT_EQ(finals_, 1);
}

TEST_F(ApiDestinationDeliveryTest, RetryableStatusesFollowTheApiDestinationRules) {
  for (int status : {0, 401, 407, 409, 429, 500, 502, 503, 504}) {
    EXPECT_TRUE(retryable_status(status)) << status;
  }
  for (int status : {301, 400, 403, 404, 405, 413, 422}) {
    EXPECT_FALSE(retryable_status(status)) << status;
  }
}

TEST_F(ApiDestinationDeliveryTest, ClientErrorGoesStraightToTheDeadLetterQueue) {
  const std::string queue = dlq();
  const std::string arn = destination(api_key_connection());
  deliveries_.deliver(delivery(arn, queue));
  sender_.answer(400);
  EXPECT_EQ(sender_.sent.size(), 1U);
  EXPECT_EQ(finals_, 1);
  EXPECT_EQ(clock_.pending_timers(), 0U);

  auto messages = receive("dlq");
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].body, R"({"id":"the-event"})");
  EXPECT_EQ(attribute(messages[0], "RULE_ARN"), "arn:aws:events:us-east-1:000000000000:rule/r");
  EXPECT_EQ(attribute(messages[0], "TARGET_ARN"), arn);
  EXPECT_EQ(attribute(messages[0], "ERROR_CODE"), kErrorHttpStatus);
  EXPECT_EQ(attribute(messages[0], "ERROR_MESSAGE"), "The endpoint answered HTTP status 400");
  EXPECT_EQ(attribute(messages[0], "RETRY_ATTEMPTS"), "0");
  EXPECT_EQ(attribute(messages[0], "EXHAUSTED_RETRY_CONDITION"), "(none)");
  ASSERT_EQ(records_.size(), 1U);
  EXPECT_EQ(records_[0].outcome, sns::kOutcomeDeadLettered);
  EXPECT_EQ(records_[0].http_status, 400);
}

TEST_F(ApiDestinationDeliveryTest, ExhaustedRetryAttemptsAreDeadLettered) {
  const std::string queue = dlq();
  ApiDestinationDelivery d = delivery(destination(api_key_connection()), queue);
  d.maximum_retry_attempts = 2;
  deliveries_.deliver(std::move(d));
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(sender_.unanswered(), 1U) << i;
    sender_.answer(500);
    clock_.advance(10'000);
  }
  EXPECT_EQ(sender_.sent.size(), 3U);
  EXPECT_EQ(finals_, 1);
  auto messages = receive("dlq");
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(attribute(messages[0], "RETRY_ATTEMPTS"), "2");
  EXPECT_EQ(attribute(messages[0], "EXHAUSTED_RETRY_CONDITION"), kExhaustedRetryAttempts);
  EXPECT_EQ(attribute(messages[0], "ERROR_CODE"), kErrorHttpStatus);
}

TEST_F(ApiDestinationDeliveryTest, ExhaustedEventAgeIsDeadLettered) {
  const std::string queue = dlq();
  ApiDestinationDelivery d = delivery(destination(api_key_connection()), queue);
  d.maximum_event_age_seconds = 60;
  deliveries_.deliver(std::move(d));
  // Each failure is answered 70 s after the last: the second is past the 60 s the event may age.
  for (int i = 0; i < 8 && finals_ == 0; ++i) {
    ASSERT_EQ(sender_.unanswered(), 1U) << i;
    sender_.answer(0, "", "timed out after 5000 ms");
    clock_.advance(70'000);
  }
  EXPECT_EQ(finals_, 1);
  auto messages = receive("dlq");
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(attribute(messages[0], "EXHAUSTED_RETRY_CONDITION"), kExhaustedEventAge);
  EXPECT_EQ(attribute(messages[0], "ERROR_CODE"), kErrorNoAnswer);
  EXPECT_EQ(attribute(messages[0], "ERROR_MESSAGE"),
            "The endpoint did not answer: timed out after 5000 ms");
}

TEST_F(ApiDestinationDeliveryTest, MissingOrDeauthorizedDestinationsAreNotRetried) {
  const std::string queue = dlq();
  deliveries_.deliver(
      delivery("arn:aws:events:us-east-1:000000000000:api-destination/gone/"
               "00000000-0000-0000-0000-000000000000",
               queue));
  const std::string arn = destination(api_key_connection());
  ASSERT_TRUE(connections_.deauthorize_connection("key"));
  deliveries_.deliver(delivery(arn, queue));
  EXPECT_TRUE(sender_.sent.empty());
  EXPECT_EQ(finals_, 2);
  auto messages = receive("dlq");
  ASSERT_EQ(messages.size(), 2U);
  EXPECT_EQ(attribute(messages[0], "ERROR_CODE"), kErrorNoResource);
  EXPECT_EQ(attribute(messages[1], "ERROR_CODE"), kErrorInactive);
}

TEST_F(ApiDestinationDeliveryTest, WithoutADeadLetterQueueAFailedEventIsDroppedOnce) {
  deliveries_.deliver(delivery(destination(api_key_connection())));
  sender_.answer(404);
  EXPECT_EQ(finals_, 1);
  ASSERT_EQ(records_.size(), 1U);
  EXPECT_EQ(records_[0].outcome, sns::kOutcomeDropped);
}

TEST_F(ApiDestinationDeliveryTest, PutEventsInvokesARulesTargetWithItsParametersAndRetryPolicy) {
  const std::string queue = dlq();
  const std::string arn =
      destination(api_key_connection(), 300, "https://api.example.com/orders/*");
  const std::string rule_arn =
      shop_rule(arn, R"("InputPath":"$.detail","HttpParameters":{"PathParameterValues":["o-7"],)"
                     R"("HeaderParameters":{"x-tenant":"acme"},"QueryStringParameters":{"q":"1"}},)"
                     R"("RetryPolicy":{"MaximumRetryAttempts":0},"DeadLetterConfig":{"Arn":")" +
                         queue + R"("})");
  auto put = buses_.put_events({shop_event(R"({"id":"o-7"})")});
  ASSERT_TRUE(put) << put.error().message;
  ASSERT_EQ(put->failed_entry_count, 0);

  ASSERT_EQ(sender_.sent.size(), 1U);
  EXPECT_EQ(sender_.sent[0].request.url, "https://api.example.com/orders/o-7?q=1");
  EXPECT_EQ(sender_.header(0, "x-tenant"), "acme");
  EXPECT_EQ(sender_.header(0, "x-api-key"), "s3cret");
  EXPECT_EQ(sender_.sent[0].request.body, R"({"id":"o-7"})");
  sender_.answer(503);  // retryable, but the policy allows no retry
  EXPECT_EQ(clock_.pending_timers(), 0U);
  auto messages = receive("dlq");
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_NE(messages[0].body.find(put->entries[0].event_id), std::string::npos);
  EXPECT_EQ(attribute(messages[0], "RULE_ARN"), rule_arn);
  EXPECT_EQ(attribute(messages[0], "EXHAUSTED_RETRY_CONDITION"), kExhaustedRetryAttempts);
  EXPECT_EQ(attribute(messages[0], "RETRY_ATTEMPTS"), "0");
  EXPECT_EQ(deliveries_.in_flight(), 0U);
}

TEST_F(ApiDestinationDeliveryTest, RetriesAndOutcomesCountOnTheRulesBus) {
  const std::string queue = dlq();
  const std::string arn = destination(api_key_connection());
  shop_rule(arn, R"("RetryPolicy":{"MaximumRetryAttempts":1},"DeadLetterConfig":{"Arn":")" + queue +
                     R"("})");
  const PutEventsEntry entry = shop_event("{}");
  const auto counts = [this] { return buses_.stats().buses.at(0).counts; };

  ASSERT_TRUE(buses_.put_events({entry}));
  sender_.answer(503);
  EXPECT_EQ(counts()[BusCount::kRetried], 1U);
  EXPECT_EQ(counts()[BusCount::kFailed], 0U);  // not final yet
  clock_.advance(10'000);
  sender_.answer(503);  // the one retry failed too
  EXPECT_EQ(counts()[BusCount::kFailed], 1U);
  EXPECT_EQ(counts()[BusCount::kDeadLettered], 1U);

  ASSERT_TRUE(buses_.put_events({entry}));
  sender_.answer(200);
  const BusCounts c = counts();
  EXPECT_EQ(c[BusCount::kMatched], 2U);
  EXPECT_EQ(c[BusCount::kDelivered], 1U);
  EXPECT_EQ(c[BusCount::kRetried], 1U);
  EXPECT_EQ(c[BusCount::kDropped], 0U);
}

}  // namespace
}  // namespace eb::events
