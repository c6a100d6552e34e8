#pragma once
// An EventLog on a MemoryEngine and a ManualClock, plus helpers that play the broker's part
// (stage, write, finish) so tests drive the sink exactly as a send does.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/manual_clock.hpp"
#include "eventlog/event_log.hpp"
#include "storage/memory_engine.hpp"

namespace eb::eventlog {

inline constexpr std::string_view kQueueArn = "arn:aws:sqs:us-east-1:000000000000:orders";

inline std::string envelope(std::string_view id, std::string_view type,
                            std::string_view correlation = "", std::string_view causation = "",
                            std::string_view data = "{}") {
  std::string out = R"({"id":")" + std::string(id) + R"(","type":")" + std::string(type) + '"';
  if (!correlation.empty()) out += R"(,"correlationId":")" + std::string(correlation) + '"';
  if (!causation.empty()) out += R"(,"causationId":")" + std::string(causation) + '"';
  out += R"(,"source":"order-service","data":)" + std::string(data) + "}";
  return out;
}

// A MemoryEngine whose reads fail while `fail_reads` is set, as a corrupt store's would.
class FlakyReadEngine final : public storage::Engine {
 public:
  explicit FlakyReadEngine(storage::Engine& inner) : inner_(inner) {}
  bool fail_reads = false;

  bool durable() const override { return inner_.durable(); }
  Result<void> write(const storage::Batch& batch) override { return inner_.write(batch); }
  Result<std::optional<std::string>> get(storage::Family family,
                                         std::string_view key) const override {
    if (fail_reads) return broken();
    return inner_.get(family, key);
  }
  Result<std::vector<std::optional<std::string>>> multi_get(
      storage::Family family, const std::vector<std::string>& keys) const override {
    if (fail_reads) return broken();
    return inner_.multi_get(family, keys);
  }
  Result<void> scan(storage::Family family, std::string_view from, std::string_view to,
                    const Visit& visit, bool reverse = false) const override {
    if (fail_reads) return broken();
    return inner_.scan(family, from, to, visit, reverse);
  }
  void when_durable(std::function<void()> done) override { inner_.when_durable(std::move(done)); }

 private:
  static std::unexpected<Error> broken() { return fail(Errc::kInternalError, "corrupt block"); }
  storage::Engine& inner_;
};

class EventLogTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  storage::MemoryEngine engine_;
  std::unique_ptr<EventLog> log_ = open();

  // A log recovered from engine_, as the daemon builds it at startup.
  std::unique_ptr<EventLog> open(EventLogOptions options = {}) {
    auto log = std::make_unique<EventLog>(engine_, clock_, clock_, options);
    auto recovered = log->recover();
    EXPECT_TRUE(recovered) << (recovered ? "" : recovered.error().message);
    return log;
  }

  void restart(EventLogOptions options = {}) {
    log_.reset();
    log_ = open(options);
  }

  // Stages one message without finishing it.
  storage::EventSink::Staged stage(std::string_view body, const MessageAttributes* attributes,
                                   storage::Batch& batch, std::string_view source = kQueueArn) {
    storage::IncomingMessage m{source, "message-id", body, attributes, clock_.now_ms()};
    return log_->stage(std::span(&m, 1), batch);
  }

  // A broker send: stage, write, finish. Returns the seq.
  std::uint64_t send(std::string_view body, MessageAttributes attributes = {},
                     std::string_view source = kQueueArn) {
    storage::Batch batch;
    auto staged = stage(body, &attributes, batch, source);
    auto written = engine_.write(batch);
    log_->finish(staged, written.has_value());
    return staged.first_seq;
  }

  AppendResult append(const std::string& stream, ExpectedVersion expected,
                      std::vector<std::string> events) {
    auto r = log_->append(stream, expected, events);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : AppendResult{};
  }

  std::vector<std::uint64_t> seqs(const EventFilter& filter = {}, std::uint64_t after = 0) {
    auto page = log_->read(after, 1000, filter);
    EXPECT_TRUE(page);
    std::vector<std::uint64_t> out;
    if (page) {
      for (const auto& e : page->events) out.push_back(e.seq);
    }
    return out;
  }
};

}  // namespace eb::eventlog
