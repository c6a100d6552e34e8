// Many threads on one queue: every message is received exactly once and counters end at zero.
// Run under TSan (the tsan preset) this is the broker's data-race check.
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "sqs/queues_fixture.hpp"

namespace eb::sqs::testing {
namespace {

TEST_P(QueuesTest, ConcurrentSendReceiveDeleteLosesNothing) {
  create("q");
  constexpr int kProducers = 3;
  constexpr int kPerProducer = 2000;
  constexpr int kTotal = kProducers * kPerProducer;
  std::atomic<int> received{0};
  std::mutex seen_mu;
  std::set<std::string> seen;
  std::atomic<bool> duplicate{false};

  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        SendInput in;
        in.body = std::to_string(p) + ":" + std::to_string(i);
        ASSERT_TRUE(queues_.send_message("q", std::move(in)));
      }
    });
  }
  for (int c = 0; c < 3; ++c) {
    threads.emplace_back([&] {
      while (received.load() < kTotal) {
        ReceiveInput in;
        in.max_messages = 10;
        in.wait_seconds = 0;
        std::vector<ReceivedMessage> got;
        queues_.receive_message("q", in, [&](auto r) {
          if (r) got = std::move(*r);
        });
        for (auto& m : got) {
          {
            std::lock_guard lock(seen_mu);
            if (!seen.insert(m.body).second) duplicate = true;
          }
          ASSERT_TRUE(queues_.delete_message("q", m.receipt_handle));
          ++received;
        }
        if (got.empty()) std::this_thread::yield();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(duplicate);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kTotal));
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessagesNotVisible"), "0");
}

// FIFO under concurrency: producers share groups, consumers receive and delete, and each
// (group, producer) sequence must arrive in order exactly once. Sends hold the queue's send
// lock through their write while receives, deletes and timers run: TSan checks the locking.
TEST_P(QueuesTest, ConcurrentFifoProducersKeepEachGroupsOrder) {
  create("q.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  constexpr int kProducers = 3;
  constexpr int kPerProducer = 600;
  constexpr int kGroups = 4;
  constexpr int kTotal = kProducers * kPerProducer;
  std::atomic<int> received{0};
  std::atomic<bool> out_of_order{false};
  std::mutex last_mu;
  std::map<std::pair<std::string, int>, int> last;  // (group, producer) -> last counter seen

  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        SendInput in;
        in.group_id = "g" + std::to_string(i % kGroups);
        in.body = std::to_string(p) + ":" + std::to_string(i);
        ASSERT_TRUE(queues_.send_message("q.fifo", std::move(in)));
      }
    });
  }
  for (int c = 0; c < 2; ++c) {
    threads.emplace_back([&] {
      while (received.load() < kTotal) {
        ReceiveInput in;
        in.max_messages = 10;
        in.wait_seconds = 0;
        in.system_attribute_names = {"MessageGroupId"};
        std::vector<ReceivedMessage> got;
        queues_.receive_message("q.fifo", in, [&](auto r) {
          if (r) got = std::move(*r);
        });
        for (auto& m : got) {
          const auto colon = m.body.find(':');
          const int producer = std::stoi(m.body.substr(0, colon));
          const int counter = std::stoi(m.body.substr(colon + 1));
          {
            std::lock_guard lock(last_mu);
            auto [it, fresh] = last.try_emplace({m.attributes.at(0).second, producer}, counter);
            if (!fresh) {
              if (counter <= it->second) out_of_order = true;
              it->second = counter;
            }
          }
          ASSERT_TRUE(queues_.delete_message("q.fifo", m.receipt_handle));
          ++received;
        }
        if (got.empty()) std::this_thread::yield();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(out_of_order);
  EXPECT_EQ(received.load(), kTotal);
  EXPECT_EQ(attribute("q.fifo", "ApproximateNumberOfMessages"), "0");
}

TEST_P(QueuesTest, ConcurrentLongPollsAllServed) {
  create("q");
  constexpr int kWaiters = 50;
  std::vector<std::shared_ptr<Parked>> parked;
  ReceiveInput in;
  in.wait_seconds = 20;
  for (int i = 0; i < kWaiters; ++i) parked.push_back(park("q", in));
  std::vector<std::thread> senders;
  for (int t = 0; t < 5; ++t) {
    senders.emplace_back([&] {
      for (int i = 0; i < kWaiters / 5; ++i) {
        SendInput s;
        s.body = "m";
        ASSERT_TRUE(queues_.send_message("q", std::move(s)));
      }
    });
  }
  for (auto& t : senders) t.join();
  std::size_t served = 0;
  for (auto& p : parked) served += p->count();
  EXPECT_EQ(served, static_cast<std::size_t>(kWaiters));
}

}  // namespace
}  // namespace eb::sqs::testing
