#pragma once
// Runs the plugin instances the config file declares. apply() checks the declarations against
// the live topology first and changes nothing when one fails: every plugin's queue and topic
// must exist, and a confirmed sqs subscription of the topic must deliver at least one of the
// event types the plugin handles to its queue (types it handles that no subscription routes
// are logged as warnings); a plugin that handles no type (it consumes no queue, as the DLQ
// monitor) is not checked. Then instances no longer declared, or declared differently, are
// stopped; new and changed ones are built and started; unchanged ones keep running, with their
// state. A disabled instance is listed and not run: its queue is left to the user's service.
//
// Thread-safe. Stop every instance (stop_all) before sqs::Queues::shutdown().
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/plugin.hpp"

namespace eb::plugins {

// Why `spec` cannot run against the live topology (empty when it can), one line per problem,
// each naming the plugin; and the handled types no subscription routes to its queue.
struct RoutingCheck {
  std::vector<std::string> problems;
  std::vector<std::string> unrouted_types;
};
RoutingCheck check_routing(const config::PluginSpec& spec, const std::vector<std::string>& types,
                           const sqs::Queues& queues, const sns::Topics& topics);

class PluginHost {
 public:
  explicit PluginHost(Services services) : services_(std::move(services)) {}
  ~PluginHost();
  PluginHost(const PluginHost&) = delete;
  PluginHost& operator=(const PluginHost&) = delete;

  // Makes the running instances match `specs` (see above). On failure, every problem, one per
  // line; nothing changed. An instance that fails to start is reported and left stopped.
  [[nodiscard]] Result<void> apply(const std::vector<config::PluginSpec>& specs);
  // Stops every instance (shutdown); apply() may start them again.
  void stop_all();

  // GET /v1/plugins: {"plugins": [{name, kind, state, enabled, queue, topic, source, handles,
  // counters, ...kind members}]} in declaration order.
  std::string list_json() const;
  // /v1/plugins/{name}/...: the instance's own routes. kResourceNotFound for an unknown name,
  // kInvalidState for a declared instance that is not running.
  PluginResponse handle(std::string_view name, const PluginRequest& request);
  // The running instances, in declaration order (the /v1/sagas routes look for saga engines).
  std::vector<std::shared_ptr<Plugin>> running() const;
  // Runs `task`, new work such as a saga start, where the plugins' consumers run once the work
  // under way is done (Services::admit).
  void admit(std::function<void()> task) const {
    (services_.admit ? services_.admit : services_.executor)(std::move(task));
  }

 private:
  struct Instance {
    config::PluginSpec spec;
    std::shared_ptr<Plugin> plugin;  // null when disabled or not started
    std::string state;               // running, disabled, stopped, failed
  };

  const Services services_;
  std::mutex apply_mu_;    // one apply (or stop_all) at a time
  mutable std::mutex mu_;  // guards instances_; never held while a plugin starts or stops
  std::vector<std::shared_ptr<Instance>> instances_;
};

}  // namespace eb::plugins
