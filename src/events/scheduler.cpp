#include "events/scheduler.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/encoding.hpp"
#include "core/json_writer.hpp"
#include "events/event_buses.hpp"
#include "events/retry_policy.hpp"
#include "events/targets.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/topics.hpp"
#include "sqs/message_rules.hpp"
#include "sqs/queues.hpp"

// Behaviour from the EventBridge Scheduler user guide (schedule-types, managing-schedule-group,
// configuring-schedule-dlq) and API reference (CreateSchedule, RetryPolicy, FlexibleTimeWindow);
// limits from the API model (botocore scheduler 2021-06-30).

namespace eb::events {
namespace {

constexpr std::size_t kMaxNameChars = 64;
constexpr std::size_t kMaxDescriptionChars = 512;
constexpr int kMaxListResults = 100;
constexpr int kMaxWindowMinutes = 1440;

TimePoint time_point(Millis ms) { return TimePoint(std::chrono::milliseconds(ms)); }

Millis millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameChars &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
         });
}

Result<void> check_name(std::string_view name, std::string_view member) {
  if (valid_name(name)) return {};
  return fail(Errc::kValidationError,
              fmt::format("1 validation error detected: Value '{}' at '{}' failed to satisfy "
                          "constraint: Member must satisfy regular expression pattern: "
                          "^[0-9a-zA-Z-_.]+$ and length between 1 and 64",
                          name, member));
}

Error range_error(std::string_view member, int value, int min, int max) {
  return Error{Errc::kValidationError,
               fmt::format("1 validation error detected: Value '{}' at '{}' failed to satisfy "
                           "constraint: Member must have value between {} and {}",
                           value, member, min, max)};
}

Error schedule_not_found(std::string_view group, std::string_view name) {
  return Error{Errc::kResourceNotFound,
               fmt::format("Schedule {} does not exist in group {}.", name, group)};
}

Error group_not_found(std::string_view name) {
  return Error{Errc::kResourceNotFound, fmt::format("Schedule group {} does not exist.", name)};
}

template <class T, class Key>
Page<T> paginate(std::vector<std::pair<Key, T>> items, const std::optional<std::string>& token,
                 std::optional<int> max_results) {
  // Items come sorted by key; the token is the last key returned.
  const std::size_t limit = static_cast<std::size_t>(max_results.value_or(kMaxListResults));
  Page<T> page;
  for (auto& [key, item] : items) {
    if (token && key <= *token) continue;
    if (page.items.size() == limit) return page;  // next_token: the last key returned
    page.items.push_back(std::move(item));
    page.next_token = key;
  }
  page.next_token.clear();
  return page;
}

// 16 hex digits, as Scheduler's execution ids look.
}  // namespace

Scheduler::Scheduler(const Clock& clock, Timers& timers, storage::Engine& engine,
                     sqs::Queues& queues, EventBuses& buses, EventsOptions options)
    : clock_(clock),
      timers_(timers),
      engine_(engine),
      queues_(queues),
      buses_(buses),
      options_(std::move(options)),
      random_(std::random_device{}()) {}

Scheduler::~Scheduler() {
  std::lock_guard lock(mu_);
  for (auto& [key, armed] : armed_) timers_.cancel(armed.timer);
  armed_.clear();
  for (auto& [id, retry] : retries_) timers_.cancel(retry.timer);
  retries_.clear();
}

void Scheduler::when_durable(std::function<void()> done) { engine_.when_durable(std::move(done)); }

std::string Scheduler::group_arn(std::string_view group) const {
  return fmt::format("arn:aws:scheduler:{}:{}:schedule-group/{}", options_.region,
                     options_.account_id, group);
}

std::string Scheduler::schedule_arn(std::string_view group, std::string_view name) const {
  return fmt::format("arn:aws:scheduler:{}:{}:schedule/{}/{}", options_.region, options_.account_id,
                     group, name);
}

Result<void> Scheduler::recover() {
  std::vector<Schedule> schedules;
  Result<void> bad;
  std::lock_guard lock(mu_);
  EB_TRY(engine_.scan(storage::Family::kEventBuses, "g/", "i",
                      [&](std::string_view key, std::string_view value) {
                        if (key.starts_with("g/")) {
                          auto group = decode_schedule_group(value);
                          if (!group) {
                            bad = fail(Errc::kInternalError, "unreadable schedule group record");
                            return false;
                          }
                          group->arn = group_arn(group->name);
                          groups_[group->name].group = std::move(*group);
                        } else if (key.starts_with("h/")) {
                          auto schedule = decode_schedule(value);
                          if (!schedule) {
                            bad = fail(Errc::kInternalError, "unreadable schedule record");
                            return false;
                          }
                          schedules.push_back(std::move(*schedule));
                        }
                        return true;
                      }));
  EB_TRY(bad);
  if (!groups_.contains(std::string(kDefaultGroup))) {
    ScheduleGroup group{.name = std::string(kDefaultGroup),
                        .arn = group_arn(kDefaultGroup),
                        .created = clock_.now_ms(),
                        .modified = clock_.now_ms()};
    EB_TRY(write_group(group));
    groups_[group.name].group = std::move(group);
  }
  const Millis now = clock_.now_ms();
  for (Schedule& stored : schedules) {
    auto group = groups_.find(stored.group());
    if (group == groups_.end()) continue;  // its group's deletion was cut short
    const Millis created = stored.created;
    const Millis modified = stored.modified;
    auto compiled = compile(std::move(stored.spec), created);
    if (!compiled) {
      spdlog::warn("scheduler: a stored schedule no longer compiles: {}", compiled.error().message);
      continue;
    }
    compiled->created = created;
    compiled->modified = modified;
    const std::string name = compiled->spec.name;
    auto& slot = group->second.schedules[name] = std::move(*compiled);
    arm_locked(slot, now);
  }
  return {};
}

Result<Schedule> Scheduler::compile(ScheduleInput input, Millis now) const {
  if (!input.group) input.group = std::string(kDefaultGroup);
  EB_TRY(check_name(input.name, "name"));
  EB_TRY(check_name(*input.group, "groupName"));
  Schedule schedule;
  EB_ASSIGN_OR_RETURN(schedule.expression, ScheduleExpression::parse_scheduler(input.expression));
  if (!input.timezone.empty()) {
    EB_ASSIGN_OR_RETURN(schedule.zone, TimeZone::load(input.timezone, zoneinfo_root_));
  }
  if (input.description.size() > kMaxDescriptionChars) {
    return fail(Errc::kValidationError,
                "1 validation error detected: Value at 'description' failed to satisfy "
                "constraint: Member must have length less than or equal to 512");
  }
  if (input.state != "ENABLED" && input.state != "DISABLED") {
    return fail(Errc::kValidationError,
                fmt::format("1 validation error detected: Value '{}' at 'state' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [ENABLED, DISABLED]",
                            input.state));
  }
  if (input.action_after_completion != "NONE" && input.action_after_completion != "DELETE") {
    return fail(Errc::kValidationError,
                fmt::format("1 validation error detected: Value '{}' at 'actionAfterCompletion' "
                            "failed to satisfy constraint: Member must satisfy enum value set: "
                            "[NONE, DELETE]",
                            input.action_after_completion));
  }
  if (input.flexible_mode == "FLEXIBLE") {
    if (!input.flexible_window_minutes) {
      return fail(Errc::kValidationError,
                  "MaximumWindowInMinutes is required when the FlexibleTimeWindow mode is "
                  "FLEXIBLE.");
    }
    if (*input.flexible_window_minutes < 1 || *input.flexible_window_minutes > kMaxWindowMinutes) {
      return std::unexpected(range_error("flexibleTimeWindow.maximumWindowInMinutes",
                                         *input.flexible_window_minutes, 1, kMaxWindowMinutes));
    }
  } else if (input.flexible_mode == "OFF") {
    if (input.flexible_window_minutes) {
      return fail(Errc::kValidationError,
                  "MaximumWindowInMinutes must not be set when the FlexibleTimeWindow mode is "
                  "OFF.");
    }
  } else {
    return fail(Errc::kValidationError,
                fmt::format("1 validation error detected: Value '{}' at 'flexibleTimeWindow.mode' "
                            "failed to satisfy constraint: Member must satisfy enum value set: "
                            "[OFF, FLEXIBLE]",
                            input.flexible_mode));
  }
  if (input.start_date && input.end_date && *input.start_date >= *input.end_date) {
    return fail(Errc::kValidationError, "The StartDate must come before the EndDate.");
  }
  if (input.end_date && *input.end_date <= now) {
    return fail(Errc::kValidationError, "The EndDate must be in the future.");
  }
  const ScheduleTarget& t = input.target;
  if (t.arn.empty()) return fail(Errc::kValidationError, "The target's Arn must not be empty.");
  if (t.role_arn.empty()) {
    return fail(Errc::kValidationError, "The target's RoleArn must not be empty.");
  }
  if (t.maximum_event_age_seconds < 60 || t.maximum_event_age_seconds > 86400) {
    return std::unexpected(range_error("target.retryPolicy.maximumEventAgeInSeconds",
                                       t.maximum_event_age_seconds, 60, 86400));
  }
  if (t.maximum_retry_attempts < 0 || t.maximum_retry_attempts > 185) {
    return std::unexpected(
        range_error("target.retryPolicy.maximumRetryAttempts", t.maximum_retry_attempts, 0, 185));
  }
  if (!t.dead_letter_arn.empty() && arn_service(t.dead_letter_arn) != "sqs") {
    return fail(
        Errc::kValidationError,
        fmt::format("The dead-letter queue {} is not an Amazon SQS queue ARN.", t.dead_letter_arn));
  }
  schedule.arn = schedule_arn(*input.group, input.name);
  schedule.spec = std::move(input);
  return schedule;
}

Result<void> Scheduler::write_schedule(const Schedule& schedule) {
  storage::Batch batch;
  batch.put(storage::Family::kEventBuses, schedule_key(schedule.group(), schedule.spec.name),
            encode_schedule(schedule));
  return engine_.write(batch);
}

Result<void> Scheduler::write_group(const ScheduleGroup& group) {
  storage::Batch batch;
  batch.put(storage::Family::kEventBuses, schedule_group_key(group.name),
            encode_schedule_group(group));
  return engine_.write(batch);
}

Result<const Scheduler::GroupEntry*> Scheduler::find_group_locked(const std::string& name) const {
  auto it = groups_.find(name);
  if (it == groups_.end()) return std::unexpected(group_not_found(name));
  return &it->second;
}

Result<std::string> Scheduler::create_schedule(ScheduleInput input) {
  const Millis now = clock_.now_ms();
  EB_ASSIGN_OR_RETURN(Schedule schedule, compile(std::move(input), now));
  std::lock_guard lock(mu_);
  auto group = groups_.find(schedule.group());
  if (group == groups_.end()) return std::unexpected(group_not_found(schedule.group()));
  if (auto existing = group->second.schedules.find(schedule.spec.name);
      existing != group->second.schedules.end()) {
    // The same request again (ClientToken): the first answer.
    if (!schedule.spec.client_token.empty() &&
        existing->second.spec.client_token == schedule.spec.client_token) {
      return existing->second.arn;
    }
    return fail(Errc::kResourceAlreadyExists,
                fmt::format("Schedule {} already exists.", schedule.spec.name));
  }
  schedule.created = schedule.modified = now;
  EB_TRY(write_schedule(schedule));
  std::string arn = schedule.arn;
  auto& slot = group->second.schedules[schedule.spec.name] = std::move(schedule);
  // A rate without StartDate fires at once, so the first invocation may be now.
  arm_locked(slot, now - 1);
  return arn;
}

Result<std::string> Scheduler::update_schedule(ScheduleInput input) {
  const Millis now = clock_.now_ms();
  EB_ASSIGN_OR_RETURN(Schedule schedule, compile(std::move(input), now));
  std::lock_guard lock(mu_);
  auto group = groups_.find(schedule.group());
  if (group == groups_.end()) return std::unexpected(group_not_found(schedule.group()));
  auto existing = group->second.schedules.find(schedule.spec.name);
  if (existing == group->second.schedules.end()) {
    return std::unexpected(schedule_not_found(schedule.group(), schedule.spec.name));
  }
  schedule.created = existing->second.created;
  schedule.modified = now;
  EB_TRY(write_schedule(schedule));
  std::string arn = schedule.arn;
  existing->second = std::move(schedule);
  arm_locked(existing->second, now - 1);
  return arn;
}

Result<Schedule> Scheduler::get_schedule(const std::optional<std::string>& group,
                                         const std::string& name) const {
  const std::string group_name = group.value_or(std::string(kDefaultGroup));
  std::lock_guard lock(mu_);
  EB_ASSIGN_OR_RETURN(const GroupEntry* entry, find_group_locked(group_name));
  auto it = entry->schedules.find(name);
  if (it == entry->schedules.end()) return std::unexpected(schedule_not_found(group_name, name));
  return it->second;
}

Result<void> Scheduler::delete_schedule(const std::optional<std::string>& group,
                                        const std::string& name) {
  const std::string group_name = group.value_or(std::string(kDefaultGroup));
  std::lock_guard lock(mu_);
  auto entry = groups_.find(group_name);
  if (entry == groups_.end()) return std::unexpected(group_not_found(group_name));
  auto it = entry->second.schedules.find(name);
  if (it == entry->second.schedules.end()) {
    return std::unexpected(schedule_not_found(group_name, name));
  }
  storage::Batch batch;
  batch.erase(storage::Family::kEventBuses, schedule_key(group_name, name));
  EB_TRY(engine_.write(batch));
  disarm_locked({group_name, name});
  entry->second.schedules.erase(it);
  return {};
}

Result<std::size_t> Scheduler::reset() {
  std::lock_guard lock(mu_);
  std::size_t dropped = 0;
  for (const auto& [name, entry] : groups_) dropped += entry.schedules.size();
  // Groups ("g/") and schedules ("h/") in one write; the default group comes back in it.
  ScheduleGroup group{.name = std::string(kDefaultGroup),
                      .arn = group_arn(kDefaultGroup),
                      .created = clock_.now_ms(),
                      .modified = clock_.now_ms()};
  storage::Batch batch;
  batch.erase_range(storage::Family::kEventBuses, "g/", "i");
  batch.put(storage::Family::kEventBuses, schedule_group_key(group.name),
            encode_schedule_group(group));
  EB_TRY(engine_.write(batch));
  for (const auto& [key, armed] : armed_) timers_.cancel(armed.timer);
  armed_.clear();
  for (const auto& [id, pending] : retries_) timers_.cancel(pending.timer);
  retries_.clear();
  groups_.clear();
  groups_[group.name].group = std::move(group);
  return dropped;
}

Result<Page<Schedule>> Scheduler::list_schedules(const ListSchedulesInput& input) const {
  if (input.max_results && (*input.max_results < 1 || *input.max_results > kMaxListResults)) {
    return std::unexpected(range_error("maxResults", *input.max_results, 1, kMaxListResults));
  }
  std::lock_guard lock(mu_);
  if (input.group && !groups_.contains(*input.group)) {
    return std::unexpected(group_not_found(*input.group));
  }
  std::vector<std::pair<std::string, Schedule>> items;
  for (const auto& [group_name, entry] : groups_) {
    if (input.group && group_name != *input.group) continue;
    for (const auto& [name, schedule] : entry.schedules) {
      if (input.name_prefix && !name.starts_with(*input.name_prefix)) continue;
      if (input.state && schedule.spec.state != *input.state) continue;
      items.emplace_back(group_name + "/" + name, schedule);
    }
  }
  return paginate(std::move(items), input.next_token, input.max_results);
}

Result<std::string> Scheduler::create_group(const std::string& name, const Tags& tags,
                                            const std::string& client_token) {
  EB_TRY(check_name(name, "name"));
  std::lock_guard lock(mu_);
  if (auto it = groups_.find(name); it != groups_.end()) {
    if (!client_token.empty() && it->second.group.client_token == client_token) {
      return it->second.group.arn;
    }
    return fail(Errc::kResourceAlreadyExists,
                fmt::format("Schedule group {} already exists.", name));
  }
  const Millis now = clock_.now_ms();
  ScheduleGroup group{.name = name,
                      .arn = group_arn(name),
                      .created = now,
                      .modified = now,
                      .tags = tags,
                      .client_token = client_token};
  EB_TRY(write_group(group));
  std::string arn = group.arn;
  groups_[name].group = std::move(group);
  return arn;
}

Result<ScheduleGroup> Scheduler::get_group(const std::string& name) const {
  std::lock_guard lock(mu_);
  EB_ASSIGN_OR_RETURN(const GroupEntry* entry, find_group_locked(name));
  return entry->group;
}

Result<void> Scheduler::delete_group(const std::string& name) {
  if (name == kDefaultGroup) {
    return fail(Errc::kValidationError, "The default schedule group cannot be deleted.");
  }
  std::lock_guard lock(mu_);
  auto it = groups_.find(name);
  if (it == groups_.end()) return std::unexpected(group_not_found(name));
  // The group and its schedules go in one write (AWS deletes the schedules asynchronously; here
  // they are gone when the call returns).
  storage::Batch batch;
  batch.erase(storage::Family::kEventBuses, schedule_group_key(name));
  for (const auto& [schedule_name, schedule] : it->second.schedules) {
    batch.erase(storage::Family::kEventBuses, schedule_key(name, schedule_name));
  }
  EB_TRY(engine_.write(batch));
  for (const auto& [schedule_name, schedule] : it->second.schedules) {
    disarm_locked({name, schedule_name});
  }
  groups_.erase(it);
  return {};
}

Result<Page<ScheduleGroup>> Scheduler::list_groups(const ListGroupsInput& input) const {
  if (input.max_results && (*input.max_results < 1 || *input.max_results > kMaxListResults)) {
    return std::unexpected(range_error("maxResults", *input.max_results, 1, kMaxListResults));
  }
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, ScheduleGroup>> items;
  for (const auto& [name, entry] : groups_) {
    if (input.name_prefix && !name.starts_with(*input.name_prefix)) continue;
    items.emplace_back(name, entry.group);
  }
  return paginate(std::move(items), input.next_token, input.max_results);
}

Result<std::string> Scheduler::group_of_arn_locked(const std::string& arn) const {
  const std::string prefix = group_arn("");
  if (arn.starts_with(prefix) && groups_.contains(arn.substr(prefix.size()))) {
    return arn.substr(prefix.size());
  }
  return fail(Errc::kResourceNotFound, fmt::format("Resource {} does not exist.", arn));
}

Result<Tags> Scheduler::list_tags(const std::string& arn) const {
  std::lock_guard lock(mu_);
  EB_ASSIGN_OR_RETURN(const std::string name, group_of_arn_locked(arn));
  return groups_.at(name).group.tags;
}

Result<void> Scheduler::tag_resource(const std::string& arn, const Tags& tags) {
  std::lock_guard lock(mu_);
  EB_ASSIGN_OR_RETURN(const std::string name, group_of_arn_locked(arn));
  GroupEntry* entry = &groups_.at(name);
  ScheduleGroup changed = entry->group;
  for (const auto& [k, v] : tags) changed.tags[k] = v;
  EB_TRY(write_group(changed));
  entry->group = std::move(changed);
  return {};
}

Result<void> Scheduler::untag_resource(const std::string& arn,
                                       const std::vector<std::string>& keys) {
  std::lock_guard lock(mu_);
  EB_ASSIGN_OR_RETURN(const std::string name, group_of_arn_locked(arn));
  GroupEntry* entry = &groups_.at(name);
  ScheduleGroup changed = entry->group;
  for (const std::string& k : keys) changed.tags.erase(k);
  EB_TRY(write_group(changed));
  entry->group = std::move(changed);
  return {};
}

// ---- Firing ---------------------------------------------------------------------------------

void Scheduler::disarm_locked(const Key& key) {
  auto it = armed_.find(key);
  if (it == armed_.end()) return;
  timers_.cancel(it->second.timer);
  armed_.erase(it);
}

void Scheduler::arm_locked(const Schedule& schedule, Millis after) {
  const Key key{schedule.group(), schedule.spec.name};
  disarm_locked(key);
  if (schedule.spec.state != "ENABLED" || !schedule.expression) return;
  const ScheduleInput& spec = schedule.spec;
  const bool one_time = schedule.expression->kind() == ScheduleExpression::Kind::kAt;
  // StartDate and EndDate bound recurring schedules only; a rate counts from StartDate, else
  // from the schedule's creation (it fires at once).
  Millis from = after;
  if (!one_time && spec.start_date && *spec.start_date - 1 > from) from = *spec.start_date - 1;
  const Millis anchor = spec.start_date.value_or(schedule.created);
  auto next = schedule.expression->next_after(time_point(from), time_point(anchor), schedule.zone);
  if (!next) return;
  const Millis nominal = millis(*next);
  if (!one_time && spec.end_date && nominal >= *spec.end_date) return;
  Millis deadline = nominal;
  if (spec.flexible_mode == "FLEXIBLE" && spec.flexible_window_minutes) {
    // A random point within the window after the scheduled time (FlexibleTimeWindow).
    std::uniform_int_distribution<Millis> within(
        0, Millis{*spec.flexible_window_minutes} * 60'000 - 1);
    deadline += within(random_);
  }
  Armed armed{.generation = ++next_generation_, .nominal = nominal};
  armed.timer = timers_.schedule_at(
      deadline, [this, key, generation = armed.generation] { fire(key, generation); });
  armed_[key] = armed;
}

}  // namespace eb::events
