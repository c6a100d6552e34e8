#pragma once
// An EventLog on a MemoryEngine and a ManualClock, plus helpers that play the broker's part
// (stage, write, finish) so tests drive the sink exactly as a send does.
#include <gtest/gtest.h>

#include <memory>
#include <string>

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

class EventLogTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  storage::MemoryEngine engine_;
  std::unique_ptr<EventLog> log_ = std::make_unique<EventLog>(engine_, clock_, clock_);

  void restart(EventLogOptions options = {}) {
    log_.reset();
    log_ = std::make_unique<EventLog>(engine_, clock_, clock_, options);
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
