#include "plugins/host.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <set>
#include <thread>

#include "matching/filter_policy.hpp"
#include "plugins/envelope.hpp"
#include "plugins/registry.hpp"
#include "sns/topics.hpp"
#include "sqs/queues.hpp"

namespace eb::plugins {
namespace {

// Whether a subscription with `policy` (none: everything) delivers an event of `type` as the
// design's EventBus publishes it.
bool delivers(const std::optional<matching::FilterPolicy>& policy, const std::string& type) {
  if (!policy) return true;
  const Envelope probe{.id = "probe", .type = type, .correlation_id = "probe"};
  return policy->scope() == matching::FilterPolicyScope::kMessageBody
             ? policy->matches_body(encode(probe))
             : policy->matches(event_attributes(probe));
}

std::optional<matching::FilterPolicy> policy_of(const AttributeMap& attributes, bool& valid) {
  valid = true;
  const auto text = attributes.find("FilterPolicy");
  if (text == attributes.end() || text->second.empty()) return std::nullopt;
  const auto scope = attributes.find("FilterPolicyScope");
  auto compiled = matching::FilterPolicy::compile(
      text->second, scope != attributes.end() && scope->second == "MessageBody"
                        ? matching::FilterPolicyScope::kMessageBody
                        : matching::FilterPolicyScope::kMessageAttributes);
  if (!compiled) {
    valid = false;
    return std::nullopt;
  }
  return *compiled;
}

}  // namespace

RoutingCheck check_routing(const config::PluginSpec& spec, const std::vector<std::string>& types,
                           const sqs::Queues& queues, const sns::Topics& topics) {
  RoutingCheck out;
  const std::string who = "plugin " + spec.name;
  if (!queues.get_queue(spec.queue)) {
    out.problems.push_back(fmt::format("{}: queue '{}' does not exist", who, spec.queue));
  }
  const std::string topic_arn = topics.topic_arn(spec.topic);
  if (!topics.get_topic_attributes(topic_arn)) {
    out.problems.push_back(fmt::format("{}: topic '{}' does not exist", who, spec.topic));
  }
  if (!out.problems.empty()) return out;

  const std::string queue_arn = queues.queue_arn(spec.queue);
  std::set<std::string> routed;
  sns::PageInput page;
  do {
    auto listed = topics.list_subscriptions_by_topic(topic_arn, page);
    if (!listed) break;
    for (const sns::SubscriptionSummary& s : listed->subscriptions) {
      if (s.protocol != "sqs" || s.endpoint != queue_arn ||
          s.subscription_arn == "PendingConfirmation") {
        continue;
      }
      auto attributes = topics.get_subscription_attributes(s.subscription_arn);
      if (!attributes) continue;
      bool valid = true;
      const auto policy = policy_of(*attributes, valid);
      if (!valid) continue;
      for (const std::string& type : types) {
        if (delivers(policy, type)) routed.insert(type);
      }
    }
    page.next_token = listed->next_token;
  } while (!page.next_token.empty());

  for (const std::string& type : types) {
    if (!routed.contains(type)) out.unrouted_types.push_back(type);
  }
  if (routed.empty()) {
    out.problems.push_back(fmt::format(
        "{}: no confirmed sqs subscription of topic '{}' delivers any of the event types it "
        "handles ({}) to queue '{}'; subscribe the queue with a filter policy that admits them",
        who, spec.topic, fmt::join(types, ", "), spec.queue));
  }
  return out;
}

PluginHost::~PluginHost() { stop_all(); }

Result<void> PluginHost::apply(const std::vector<config::PluginSpec>& specs) {
  const std::lock_guard apply_lock(apply_mu_);
  std::vector<std::string> problems;
  std::vector<std::unique_ptr<Plugin>> built(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const config::PluginSpec& spec = specs[i];
    if (!spec.enabled) continue;
    built[i] = make_plugin(spec, services_);
    if (!built[i]) {
      problems.push_back(fmt::format("plugin {}: unknown kind '{}'", spec.name, spec.kind));
      continue;
    }
    const std::vector<std::string> types = built[i]->handled_types();
    if (types.empty()) continue;  // consumes no queue: nothing to route
    RoutingCheck check = check_routing(spec, types, services_.queues, services_.topics);
    for (auto& problem : check.problems) problems.push_back(std::move(problem));
    if (check.problems.empty() && !check.unrouted_types.empty()) {
      spdlog::warn(
          "plugin {}: no subscription delivers {} to queue '{}'; those events will "
          "not reach it",
          spec.name, fmt::join(check.unrouted_types, ", "), spec.queue);
    }
  }
  if (!problems.empty())
    return fail(Errc::kInvalidParameterValue, fmt::format("{}", fmt::join(problems, "\n")));

  std::vector<std::shared_ptr<Instance>> current;
  {
    const std::lock_guard lock(mu_);
    current = instances_;
  }
  std::vector<std::shared_ptr<Instance>> next;
  std::set<const Instance*> kept;
  std::vector<std::size_t> to_start;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    std::shared_ptr<Instance> reuse;
    for (const auto& old : current) {
      if (old->spec == specs[i] && (old->state == "running" || old->state == "disabled")) {
        reuse = old;
      }
    }
    if (reuse) {
      kept.insert(reuse.get());
      next.push_back(std::move(reuse));
      continue;
    }
    next.push_back(std::make_shared<Instance>(
        Instance{specs[i], nullptr, specs[i].enabled ? "stopped" : "disabled"}));
    if (specs[i].enabled) to_start.push_back(i);
  }
  // Stopped before their replacements start: they may share a queue.
  for (const auto& old : current) {
    if (kept.contains(old.get()) || !old->plugin) continue;
    old->plugin->stop();
    const std::lock_guard lock(mu_);
    old->state = "stopped";
  }
  // A start replays the plugin's history from the event log (seconds with 100,000 sagas);
  // plugins replay only their own events, so they start side by side, one thread each.
  std::vector<Result<void>> results(to_start.size());
  std::vector<std::chrono::milliseconds> took(to_start.size());
  {
    std::vector<std::jthread> starting;
    starting.reserve(to_start.size());
    for (std::size_t k = 0; k < to_start.size(); ++k) {
      starting.emplace_back([&results, &took, &built, &to_start, k] {
        const auto began = std::chrono::steady_clock::now();
        results[k] = built[to_start[k]]->start();
        took[k] = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - began);
      });
    }
  }
  std::vector<std::string> failures;
  for (std::size_t k = 0; k < to_start.size(); ++k) {
    const std::size_t i = to_start[k];
    std::shared_ptr<Plugin> plugin = std::move(built[i]);
    auto& started = results[k];
    const std::lock_guard lock(mu_);
    if (started) {
      next[i]->plugin = std::move(plugin);
      next[i]->state = "running";
      if (specs[i].queue.empty()) {
        spdlog::info("plugin {} ({}) running (started in {} ms)", specs[i].name, specs[i].kind,
                     took[k].count());
      } else {
        spdlog::info("plugin {} ({}) consuming {} (started in {} ms)", specs[i].name, specs[i].kind,
                     specs[i].queue, took[k].count());
      }
    } else {
      next[i]->state = "failed";
      failures.push_back(
          fmt::format("plugin {}: cannot start: {}", specs[i].name, started.error().message));
    }
  }
  {
    const std::lock_guard lock(mu_);
    instances_ = std::move(next);
  }
  if (!failures.empty())
    return fail(Errc::kInternalError, fmt::format("{}", fmt::join(failures, "\n")));
  return {};
}

void PluginHost::stop_all() {
  const std::lock_guard apply_lock(apply_mu_);
  std::vector<std::shared_ptr<Instance>> current;
  {
    const std::lock_guard lock(mu_);
    current = instances_;
  }
  for (const auto& instance : current) {
    if (!instance->plugin || instance->state != "running") continue;
    instance->plugin->stop();
    const std::lock_guard lock(mu_);
    instance->state = "stopped";
  }
}

std::string PluginHost::list_json() const {
  std::vector<std::shared_ptr<Instance>> current;
  std::vector<std::string> states;
  {
    const std::lock_guard lock(mu_);
    current = instances_;
    for (const auto& instance : current) states.push_back(instance->state);
  }
  std::string out;
  JsonWriter j(out);
  j.begin_object().key("plugins").begin_array();
  for (std::size_t i = 0; i < current.size(); ++i) {
    const Instance& instance = *current[i];
    const config::PluginSpec& spec = instance.spec;
    j.begin_object();
    j.member("name", spec.name);
    j.member("kind", spec.kind);
    j.member("state", states[i]);
    j.key("enabled").boolean(spec.enabled);
    j.member("queue", spec.queue);
    j.member("topic", spec.topic);
    j.member("source", spec.source);
    if (instance.plugin) {
      j.key("handles").begin_array();
      for (const std::string& type : instance.plugin->handled_types()) j.string(type);
      j.end_array();
      const PluginCounters c = instance.plugin->counters();
      j.key("counters").begin_object();
      j.key("received").unsigned_number(c.received);
      j.key("handled").unsigned_number(c.handled);
      j.key("failed").unsigned_number(c.failed);
      j.key("ignored").unsigned_number(c.ignored);
      j.key("published").unsigned_number(c.published);
      j.end_object();
      instance.plugin->describe(j);
    }
    j.end_object();
  }
  j.end_array().end_object();
  return out;
}

std::vector<std::shared_ptr<Plugin>> PluginHost::running() const {
  const std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Plugin>> out;
  for (const auto& instance : instances_) {
    if (instance->plugin && instance->state == "running") out.push_back(instance->plugin);
  }
  return out;
}

PluginResponse PluginHost::handle(std::string_view name, const PluginRequest& request) {
  std::shared_ptr<Instance> instance;
  std::string state;
  {
    const std::lock_guard lock(mu_);
    for (const auto& candidate : instances_) {
      if (candidate->spec.name == name) {
        instance = candidate;
        state = candidate->state;
      }
    }
  }
  if (!instance) {
    return fail(Errc::kResourceNotFound, fmt::format("there is no plugin named {}", name));
  }
  if (!instance->plugin || state != "running") {
    return fail(Errc::kInvalidState, fmt::format("plugin {} is {}", name, state));
  }
  return instance->plugin->handle(request);
}

}  // namespace eb::plugins
