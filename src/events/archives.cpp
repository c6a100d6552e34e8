#include "events/archives.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "eventbroker/codec.hpp"
#include "eventbroker/v1/bus_records.pb.h"
#include "events/event_buses.hpp"
#include "events/names.hpp"
#include "matching/event_pattern.hpp"

namespace eb::events {
namespace {

using storage::Family;

constexpr std::uint32_t kRecordVersion = 1;
constexpr int kMaxPageSize = 100;
constexpr Millis kDayMs = 24LL * 3600 * 1000;

constexpr std::string_view kArchiveStates[] = {"ENABLED",  "DISABLED",      "CREATING",
                                               "UPDATING", "CREATE_FAILED", "UPDATE_FAILED"};
constexpr std::string_view kReplayStates[] = {"CANCELLED", "CANCELLING", "COMPLETED",
                                              "FAILED",    "RUNNING",    "STARTING"};

std::string archive_key(std::string_view name) { return "a/" + std::string(name); }
std::string replay_key(std::string_view name) { return "p/" + std::string(name); }

Error archive_not_found(std::string_view name) {
  return Error{Errc::kResourceNotFound, fmt::format("Archive {} does not exist.", name)};
}

Error replay_not_found(std::string_view name) {
  return Error{Errc::kResourceNotFound, fmt::format("Replay {} does not exist.", name)};
}

template <std::size_t N>
Result<void> check_state(const std::optional<std::string>& state,
                         const std::string_view (&states)[N]) {
  if (!state || std::find(std::begin(states), std::end(states), *state) != std::end(states)) {
    return {};
  }
  std::string names;
  for (std::string_view s : states) names += (names.empty() ? "" : ", ") + std::string(s);
  return std::unexpected(constraint_error(
      "state", *state, fmt::format("Member must satisfy enum value set: [{}]", names)));
}

Result<void> one_filter(const std::optional<std::string>& a, const std::optional<std::string>& b,
                        const std::optional<std::string>& c, std::string_view action) {
  if (int(a.has_value()) + int(b.has_value()) + int(c.has_value()) > 1) {
    return fail(Errc::kValidationError,
                fmt::format("At most one filter is allowed for {}. Use either : State, "
                            "EventSourceArn, or NamePrefix.",
                            action));
  }
  return {};
}

// The page of `items` (sorted by name) from the token on.
template <class T>
Result<Page<T>> page_of(std::vector<T> items, const std::optional<std::string>& token,
                        const std::optional<int>& limit_in) {
  const int limit = limit_in.value_or(kMaxPageSize);
  if (limit < 1 || limit > kMaxPageSize) {
    return std::unexpected(
        constraint_error("limit", std::to_string(limit),
                         limit < 1 ? "Member must have value greater than or equal to 1"
                                   : "Member must have value less than or equal to 100"));
  }
  Page<T> page;
  for (auto& item : items) {
    if (token && item.name < *token) continue;
    if (page.items.size() == static_cast<std::size_t>(limit)) {
      page.next_token = item.name;
      break;
    }
    page.items.push_back(std::move(item));
  }
  return page;
}

// `envelope` with "replay-name" added, as EventBridge marks the events a replay re-delivers.
std::string with_replay_name(const std::string& envelope, std::string_view replay) {
  const auto end = envelope.rfind('}');
  std::string out = envelope.substr(0, end);
  out += fmt::format(R"(,"replay-name":"{}"}})", replay);  // replay names need no escaping
  return out;
}

// The pattern of an archive's managed rule: the archive's own, or every event, and in both
// cases no replayed event (replays are never archived again). A pattern that speaks of
// replay-name itself is taken as it is.
std::string managed_rule_pattern(std::string_view archive_pattern) {
  constexpr std::string_view kNotReplayed = R"("replay-name":[{"exists":false}])";
  if (archive_pattern.find(R"("replay-name")") != std::string_view::npos) {
    return std::string(archive_pattern);
  }
  const auto open = archive_pattern.find('{');
  if (open == std::string_view::npos) return fmt::format("{{{}}}", kNotReplayed);
  const auto first = archive_pattern.find_first_not_of(" \t\r\n", open + 1);
  const bool empty = first == std::string_view::npos || archive_pattern[first] == '}';
  return fmt::format("{}{}{}{}", archive_pattern.substr(0, open + 1), kNotReplayed,
                     empty ? "" : ",", archive_pattern.substr(open + 1));
}

bool is_replayed(simdjson::dom::element event) {
  simdjson::dom::element name;
  return !event["replay-name"].get(name);
}

}  // namespace

Archives::Archives(const Clock& clock, Timers& timers, storage::Engine& engine, EventBuses& buses)
    : clock_(clock), timers_(timers), engine_(engine), buses_(buses) {}

Archives::~Archives() {
  std::lock_guard lock(mu_);
  for (Timers::Id id : timer_ids_) timers_.cancel(id);
}

std::string Archives::arn(std::string_view kind, std::string_view name) const {
  return fmt::format("arn:aws:events:{}:{}:{}/{}", buses_.options().region,
                     buses_.options().account_id, kind, name);
}

// ---- Records -----------------------------------------------------------------------------

Result<void> Archives::store(const ArchiveDescription& a) {
  eventbroker::v1::EventArchiveRecord p;
  p.set_format_version(kRecordVersion);
  p.set_name(a.name);
  p.set_source_arn(a.source_arn);
  p.set_description(a.description);
  p.set_event_pattern(a.event_pattern);
  p.set_retention_days(a.retention_days);
  p.set_kms_key_identifier(a.kms_key_identifier);
  p.set_created_ms(a.created);
  storage::Batch batch;
  batch.put(Family::kEventBuses, archive_key(a.name), p.SerializeAsString());
  return engine_.write(batch);
}

Result<void> Archives::store(const ReplayDescription& r) {
  eventbroker::v1::EventReplayRecord p;
  p.set_format_version(kRecordVersion);
  p.set_name(r.name);
  p.set_description(r.description);
  p.set_state(r.state);
  p.set_state_reason(r.state_reason);
  p.set_source_arn(r.source_arn);
  p.set_destination_arn(r.destination_arn);
  for (const auto& f : r.filter_arns) p.add_filter_arns(f);
  p.set_start_ms(r.start);
  p.set_end_ms(r.end);
  p.set_last_replayed_ms(r.last_replayed.value_or(0));
  p.set_replay_start_ms(r.replay_start);
  p.set_replay_end_ms(r.replay_end.value_or(0));
  storage::Batch batch;
  batch.put(Family::kEventBuses, replay_key(r.name), p.SerializeAsString());
  return engine_.write(batch);
}

Result<void> Archives::recover() {
  std::vector<ReplayDescription> interrupted;
  std::lock_guard lock(mu_);
  EB_TRY(engine_.scan(Family::kEventBuses, "a/", "b", [&](std::string_view, std::string_view v) {
    auto p = proto::parse<eventbroker::v1::EventArchiveRecord>(v);
    if (!p) return true;
    ArchiveDescription a;
    a.name = p->name();
    a.arn = arn("archive", a.name);
    a.source_arn = p->source_arn();
    a.description = p->description();
    a.event_pattern = p->event_pattern();
    a.retention_days = p->retention_days();
    a.kms_key_identifier = p->kms_key_identifier();
    a.created = p->created_ms();
    archives_[a.name] = std::move(a);
    return true;
  }));
  EB_TRY(engine_.scan(Family::kEventBuses, "p/", "q", [&](std::string_view, std::string_view v) {
    auto p = proto::parse<eventbroker::v1::EventReplayRecord>(v);
    if (!p) return true;
    Replay r;
    ReplayDescription& d = r.d;
    d.name = p->name();
    d.arn = arn("replay", d.name);
    d.description = p->description();
    d.state = p->state();
    d.state_reason = p->state_reason();
    d.source_arn = p->source_arn();
    d.destination_arn = p->destination_arn();
    d.filter_arns.assign(p->filter_arns().begin(), p->filter_arns().end());
    d.start = p->start_ms();
    d.end = p->end_ms();
    if (p->last_replayed_ms() != 0) d.last_replayed = p->last_replayed_ms();
    d.replay_start = p->replay_start_ms();
    if (p->replay_end_ms() != 0) d.replay_end = p->replay_end_ms();
    if (d.state == "STARTING" || d.state == "RUNNING" || d.state == "CANCELLING") {
      d.state = "FAILED";
      d.state_reason = "The replay was interrupted: the daemon stopped while it ran.";
      d.replay_end = clock_.now_ms();
      interrupted.push_back(d);
    }
    replays_[d.name] = std::move(r);
    return true;
  }));
  for (const auto& d : interrupted) EB_TRY(store(d));
  return {};
}

// ---- Archives ----------------------------------------------------------------------------

std::string managed_rule_name(std::string_view archive) {
  return fmt::format("Events-Archive-{}", archive);
}

Result<void> Archives::archived_events(const ArchiveDescription& archive, Millis from, Millis to,
                                       const EventVisitor& visit) const {
  if (!reader_) return fail(Errc::kInternalError, "archives have no event log to read");
  std::optional<matching::EventPattern> pattern;
  if (!archive.event_pattern.empty()) {
    auto compiled = matching::EventPattern::compile(archive.event_pattern);
    if (compiled) pattern = std::move(*compiled);
  }
  Millis earliest = std::max(from, archive.created);
  if (archive.retention_days > 0) {
    earliest = std::max(earliest, clock_.now_ms() - archive.retention_days * kDayMs);
  }
  simdjson::dom::parser parser;
  return reader_(archive.source_arn, earliest, to,
                 [&](const std::string& envelope, Millis timestamp) {
                   simdjson::dom::element event;
                   if (parser.parse(envelope).get(event) || is_replayed(event)) return true;
                   if (pattern && !pattern->matches(event)) return true;
                   return visit(envelope, timestamp);
                 });
}

ArchiveDescription Archives::with_counts(ArchiveDescription archive) const {
  (void)archived_events(archive, 0, clock_.now_ms(), [&](const std::string& envelope, Millis) {
    ++archive.event_count;
    archive.size_bytes += static_cast<std::int64_t>(envelope.size());
    return true;
  });  // counts stay 0 without an event log to read
  return archive;
}

Result<ArchiveDescription> Archives::create_archive(const CreateArchiveInput& in) {
  EB_TRY(check_member("archiveName", in.name, 1, 48, NameChars::kName));
  EB_TRY(check_member("eventSourceArn", in.source_arn, 1, 1600));
  if (in.description) EB_TRY(check_member("description", *in.description, 0, 512));
  if (in.event_pattern) {
    EB_TRY(check_member("eventPattern", *in.event_pattern, 0, 4096));
    EB_TRY(matching::EventPattern::compile(*in.event_pattern));
  }
  if (in.retention_days && *in.retention_days < 0) {
    return std::unexpected(constraint_error("retentionDays", std::to_string(*in.retention_days),
                                            "Member must have value greater than or equal to 0"));
  }
  EB_ASSIGN_OR_RETURN(auto bus, buses_.describe_event_bus(in.source_arn));
  std::lock_guard lock(mu_);
  if (archives_.contains(in.name)) {
    return fail(Errc::kResourceAlreadyExists, fmt::format("Archive {} already exists.", in.name));
  }
  ArchiveDescription a;
  a.name = in.name;
  a.arn = arn("archive", in.name);
  a.source_arn = bus.arn;
  a.description = in.description.value_or("");
  a.event_pattern = in.event_pattern.value_or("");
  a.retention_days = in.retention_days.value_or(0);
  a.kms_key_identifier = in.kms_key_identifier.value_or("");
  a.created = clock_.now_ms();
  // The lock stays held: a concurrent CreateArchive of the same name must not replace the rule.
  EB_TRY(buses_.put_managed_rule(a.source_arn, managed_rule_name(a.name),
                                 managed_rule_pattern(a.event_pattern), kArchiveManagedBy));
  if (auto stored = store(a); !stored) {
    (void)buses_.delete_managed_rule(a.source_arn, managed_rule_name(a.name));
    return std::unexpected(stored.error());
  }
  archives_[a.name] = a;
  return a;
}

Result<void> Archives::delete_archive(const std::string& name) {
  EB_TRY(check_member("archiveName", name, 1, 48, NameChars::kName));
  std::lock_guard lock(mu_);
  auto it = archives_.find(name);
  if (it == archives_.end()) return std::unexpected(archive_not_found(name));
  EB_TRY(buses_.delete_managed_rule(it->second.source_arn, managed_rule_name(name)));
  storage::Batch batch;
  batch.erase(Family::kEventBuses, archive_key(name));
  EB_TRY(engine_.write(batch));
  archives_.erase(name);
  return {};
}

Result<std::size_t> Archives::reset() {
  std::lock_guard lock(mu_);
  // Archives ("a/") and replays ("p/") in one write.
  storage::Batch batch;
  batch.erase_range(Family::kEventBuses, "a/", "a0");
  batch.erase_range(Family::kEventBuses, "p/", "p0");
  EB_TRY(engine_.write(batch));
  // A replay under way stops at its next event; its end finds no replay to record.
  for (auto& [name, replay] : replays_) replay.cancel->store(true);
  for (Timers::Id id : timer_ids_) timers_.cancel(id);
  timer_ids_.clear();
  const std::size_t dropped = archives_.size();
  archives_.clear();
  replays_.clear();
  return dropped;
}

Result<ArchiveDescription> Archives::describe_archive(const std::string& name) const {
  EB_TRY(check_member("archiveName", name, 1, 48, NameChars::kName));
  ArchiveDescription a;
  {
    std::lock_guard lock(mu_);
    auto it = archives_.find(name);
    if (it == archives_.end()) return std::unexpected(archive_not_found(name));
    a = it->second;
  }
  return with_counts(std::move(a));
}

Result<ArchiveDescription> Archives::update_archive(const UpdateArchiveInput& in) {
  EB_TRY(check_member("archiveName", in.name, 1, 48, NameChars::kName));
  if (in.description) EB_TRY(check_member("description", *in.description, 0, 512));
  if (in.event_pattern) {
    EB_TRY(check_member("eventPattern", *in.event_pattern, 0, 4096));
    EB_TRY(matching::EventPattern::compile(*in.event_pattern));
  }
  if (in.retention_days && *in.retention_days < 0) {
    return std::unexpected(constraint_error("retentionDays", std::to_string(*in.retention_days),
                                            "Member must have value greater than or equal to 0"));
  }
  std::lock_guard lock(mu_);
  auto it = archives_.find(in.name);
  if (it == archives_.end()) return std::unexpected(archive_not_found(in.name));
  ArchiveDescription a = it->second;
  if (in.description) a.description = *in.description;
  if (in.event_pattern) a.event_pattern = *in.event_pattern;
  if (in.retention_days) a.retention_days = *in.retention_days;
  if (in.kms_key_identifier) a.kms_key_identifier = *in.kms_key_identifier;
  if (in.event_pattern) {
    EB_TRY(buses_.put_managed_rule(a.source_arn, managed_rule_name(a.name),
                                   managed_rule_pattern(a.event_pattern), kArchiveManagedBy));
  }
  EB_TRY(store(a));
  it->second = a;
  return a;
}

Result<Page<ArchiveDescription>> Archives::list_archives(const ArchiveListInput& in) const {
  EB_TRY(one_filter(in.name_prefix, in.source_arn, in.state, "ListArchives"));
  EB_TRY(check_state(in.state, kArchiveStates));
  std::vector<ArchiveDescription> items;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, a] : archives_) {
      if (in.name_prefix && !name.starts_with(*in.name_prefix)) continue;
      if (in.source_arn && a.source_arn != *in.source_arn) continue;
      if (in.state && a.state != *in.state) continue;
      items.push_back(a);
    }
  }
  EB_ASSIGN_OR_RETURN(auto page, page_of(std::move(items), in.next_token, in.limit));
  for (auto& a : page.items) a = with_counts(std::move(a));
  return page;
}

// ---- Replays -----------------------------------------------------------------------------

Result<ReplayDescription> Archives::start_replay(const StartReplayInput& in) {
  EB_TRY(check_member("replayName", in.name, 1, 64, NameChars::kName));
  if (in.description) EB_TRY(check_member("description", *in.description, 0, 512));
  if (in.destination_arn.find(":event-bus/") == std::string::npos) {
    return fail(Errc::kValidationError,
                "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.");
  }
  EB_ASSIGN_OR_RETURN(auto bus, buses_.describe_event_bus(in.destination_arn));
  const std::string archive_name = in.source_arn.substr(in.source_arn.rfind('/') + 1);
  std::lock_guard lock(mu_);
  auto archive = archives_.find(archive_name);
  if (archive == archives_.end() || archive->second.arn != in.source_arn) {
    return fail(Errc::kValidationError,
                fmt::format("Parameter EventSourceArn is not valid. Reason: Archive {} does not "
                            "exist.",
                            archive_name));
  }
  if (bus.arn != archive->second.source_arn) {
    return fail(Errc::kValidationError,
                "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not "
                "permitted.");
  }
  if (in.start > in.end) {
    return fail(Errc::kValidationError,
                "Parameter EventEndTime is not valid. Reason: EventStartTime must be before "
                "EventEndTime.");
  }
  if (in.end > clock_.now_ms()) {
    return fail(Errc::kValidationError,
                "Parameter EventEndTime is not valid. Reason: EventEndTime must be before the "
                "current time.");
  }
  const std::string rule_prefix =
      bus.name == kDefaultBus ? arn("rule", "") : arn("rule", bus.name + "/");
  for (const std::string& rule : in.filter_arns) {
    if (!rule.starts_with(rule_prefix)) {
      return fail(Errc::kValidationError,
                  fmt::format("Parameter Destination.FilterArns is not valid. Reason: {} is not a "
                              "rule of event bus {}.",
                              rule, bus.name));
    }
  }
  if (replays_.contains(in.name)) {
    return fail(Errc::kResourceAlreadyExists, fmt::format("Replay {} already exists.", in.name));
  }
  Replay r;
  ReplayDescription& d = r.d;
  d.name = in.name;
  d.arn = arn("replay", in.name);
  d.description = in.description.value_or("");
  d.state = "STARTING";
  d.source_arn = in.source_arn;
  d.destination_arn = bus.arn;
  d.filter_arns = in.filter_arns;
  d.start = in.start;
  d.end = in.end;
  d.replay_start = clock_.now_ms();
  EB_TRY(store(d));
  ReplayDescription out = d;
  replays_[in.name] = std::move(r);
  timer_ids_.push_back(timers_.schedule_at(clock_.now_ms(), [this, name = in.name] { run(name); }));
  return out;
}

void Archives::run(const std::string& name) {
  ReplayDescription d;
  ArchiveDescription archive;
  std::shared_ptr<std::atomic<bool>> cancel;
  {
    std::lock_guard lock(mu_);
    auto it = replays_.find(name);
    if (it == replays_.end() || it->second.d.state != "STARTING") return;
    auto a = archives_.find(it->second.d.source_arn.substr(it->second.d.source_arn.rfind('/') + 1));
    it->second.d.state = "RUNNING";
    if (a == archives_.end()) {
      it->second.d.state = "FAILED";
      it->second.d.state_reason = "The archive was deleted.";
    } else {
      archive = a->second;
    }
    it->second.d.replay_end.reset();
    d = it->second.d;
    cancel = it->second.cancel;
    if (auto stored = store(d); !stored)
      spdlog::warn("replay {}: {}", name, stored.error().message);
    if (d.state == "FAILED") return;
  }
  const std::string bus_name = d.destination_arn.substr(d.destination_arn.find(":event-bus/") + 11);
  std::optional<Millis> last;
  Result<void> replayed =
      archived_events(archive, d.start, d.end, [&](const std::string& envelope, Millis timestamp) {
        if (cancel->load()) return false;
        simdjson::dom::parser parser;
        simdjson::dom::element event;
        std::string_view id;
        if (parser.parse(envelope).get(event) || event["id"].get_string().get(id)) return true;
        const std::string marked = with_replay_name(envelope, name);
        if (auto sent = buses_.replay_event(bus_name, std::string(id), marked, d.filter_arns);
            !sent) {
          spdlog::warn("replay {}: event {}: {}", name, id, sent.error().message);
        }
        last = timestamp;
        return true;
      });
  std::lock_guard lock(mu_);
  auto it = replays_.find(name);
  if (it == replays_.end()) return;
  ReplayDescription& done = it->second.d;
  done.last_replayed = last;
  done.replay_end = clock_.now_ms();
  if (!replayed) {
    done.state = "FAILED";
    done.state_reason = replayed.error().message;
  } else if (cancel->load()) {
    done.state = "CANCELLED";
  } else {
    done.state = "COMPLETED";
  }
  if (auto stored = store(done); !stored)
    spdlog::warn("replay {}: {}", name, stored.error().message);
}

Result<ReplayDescription> Archives::cancel_replay(const std::string& name) {
  EB_TRY(check_member("replayName", name, 1, 64, NameChars::kName));
  std::lock_guard lock(mu_);
  auto it = replays_.find(name);
  if (it == replays_.end()) return std::unexpected(replay_not_found(name));
  ReplayDescription& d = it->second.d;
  if (d.state != "STARTING" && d.state != "RUNNING") {
    return fail(Errc::kIllegalStatus,
                fmt::format("Replay {} is not in a valid state for this operation.", name));
  }
  it->second.cancel->store(true);
  if (d.state == "STARTING") {
    // It never ran: cancelled at once.
    d.state = "CANCELLED";
    d.replay_end = clock_.now_ms();
    EB_TRY(store(d));
    ReplayDescription out = d;
    out.state = "CANCELLING";
    return out;
  }
  d.state = "CANCELLING";
  EB_TRY(store(d));
  return d;
}

Result<ReplayDescription> Archives::describe_replay(const std::string& name) const {
  EB_TRY(check_member("replayName", name, 1, 64, NameChars::kName));
  std::lock_guard lock(mu_);
  auto it = replays_.find(name);
  if (it == replays_.end()) return std::unexpected(replay_not_found(name));
  return it->second.d;
}

Result<Page<ReplayDescription>> Archives::list_replays(const ReplayListInput& in) const {
  EB_TRY(one_filter(in.name_prefix, in.source_arn, in.state, "ListReplays"));
  EB_TRY(check_state(in.state, kReplayStates));
  std::vector<ReplayDescription> items;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, r] : replays_) {
      if (in.name_prefix && !name.starts_with(*in.name_prefix)) continue;
      if (in.source_arn && r.d.source_arn != *in.source_arn) continue;
      if (in.state && r.d.state != *in.state) continue;
      items.push_back(r.d);
    }
  }
  return page_of(std::move(items), in.next_token, in.limit);
}

}  // namespace eb::events
