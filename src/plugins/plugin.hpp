#pragma once
// A built-in plugin instance, as the host (host.hpp) runs it: declared in the config file's
// `plugins:` list (config/plugins.hpp), built by the registry (registry.hpp) from its kind, given
// the daemon's parts through Services, started once, stopped once. Its own routes live under
// /v1/plugins/{name}/..., answered through handle() without any HTTP type.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/plugins.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/json_writer.hpp"
#include "plugins/queue_consumer.hpp"

namespace eb::eventlog {
class EventLog;
}
namespace eb::sns {
class Topics;
class HttpPoster;
}  // namespace eb::sns

namespace eb::plugins {

// What a plugin may use: the daemon's own parts, through their public APIs.
struct Services {
  sqs::Queues& queues;
  sns::Topics& topics;
  eventlog::EventLog& events;
  const Clock& clock;
  Timers& timers;
  // Runs consumer work (in the daemon: WorkQueue::post on the plugins' thread); called from
  // any thread.
  QueueConsumer::Executor executor;
  // Runs new work, saga starts (WorkQueue::admit: once the work under way is done); empty:
  // `executor`.
  QueueConsumer::Executor admit;
  sns::HttpPoster* http = nullptr;  // outgoing webhooks (the DLQ monitor's); none: not sent
  // A worker with snapshots saves its changed entries after this many changes (and at stop);
  // 0: never, every start folds the whole log.
  std::size_t snapshot_every = 4096;
};

// A request to /v1/plugins/{name}/{path...}.
struct PluginRequest {
  std::string method;             // "GET", "PUT", ...
  std::vector<std::string> path;  // the decoded segments after the instance name
  std::string body;
};

// A JSON body answered with 200, or an error (the /v1 error mapping: kResourceNotFound is 404,
// kInvalidParameterValue and kMalformedRequest 400, kUnsupportedOperation 405).
using PluginResponse = Result<std::string>;

struct PluginCounters {
  std::uint64_t received = 0;   // messages taken from the queue
  std::uint64_t handled = 0;    // handled and deleted (ignored ones included)
  std::uint64_t failed = 0;     // left for redelivery (and eventually the dead-letter queue)
  std::uint64_t ignored = 0;    // deleted without effect: a type the plugin does not handle
  std::uint64_t published = 0;  // events it published
};

class Plugin {
 public:
  explicit Plugin(config::PluginSpec spec) : spec_(std::move(spec)) {}
  virtual ~Plugin() = default;
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  const config::PluginSpec& spec() const { return spec_; }
  // The event types it consumes from its queue; the host checks the topology routes them there.
  // None: it consumes no queue (the DLQ monitor), and its queue and topic are not checked.
  virtual std::vector<std::string> handled_types() const = 0;
  // Rebuilds its state (from the event log) and starts consuming. Called once.
  [[nodiscard]] virtual Result<void> start() = 0;
  // Stops consuming; returns once no handler of it runs. Called once, after start.
  virtual void stop() = 0;
  virtual PluginCounters counters() const = 0;
  // Kind-specific members of its GET /v1/plugins entry, written inside the entry's object.
  virtual void describe(JsonWriter& /*out*/) const {}
  // Its own routes; the default has none.
  virtual PluginResponse handle(const PluginRequest& request);

 private:
  const config::PluginSpec spec_;
};

}  // namespace eb::plugins
