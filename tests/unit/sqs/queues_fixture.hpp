#pragma once
// A broker on a ManualClock and a MemoryEngine: no sockets, no disk, no sleeps. Every test
// runs twice: with payloads kept in RAM (--in-memory) and with payloads in the engine, the
// path a durable (RocksDB) engine takes.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "core/manual_clock.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::sqs::testing {

// A receive that must complete at once.
inline std::vector<ReceivedMessage> receive_now(Queues& queues, const std::string& queue,
                                                ReceiveInput input = {}) {
  if (!input.wait_seconds) input.wait_seconds = 0;
  std::optional<Result<std::vector<ReceivedMessage>>> out;
  queues.receive_message(queue, std::move(input), [&](auto r) { out = std::move(r); });
  EXPECT_TRUE(out.has_value()) << "receive parked";
  if (!out || !out->has_value()) return {};
  return **out;
}

class QueuesTest : public ::testing::TestWithParam<bool> {
 protected:
  ManualClock clock_;
  storage::MemoryEngine store_{GetParam()};
  Queues queues_{clock_, clock_, store_};

  std::string create(const std::string& name, AttributeMap attributes = {}) {
    auto r = queues_.create_queue({name, std::move(attributes), {}});
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return name;
  }

  SendOutput send(const std::string& queue, std::string body, SendInput input = {}) {
    input.body = std::move(body);
    auto r = queues_.send_message(queue, std::move(input));
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : SendOutput{};
  }

  // A receive that must complete at once.
  std::vector<ReceivedMessage> receive(const std::string& queue, ReceiveInput input = {}) {
    return receive_now(queues_, queue, std::move(input));
  }

  std::string attribute(const std::string& queue, const std::string& name) {
    auto r = queues_.get_queue_attributes(queue, {name});
    if (!r || !r->contains(name)) return "<missing>";
    return r->at(name);
  }

  // A parked receive's eventual result.
  struct Parked {
    std::optional<Result<std::vector<ReceivedMessage>>> result;
    bool done() const { return result.has_value(); }
    std::size_t count() const { return result && result->has_value() ? (*result)->size() : 0; }
  };
  std::shared_ptr<Parked> park(const std::string& queue, ReceiveInput input) {
    auto p = std::make_shared<Parked>();
    queues_.receive_message(queue, std::move(input), [p](auto r) { p->result = std::move(r); });
    return p;
  }
};

}  // namespace eb::sqs::testing
