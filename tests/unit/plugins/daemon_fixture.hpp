#pragma once
// A small daemon for plugin tests: real event log, queues and topics on one MemoryEngine, the
// design's topology (portfolio-events and the service queues with the shipped filter
// policies), a PluginHost, and a ManualClock. The host's executor is a task list the test runs,
// so every step is explicit and nothing sleeps. restart() rebuilds everything on the same
// engine, as a restart of the daemon does.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/manual_clock.hpp"
#include "core/signing.hpp"
#include "eventlog/event_log.hpp"
#include "plugins/envelope.hpp"
#include "plugins/host.hpp"
#include "sns/topics.hpp"
#include "sqs/queues.hpp"
#include "storage/memory_engine.hpp"

namespace eb::plugins::testing {

class NoEndpoints final : public sns::EndpointDelivery {
 public:
  void deliver(sns::EndpointMessage) override {}
};

inline const std::string kTopic = "portfolio-events";
// What the saga would receive: every answer the workers publish.
inline const std::string kReplies = "saga-events-queue";

class PluginDaemon : public ::testing::Test {
 protected:
  ManualClock clock_{1'764'670'000'000};
  storage::MemoryEngine store_{true};
  NoEndpoints endpoints_;
  std::shared_ptr<const MessageSigner> signer_ =
      std::make_shared<const MessageSigner>(*MessageSigner::generate("test"));
  std::mutex tasks_mu_;  // plugins start side by side: their consumers post from those threads
  std::deque<std::function<void()>> tasks_;
  sns::HttpPoster* http_ = nullptr;    // Services::http; set before SetUp to give the plugins one
  std::size_t snapshot_every_ = 4096;  // Services::snapshot_every (its default)

  struct Parts {
    eventlog::EventLog events;
    sqs::Queues queues;
    sns::Topics topics;
    PluginHost host;
    Parts(PluginDaemon& d)
        : events(d.store_, d.clock_, d.clock_),
          queues(d.clock_, d.clock_, d.store_, {}, &events),
          topics(d.clock_, d.store_, queues, d.signer_, d.endpoints_,
                 sns::TopicsOptions{.sign_sqs_envelopes = false}, &events),
          host(Services{.queues = queues,
                        .topics = topics,
                        .events = events,
                        .clock = d.clock_,
                        .timers = d.clock_,
                        .executor =
                            [&d](std::function<void()> task) {
                              const std::lock_guard lock(d.tasks_mu_);
                              d.tasks_.push_back(std::move(task));
                            },
                        .http = d.http_,
                        .snapshot_every = d.snapshot_every_}) {}
  };
  std::unique_ptr<Parts> d_;

  void SetUp() override {
    boot();
    create_topology();
  }
  void TearDown() override {
    if (d_) d_->host.stop_all();
    run_tasks();
  }

  void boot() {
    d_ = std::make_unique<Parts>(*this);
    ASSERT_TRUE(d_->events.recover());
    ASSERT_TRUE(d_->queues.recover());
    ASSERT_TRUE(d_->topics.recover());
  }
  // Stops the plugins, drops every part and builds them again on the same engine.
  void restart(const std::vector<config::PluginSpec>& specs) {
    d_->host.stop_all();
    run_tasks();
    d_.reset();
    tasks_.clear();
    boot();
    apply(specs);
  }
  // restart() as after kill -9: nothing the stop would write (a plugin's last snapshot, a
  // consumer's cleanup) reaches the engine.
  void crash_restart(const std::vector<config::PluginSpec>& specs) {
    store_.fail_writes(true);
    d_->host.stop_all();
    run_tasks();
    d_.reset();
    tasks_.clear();
    store_.fail_writes(false);
    boot();
    apply(specs);
  }

  std::string topic_arn() const { return d_->topics.topic_arn(kTopic); }

  void queue(const std::string& name, AttributeMap attributes = {}) {
    ASSERT_TRUE(d_->queues.create_queue({name, std::move(attributes), {}}));
  }
  void subscribe(const std::string& queue_name, const std::string& filter) {
    ASSERT_TRUE(d_->topics.subscribe({topic_arn(),
                                      "sqs",
                                      d_->queues.queue_arn(queue_name),
                                      {{"RawMessageDelivery", "true"}, {"FilterPolicy", filter}},
                                      false}));
  }
  void create_topology() {
    ASSERT_TRUE(d_->topics.create_topic({kTopic, {}, {}, {}}));
    for (const char* q : {"inventory-events-queue", "payment-events-queue", "order-events-queue",
                          "saga-events-queue"}) {
      queue(q);
    }
    subscribe("inventory-events-queue",
              R"({"eventType":["order.created","inventory.reserve-requested",)"
              R"("inventory.release-requested"]})");
    subscribe("payment-events-queue",
              R"({"eventType":["payment.process-requested","payment.refund-requested"]})");
    subscribe("order-events-queue", R"({"eventType":["order.created","order.paid","order.shipped",)"
                                    R"("order.create-requested","order.cancel-requested"]})");
    subscribe(kReplies, R"({"eventType":[{"anything-but":["inventory.reserve-requested",)"
                        R"("inventory.release-requested","payment.process-requested",)"
                        R"("payment.refund-requested","order.create-requested",)"
                        R"("order.cancel-requested"]}]})");
  }

  static config::PluginSpec spec(const std::string& name, const std::string& kind,
                                 const std::string& queue_name, config::PluginSettings settings) {
    config::PluginSpec s;
    s.name = name;
    s.kind = kind;
    s.queue = queue_name;
    s.topic = kTopic;
    s.source = name + "-service";
    s.settings = std::move(settings);
    return s;
  }

  void apply(const std::vector<config::PluginSpec>& specs) {
    auto applied = d_->host.apply(specs);
    ASSERT_TRUE(applied) << applied.error().message;
    run_tasks();
  }

  // Runs posted tasks until none is left (bounded: a busy loop would be a bug).
  void run_tasks() {
    for (int i = 0; i < 10'000; ++i) {
      std::function<void()> task;
      {
        const std::lock_guard lock(tasks_mu_);
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
    const std::lock_guard lock(tasks_mu_);
    ASSERT_TRUE(tasks_.empty()) << "the plugins keep posting work";
  }

  // Publishes an event as the design's EventBus does and lets the plugins handle it.
  std::string publish(const std::string& type, const std::string& data,
                      const std::string& correlation_id, const std::string& metadata = "{}",
                      std::string id = {}) {
    Envelope e;
    e.id = id.empty() ? "req-" + std::to_string(++published_) : std::move(id);
    e.type = type;
    e.timestamp = utc_timestamp(clock_.now_ms());
    e.source = "test";
    e.correlation_id = correlation_id;
    e.metadata = metadata;
    e.data = data;
    sns::PublishInput in;
    in.topic_arn = topic_arn();
    in.message = encode(e);
    in.attributes = event_attributes(e);
    EXPECT_TRUE(d_->topics.publish(std::move(in)));
    run_tasks();
    return e.id;
  }

  // Every answer published since the last call, oldest first (taken from kReplies; the test's
  // own events that reach it are skipped).
  std::vector<Envelope> replies() {
    std::vector<Envelope> out;
    for (;;) {
      sqs::ReceiveInput in;
      in.wait_seconds = 0;
      in.max_messages = 10;
      std::vector<sqs::ReceivedMessage> got;
      d_->queues.receive_message(kReplies, std::move(in), [&](auto r) {
        if (r) got = std::move(*r);
      });
      if (got.empty()) return out;
      for (auto& m : got) {
        auto e = decode(m.body);
        EXPECT_TRUE(e) << m.body;
        if (e && e->source != "test") out.push_back(std::move(*e));
        EXPECT_TRUE(d_->queues.delete_message(kReplies, m.receipt_handle));
      }
    }
  }

  std::string attribute(const std::string& queue_name, const std::string& name) {
    return d_->queues.get_queue_attributes(queue_name, {name}).value().at(name);
  }

  PluginResponse route(const std::string& plugin, const std::string& method,
                       std::vector<std::string> path, std::string body = {}) {
    return d_->host.handle(plugin, PluginRequest{method, std::move(path), std::move(body)});
  }

 private:
  int published_ = 0;
};

}  // namespace eb::plugins::testing
