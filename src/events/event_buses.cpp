#include "events/event_buses.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "events/targets.hpp"
#include "sqs/queue.hpp"
#include "sqs/queues.hpp"

namespace eb::events {
namespace {

using storage::Family;

constexpr std::size_t kMaxRulesPerBus = 300;
constexpr int kMaxPageSize = 100;
constexpr std::size_t kMaxTags = 50;

constexpr std::string_view kRuleStates[] = {"ENABLED", "DISABLED",
                                            "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"};

Error rule_not_found(std::string_view rule, std::string_view bus) {
  return Error{Errc::kResourceNotFound,
               fmt::format("Rule {} does not exist on EventBus {}.", rule, bus)};
}

Error limit_exceeded() {
  return Error{Errc::kLimitExceeded, "The requested resource exceeds the maximum number allowed."};
}

// One page of `items` (sorted by `key`): those from the token on, at most `limit`.
template <class T, class Key>
Result<Page<T>> paginate(std::vector<T> items, const ListInput& input, Key key) {
  const int limit = input.limit.value_or(kMaxPageSize);
  if (limit < 1 || limit > kMaxPageSize) {
    return std::unexpected(
        constraint_error("limit", std::to_string(limit),
                         limit < 1 ? "Member must have value greater than or equal to 1"
                                   : "Member must have value less than or equal to 100"));
  }
  Page<T> page;
  auto it = items.begin();
  if (input.next_token) {
    it = std::find_if(items.begin(), items.end(),
                      [&](const T& item) { return key(item) >= *input.next_token; });
  }
  for (; it != items.end(); ++it) {
    if (page.items.size() == static_cast<std::size_t>(limit)) {
      page.next_token = key(*it);
      break;
    }
    page.items.push_back(std::move(*it));
  }
  return page;
}

bool has_prefix(const std::optional<std::string>& prefix, std::string_view name) {
  return !prefix || name.starts_with(*prefix);
}

Result<void> check_tags(const Tags& tags) {
  if (tags.size() > kMaxTags) return std::unexpected(limit_exceeded());
  for (const auto& [key, value] : tags) {
    EB_TRY(check_member("tags.member.key", key, 1, 128));
    EB_TRY(check_member("tags.member.value", value, 0, 256));
  }
  return {};
}

}  // namespace

EventBuses::EventBuses(const Clock& clock, Timers& timers, storage::Engine& engine,
                       sqs::Queues& queues, EventsOptions options, storage::EventSink* events)
    : clock_(clock),
      timers_(timers),
      engine_(engine),
      queues_(queues),
      options_(std::move(options)),
      arns_{options_.region, options_.account_id},
      events_(events),
      pending_(engine, clock),
      registry_(std::make_shared<const Registry>()) {}

EventBuses::~EventBuses() {
  std::lock_guard lock(schedule_mu_);
  for (auto& [name, armed] : armed_) timers_.cancel(armed.timer);
}

void EventBuses::when_durable(std::function<void()> done) { engine_.when_durable(std::move(done)); }

// ---- Registry plumbing -------------------------------------------------------------------

std::shared_ptr<Registry> EventBuses::with_bus(const Registry& current, const std::string& name,
                                               std::shared_ptr<const Bus> bus) {
  auto next = std::make_shared<Registry>(current);
  if (bus) {
    next->buses[name] = std::move(bus);
  } else {
    next->buses.erase(name);
  }
  return next;
}

Result<void> EventBuses::commit(std::shared_ptr<Registry> next, storage::Batch batch) {
  if (!batch.empty()) EB_TRY(engine_.write(batch));
  registry_.store(std::move(next));
  sync_schedules();
  return {};
}

Result<void> EventBuses::store_rule(const Registry& current, const Bus& bus,
                                    std::shared_ptr<const Rule> rule) {
  storage::Batch batch;
  batch.put(Family::kEventBuses, rule_key(bus.description.name, rule->name), encode_rule(*rule));
  auto changed = std::make_shared<Bus>(bus);
  changed->rules[rule->name] = std::move(rule);
  changed->reindex();
  return commit(with_bus(current, bus.description.name, std::move(changed)), std::move(batch));
}

namespace {

// What every change a user makes to a managed rule answers (DeleteRule and RemoveTargets
// without Force have their own wording).
Result<void> refuse_managed(const Rule& rule) {
  if (rule.managed_by.empty()) return {};
  return fail(Errc::kManagedRule, fmt::format("Rule {} is managed by {} and cannot be changed.",
                                              rule.name, rule.managed_by));
}

}  // namespace

Result<std::shared_ptr<const Bus>> EventBuses::find_bus(
    const std::shared_ptr<const Registry>& registry,
    const std::optional<std::string>& name_or_arn) const {
  std::string name(kDefaultBus);
  if (name_or_arn) {
    EB_TRY(check_member("eventBusName", *name_or_arn, 1, 1600, NameChars::kBusNameOrArn));
    EB_ASSIGN_OR_RETURN(name, bus_name_of(*name_or_arn, arns_));
  }
  auto bus = registry->find(name);
  if (!bus) return fail(Errc::kResourceNotFound, fmt::format("Event bus {} does not exist.", name));
  return bus;
}

Result<std::shared_ptr<const Rule>> EventBuses::find_rule(const Bus& bus,
                                                          const std::string& name) const {
  EB_TRY(check_member("name", name, 1, 64, NameChars::kName));
  auto it = bus.rules.find(name);
  if (it == bus.rules.end()) return std::unexpected(rule_not_found(name, bus.description.name));
  return it->second;
}

Result<EventBuses::ArnTarget> EventBuses::find_arn(const std::shared_ptr<const Registry>& registry,
                                                   const std::string& arn) const {
  EB_TRY(check_member("resourceARN", arn, 1, 1600));
  const std::string bus_prefix = arns_.bus_arn("");
  if (arn.starts_with(bus_prefix)) {
    auto bus = registry->find(arn.substr(bus_prefix.size()));
    if (bus) return ArnTarget{bus, nullptr};
    return fail(Errc::kResourceNotFound,
                fmt::format("Event bus {} does not exist.", arn.substr(bus_prefix.size())));
  }
  const std::string rule_prefix =
      fmt::format("arn:aws:events:{}:{}:rule/", options_.region, options_.account_id);
  if (arn.starts_with(rule_prefix)) {
    const std::string rest = arn.substr(rule_prefix.size());
    // rule/BUS/NAME: a rule name has no '/', a partner bus name does.
    const auto slash = rest.rfind('/');
    const std::string bus_name =
        slash == std::string::npos ? std::string(kDefaultBus) : rest.substr(0, slash);
    const std::string rule = slash == std::string::npos ? rest : rest.substr(slash + 1);
    auto bus = registry->find(bus_name);
    if (bus) {
      auto it = bus->rules.find(rule);
      if (it != bus->rules.end()) return ArnTarget{bus, it->second};
    }
    return std::unexpected(rule_not_found(rule, bus_name));
  }
  return fail(Errc::kResourceNotFound, fmt::format("Resource {} does not exist.", arn));
}

// ---- Recovery ----------------------------------------------------------------------------

Result<void> EventBuses::recover() {
  auto registry = std::make_shared<Registry>();
  std::vector<Rule> rules;
  Result<void> bad;
  EB_TRY(
      // Buses ("b/") and rules ("r/"); the family's other prefixes belong to other resources.
      engine_.scan(
          Family::kEventBuses, "b/", "s", [&](std::string_view key, std::string_view value) {
            if (!is_bus_key(key) && !key.starts_with("r/")) return true;
            if (is_bus_key(key)) {
              auto bus = decode_bus(value);
              if (!bus) {
                bad =
                    fail(Errc::kInternalError, fmt::format("unreadable event bus record {}", key));
                return false;
              }
              bus->description.arn = arns_.bus_arn(bus->description.name);
              std::string name = bus->description.name;
              registry->buses[name] = std::make_shared<const Bus>(std::move(*bus));
            } else {
              auto rule = decode_rule(value);
              if (!rule) {
                bad = fail(Errc::kInternalError, "unreadable event rule record");
                return false;
              }
              rules.push_back(std::move(*rule));
            }
            return true;
          }));
  EB_TRY(bad);
  if (!registry->find(std::string(kDefaultBus))) {
    Bus bus;
    bus.description.name = std::string(kDefaultBus);
    bus.description.arn = arns_.bus_arn(kDefaultBus);
    bus.description.created = bus.description.modified = clock_.now_ms();
    bus.reindex();
    storage::Batch batch;
    batch.put(Family::kEventBuses, bus_key(kDefaultBus), encode_bus(bus));
    EB_TRY(engine_.write(batch));
    registry->buses[std::string(kDefaultBus)] = std::make_shared<const Bus>(std::move(bus));
  }
  for (Rule& rule : rules) {
    auto it = registry->buses.find(rule.bus_name);
    if (it == registry->buses.end()) continue;  // its bus was deleted; the sweep is the delete's
    rule.arn = arns_.rule_arn(rule.bus_name, rule.name);
    if (!rule.event_pattern.empty()) {
      auto pattern = matching::EventPattern::compile(rule.event_pattern);
      if (!pattern) {
        spdlog::warn("event rule {}: stored pattern no longer compiles: {}", rule.arn,
                     pattern.error().message);
      } else {
        rule.pattern = std::move(*pattern);
      }
    }
    if (!rule.schedule_expression.empty()) {
      auto schedule = ScheduleExpression::parse(rule.schedule_expression);
      if (schedule) rule.schedule = std::move(*schedule);
    }
    for (Target& target : rule.targets) {
      auto spec = parse_target(target.spec.json);
      if (spec) target.spec = std::move(*spec);
    }
    auto bus = std::make_shared<Bus>(*it->second);
    std::string name = rule.name;
    bus->rules[name] = std::make_shared<const Rule>(std::move(rule));
    it->second = std::move(bus);
  }
  for (auto& [name, bus] : registry->buses) {
    auto indexed = std::make_shared<Bus>(*bus);
    indexed->reindex();
    bus = std::move(indexed);
  }
  registry_.store(std::move(registry));
  sync_schedules();
  return {};
}

// ---- Buses -------------------------------------------------------------------------------

Result<BusDescription> EventBuses::create_event_bus(const CreateBusInput& input) {
  EB_TRY(check_member("name", input.name, 1, 256, NameChars::kBusName));
  if (input.description) EB_TRY(check_member("description", *input.description, 0, 512));
  if (input.kms_key_identifier) {
    EB_TRY(check_member("kmsKeyIdentifier", *input.kms_key_identifier, 0, 2048));
  }
  EB_TRY(check_tags(input.tags));
  // A partner bus is named like its event source (names with '/'); no other bus may have one.
  if (input.event_source_name) {
    if (!sources_) {
      return fail(Errc::kResourceNotFound,
                  fmt::format("Event source {} does not exist.", *input.event_source_name));
    }
    if (input.name != *input.event_source_name) {
      return fail(Errc::kValidationError,
                  "Event bus name must be the same as the event source name.");
    }
  } else if (input.name.find('/') != std::string::npos) {
    return fail(Errc::kValidationError, "Event bus name must not contain '/'.");
  }
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  if (current->find(input.name)) {
    return fail(Errc::kResourceAlreadyExists,
                fmt::format("Event bus {} already exists.", input.name));
  }
  if (input.event_source_name) EB_TRY(sources_->claim_event_source(input.name));
  auto bus = std::make_shared<Bus>();
  BusDescription& d = bus->description;
  d.name = input.name;
  d.arn = arns_.bus_arn(input.name);
  d.description = input.description.value_or("");
  d.kms_key_identifier = input.kms_key_identifier.value_or("");
  d.dead_letter_arn = input.dead_letter_arn.value_or("");
  d.created = d.modified = clock_.now_ms();
  bus->tags = input.tags;
  bus->reindex();
  storage::Batch batch;
  batch.put(Family::kEventBuses, bus_key(input.name), encode_bus(*bus));
  BusDescription out = d;
  if (auto committed = commit(with_bus(*current, input.name, std::move(bus)), std::move(batch));
      !committed) {
    if (input.event_source_name) sources_->release_event_source(input.name);
    return std::unexpected(committed.error());
  }
  return out;
}

Result<void> EventBuses::delete_event_bus(const std::string& name) {
  EB_TRY(check_member("name", name, 1, 256, NameChars::kBusName));
  if (name == kDefaultBus) {
    return fail(Errc::kValidationError, "Cannot delete event bus default.");
  }
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  auto bus = current->find(name);
  if (!bus) return {};  // deleting what is gone succeeds, as on AWS
  // The bus's rules go with it.
  storage::Batch batch;
  batch.erase(Family::kEventBuses, bus_key(name));
  for (const auto& [rule_name, rule] : bus->rules) {
    batch.erase(Family::kEventBuses, rule_key(name, rule_name));
  }
  EB_TRY(commit(with_bus(*current, name, nullptr), std::move(batch)));
  retire_locked(bus->counters);
  // A partner bus frees its event source for another CreateEventBus.
  if (sources_ && name.find('/') != std::string::npos) sources_->release_event_source(name);
  return {};
}

Result<std::size_t> EventBuses::reset() {
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  storage::Batch batch;
  // Buses ("b/") and rules ("r/"); the family's other prefixes belong to other resources.
  batch.erase_range(Family::kEventBuses, "b/", "b0");
  batch.erase_range(Family::kEventBuses, "r/", "r0");
  // The default bus comes back, as on a first start.
  auto next = std::make_shared<Registry>();
  Bus bus;
  bus.description.name = std::string(kDefaultBus);
  bus.description.arn = arns_.bus_arn(kDefaultBus);
  bus.description.created = bus.description.modified = clock_.now_ms();
  bus.reindex();
  batch.put(Family::kEventBuses, bus_key(kDefaultBus), encode_bus(bus));
  next->buses[std::string(kDefaultBus)] = std::make_shared<const Bus>(std::move(bus));
  // commit() disarms the scheduled rules that went.
  EB_TRY(commit(std::move(next), std::move(batch)));
  for (const auto& [name, dropped] : current->buses) {
    retire_locked(dropped->counters);
    if (sources_ && name.find('/') != std::string::npos) sources_->release_event_source(name);
  }
  return current->buses.size();
}

void EventBuses::retire_locked(std::shared_ptr<BusCounters> counters) {
  // Those retired before and let go since are folded now, so the list stays short without
  // scrapes.
  (void)deleted_counts_locked();
  retired_.push_back(std::move(counters));
}

BusCounts EventBuses::deleted_counts_locked() {
  BusCounts out;
  std::erase_if(retired_, [&](const std::shared_ptr<BusCounters>& counters) {
    // Held here only: nothing can count on it any more.
    const bool last = counters.use_count() == 1;
    (last ? deleted_counts_ : out) += counters->read();
    return last;
  });
  out += deleted_counts_;
  return out;
}

EventBuses::Stats EventBuses::stats() {
  Stats out;
  std::lock_guard lock(write_mu_);
  for (const auto& [name, bus] : snapshot()->buses) {
    out.buses.push_back({name, bus->counters->read()});
  }
  out.other = deleted_counts_locked();
  out.other += unattributed_->read();
  return out;
}

Result<BusDescription> EventBuses::describe_event_bus(
    const std::optional<std::string>& name_or_arn) const {
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(snapshot(), name_or_arn));
  return bus->description;
}

Result<BusDescription> EventBuses::update_event_bus(const UpdateBusInput& input) {
  if (input.description) EB_TRY(check_member("description", *input.description, 0, 512));
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(current, input.name));
  auto changed = std::make_shared<Bus>(*bus);
  BusDescription& d = changed->description;
  if (input.description) d.description = *input.description;
  if (input.kms_key_identifier) d.kms_key_identifier = *input.kms_key_identifier;
  if (input.dead_letter_arn) d.dead_letter_arn = *input.dead_letter_arn;
  d.modified = clock_.now_ms();
  storage::Batch batch;
  batch.put(Family::kEventBuses, bus_key(d.name), encode_bus(*changed));
  BusDescription out = d;
  EB_TRY(commit(with_bus(*current, d.name, std::move(changed)), std::move(batch)));
  return out;
}

Result<Page<BusDescription>> EventBuses::list_event_buses(const ListInput& input) const {
  if (input.name_prefix) EB_TRY(check_member("namePrefix", *input.name_prefix, 1, 256));
  std::vector<BusDescription> buses;
  for (const auto& [name, bus] : snapshot()->buses) {
    if (has_prefix(input.name_prefix, name)) buses.push_back(bus->description);
  }
  return paginate(std::move(buses), input, [](const BusDescription& b) { return b.name; });
}

// ---- Rules -------------------------------------------------------------------------------

Result<std::string> EventBuses::put_rule(const PutRuleInput& input) {
  EB_TRY(check_member("name", input.name, 1, 64, NameChars::kName));
  if (input.event_pattern) EB_TRY(check_member("eventPattern", *input.event_pattern, 0, 4096));
  if (input.schedule_expression) {
    EB_TRY(check_member("scheduleExpression", *input.schedule_expression, 0, 256));
  }
  if (input.state && std::find(std::begin(kRuleStates), std::end(kRuleStates), *input.state) ==
                         std::end(kRuleStates)) {
    return std::unexpected(
        constraint_error("state", *input.state,
                         "Member must satisfy enum value set: [ENABLED, DISABLED, "
                         "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]"));
  }
  if (input.description) EB_TRY(check_member("description", *input.description, 0, 512));
  if (input.role_arn) EB_TRY(check_member("roleArn", *input.role_arn, 1, 1600));
  EB_TRY(check_tags(input.tags));
  const bool has_pattern = input.event_pattern && !input.event_pattern->empty();
  const bool has_schedule = input.schedule_expression && !input.schedule_expression->empty();
  if (!has_pattern && !has_schedule) {
    return fail(Errc::kValidationError,
                "Parameter(s) EventPattern or ScheduleExpression must be specified.");
  }
  std::optional<matching::EventPattern> pattern;
  if (has_pattern) {
    EB_ASSIGN_OR_RETURN(pattern, matching::EventPattern::compile(*input.event_pattern));
  }
  std::optional<ScheduleExpression> schedule;
  if (has_schedule) {
    EB_ASSIGN_OR_RETURN(schedule, ScheduleExpression::parse(*input.schedule_expression));
  }

  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(current, input.bus));
  const std::string& bus_name = bus->description.name;
  if (has_schedule && bus_name != kDefaultBus) {
    return fail(Errc::kValidationError,
                "ScheduleExpression is supported only on the default event bus.");
  }
  auto existing = bus->rules.find(input.name);
  if (existing == bus->rules.end() && bus->rules.size() >= kMaxRulesPerBus) {
    return std::unexpected(limit_exceeded());
  }
  // PutRule replaces the rule with what it names; only the targets, tags and creation time of
  // an existing rule carry over.
  auto rule = std::make_shared<Rule>();
  rule->name = input.name;
  rule->arn = arns_.rule_arn(bus_name, input.name);
  rule->bus_name = bus_name;
  rule->event_pattern = has_pattern ? *input.event_pattern : std::string();
  rule->pattern = std::move(pattern);
  rule->schedule_expression = has_schedule ? *input.schedule_expression : std::string();
  rule->schedule = std::move(schedule);
  rule->state = input.state.value_or("ENABLED");
  rule->description = input.description.value_or("");
  rule->role_arn = input.role_arn.value_or("");
  rule->created_by = options_.account_id;
  rule->created = clock_.now_ms();
  rule->tags = input.tags;
  if (existing != bus->rules.end()) {
    const Rule& old = *existing->second;
    EB_TRY(refuse_managed(old));
    rule->targets = old.targets;
    rule->created = old.created;
    rule->managed_by = old.managed_by;
    for (const auto& [k, v] : old.tags) rule->tags.try_emplace(k, v);
  }
  std::string arn = rule->arn;
  EB_TRY(store_rule(*current, *bus, std::move(rule)));
  return arn;
}

Result<void> EventBuses::delete_rule(const std::optional<std::string>& bus_name,
                                     const std::string& name, bool force) {
  EB_TRY(check_member("name", name, 1, 64, NameChars::kName));
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(current, bus_name));
  auto it = bus->rules.find(name);
  if (it == bus->rules.end()) return {};  // already gone: success, as on AWS
  const Rule& rule = *it->second;
  if (!rule.managed_by.empty() && !force) {
    return fail(Errc::kManagedRule,
                fmt::format("Rule {} is managed by {} and cannot be deleted without Force.", name,
                            rule.managed_by));
  }
  if (!rule.targets.empty()) {
    return fail(Errc::kValidationError, "Rule can't be deleted since it has targets.");
  }
  storage::Batch batch;
  batch.erase(Family::kEventBuses, rule_key(bus->description.name, name));
  auto changed = std::make_shared<Bus>(*bus);
  changed->rules.erase(name);
  changed->reindex();
  return commit(with_bus(*current, bus->description.name, std::move(changed)), std::move(batch));
}

Result<std::string> EventBuses::put_managed_rule(const std::string& bus_name,
                                                 const std::string& name,
                                                 const std::string& pattern,
                                                 std::string_view managed_by) {
  EB_ASSIGN_OR_RETURN(auto compiled, matching::EventPattern::compile(pattern));
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(current, bus_name));
  auto existing = bus->rules.find(name);
  if (existing != bus->rules.end() && existing->second->managed_by.empty()) {
    return fail(Errc::kResourceAlreadyExists, fmt::format("Rule {} already exists.", name));
  }
  auto rule = std::make_shared<Rule>();
  rule->name = name;
  rule->arn = arns_.rule_arn(bus->description.name, name);
  rule->bus_name = bus->description.name;
  rule->event_pattern = pattern;
  rule->pattern = std::move(compiled);
  rule->managed_by = std::string(managed_by);
  rule->created_by = options_.account_id;
  rule->created = clock_.now_ms();
  if (existing != bus->rules.end()) {
    rule->created = existing->second->created;
    rule->targets = existing->second->targets;
    rule->tags = existing->second->tags;
  }
  std::string arn = rule->arn;
  EB_TRY(store_rule(*current, *bus, std::move(rule)));
  return arn;
}

Result<void> EventBuses::delete_managed_rule(const std::string& bus_name, const std::string& name) {
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  auto bus = find_bus(current, bus_name);
  if (!bus) return {};
  auto it = (*bus)->rules.find(name);
  if (it == (*bus)->rules.end() || it->second->managed_by.empty()) return {};
  storage::Batch batch;
  batch.erase(Family::kEventBuses, rule_key((*bus)->description.name, name));
  auto changed = std::make_shared<Bus>(**bus);
  changed->rules.erase(name);
  changed->reindex();
  return commit(with_bus(*current, (*bus)->description.name, std::move(changed)), std::move(batch));
}

Result<RuleDescription> EventBuses::describe_rule(const std::optional<std::string>& bus_name,
                                                  const std::string& name) const {
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(snapshot(), bus_name));
  EB_ASSIGN_OR_RETURN(auto rule, find_rule(*bus, name));
  return rule->describe();
}

Result<void> EventBuses::set_rule_enabled(const std::optional<std::string>& bus_name,
                                          const std::string& name, bool enabled) {
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(current, bus_name));
  EB_ASSIGN_OR_RETURN(auto rule, find_rule(*bus, name));
  EB_TRY(refuse_managed(*rule));
  auto changed = std::make_shared<Rule>(*rule);
  changed->state = enabled ? "ENABLED" : "DISABLED";
  return store_rule(*current, *bus, std::move(changed));
}

Result<Page<RuleDescription>> EventBuses::list_rules(const std::optional<std::string>& bus_name,
                                                     const ListInput& input) const {
  if (input.name_prefix) EB_TRY(check_member("namePrefix", *input.name_prefix, 1, 64));
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(snapshot(), bus_name));
  std::vector<RuleDescription> rules;
  for (const auto& [name, rule] : bus->rules) {
    if (has_prefix(input.name_prefix, name)) rules.push_back(rule->describe());
  }
  return paginate(std::move(rules), input, [](const RuleDescription& r) { return r.name; });
}

Result<Page<std::string>> EventBuses::list_rule_names_by_target(
    const std::optional<std::string>& bus_name, const std::string& target_arn,
    const ListInput& input) const {
  EB_TRY(check_member("targetArn", target_arn, 1, 1600));
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(snapshot(), bus_name));
  std::vector<std::string> names;
  for (const auto& [name, rule] : bus->rules) {
    if (std::any_of(rule->targets.begin(), rule->targets.end(),
                    [&](const Target& t) { return t.spec.arn == target_arn; })) {
      names.push_back(name);
    }
  }
  return paginate(std::move(names), input, [](const std::string& n) { return n; });
}

// ---- Targets -----------------------------------------------------------------------------

Result<std::vector<TargetFailure>> EventBuses::put_targets(
    const std::optional<std::string>& bus_name, const std::string& rule_name,
    std::vector<TargetSpec> targets) {
  EB_TRY(check_member("rule", rule_name, 1, 64, NameChars::kName));
  for (const TargetSpec& t : targets) {
    if (arn_service(t.arn) == "sqs" && t.arn.ends_with(".fifo") && !t.sqs_message_group_id) {
      return fail(
          Errc::kValidationError,
          fmt::format("Parameter(s) SqsParameters must be specified for target: {}.", t.id));
    }
  }
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(current, bus_name));
  EB_ASSIGN_OR_RETURN(auto rule, find_rule(*bus, rule_name));
  EB_TRY(refuse_managed(*rule));
  auto changed = std::make_shared<Rule>(*rule);
  for (TargetSpec& spec : targets) {
    auto same = std::find_if(changed->targets.begin(), changed->targets.end(),
                             [&](const Target& t) { return t.spec.id == spec.id; });
    if (same != changed->targets.end()) {
      same->spec = std::move(spec);
    } else {
      changed->targets.push_back(Target{std::move(spec)});
    }
  }
  if (changed->targets.size() > kMaxTargetsPerRule) return std::unexpected(limit_exceeded());
  EB_TRY(store_rule(*current, *bus, std::move(changed)));
  return std::vector<TargetFailure>();
}

Result<std::vector<TargetFailure>> EventBuses::remove_targets(
    const std::optional<std::string>& bus_name, const std::string& rule_name,
    const std::vector<std::string>& ids, bool force) {
  EB_TRY(check_member("rule", rule_name, 1, 64, NameChars::kName));
  for (const std::string& id : ids) EB_TRY(check_member("ids.member", id, 1, 64, NameChars::kName));
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(current, bus_name));
  EB_ASSIGN_OR_RETURN(auto rule, find_rule(*bus, rule_name));
  if (!rule->managed_by.empty() && !force) {
    return fail(Errc::kManagedRule,
                fmt::format("Rule {} is managed by {} and its targets cannot be changed without "
                            "Force.",
                            rule_name, rule->managed_by));
  }
  auto changed = std::make_shared<Rule>(*rule);
  std::erase_if(changed->targets, [&](const Target& t) {
    return std::find(ids.begin(), ids.end(), t.spec.id) != ids.end();
  });
  EB_TRY(store_rule(*current, *bus, std::move(changed)));
  return std::vector<TargetFailure>();
}

Result<Page<TargetSpec>> EventBuses::list_targets_by_rule(
    const std::optional<std::string>& bus_name, const std::string& rule_name,
    const ListInput& input) const {
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(snapshot(), bus_name));
  EB_ASSIGN_OR_RETURN(auto rule, find_rule(*bus, rule_name));
  std::vector<TargetSpec> specs;
  for (const Target& t : rule->targets) specs.push_back(t.spec);
  // Targets keep the order they were put in; the token is a position.
  ListInput positional = input;
  std::vector<std::pair<std::string, TargetSpec>> numbered;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    numbered.emplace_back(fmt::format("{:08}", i), std::move(specs[i]));
  }
  EB_ASSIGN_OR_RETURN(
      auto page, paginate(std::move(numbered), positional, [](const auto& n) { return n.first; }));
  Page<TargetSpec> out;
  out.next_token = std::move(page.next_token);
  for (auto& [position, spec] : page.items) out.items.push_back(std::move(spec));
  return out;
}

// ---- Tags --------------------------------------------------------------------------------

Result<Tags> EventBuses::list_tags(const std::string& arn) const {
  EB_ASSIGN_OR_RETURN(auto found, find_arn(snapshot(), arn));
  return found.rule ? found.rule->tags : found.bus->tags;
}

Result<void> EventBuses::tag_resource(const std::string& arn, const Tags& tags) {
  EB_TRY(check_tags(tags));
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto found, find_arn(current, arn));
  if (found.rule) {
    EB_TRY(refuse_managed(*found.rule));
    auto changed = std::make_shared<Rule>(*found.rule);
    for (const auto& [k, v] : tags) changed->tags[k] = v;
    if (changed->tags.size() > kMaxTags) return std::unexpected(limit_exceeded());
    return store_rule(*current, *found.bus, std::move(changed));
  }
  auto changed = std::make_shared<Bus>(*found.bus);
  for (const auto& [k, v] : tags) changed->tags[k] = v;
  if (changed->tags.size() > kMaxTags) return std::unexpected(limit_exceeded());
  storage::Batch batch;
  batch.put(Family::kEventBuses, bus_key(changed->description.name), encode_bus(*changed));
  const std::string name = changed->description.name;
  return commit(with_bus(*current, name, std::move(changed)), std::move(batch));
}

Result<void> EventBuses::untag_resource(const std::string& arn,
                                        const std::vector<std::string>& keys) {
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto found, find_arn(current, arn));
  if (found.rule) {
    EB_TRY(refuse_managed(*found.rule));
    auto changed = std::make_shared<Rule>(*found.rule);
    for (const auto& k : keys) changed->tags.erase(k);
    return store_rule(*current, *found.bus, std::move(changed));
  }
  auto changed = std::make_shared<Bus>(*found.bus);
  for (const auto& k : keys) changed->tags.erase(k);
  storage::Batch batch;
  batch.put(Family::kEventBuses, bus_key(changed->description.name), encode_bus(*changed));
  const std::string name = changed->description.name;
  return commit(with_bus(*current, name, std::move(changed)), std::move(batch));
}

}  // namespace eb::events
