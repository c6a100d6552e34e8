#include "events/partner_sources.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/encoding.hpp"
#include "eventbroker/codec.hpp"
#include "eventbroker/v1/bus_records.pb.h"
#include "events/names.hpp"

namespace eb::events {
namespace {

using storage::Family;

constexpr std::uint32_t kRecordVersion = 1;
constexpr std::string_view kKeyPrefix = "s/";
constexpr std::size_t kMaxPartnerEntries = 20;
constexpr std::size_t kPutEventsMaxEntries = 10;  // EventBuses::put_events' (PutEvents') limit
constexpr int kMaxPageSize = 100;

constexpr std::string_view kPending = "PENDING";
constexpr std::string_view kActive = "ACTIVE";
constexpr std::string_view kDeleted = "DELETED";

// The model's patterns, as AWS quotes them in a validation error.
constexpr std::string_view kSourceNamePattern = "aws\\.partner(/[\\.\\-_A-Za-z0-9]+){2,}";
constexpr std::string_view kPartnerPrefixPattern =
    "aws\\.partner/[\\.\\-_A-Za-z0-9]+/[/\\.\\-_A-Za-z0-9]*";
constexpr std::string_view kAccountPattern = "\\d{12}";

std::string key_of(std::string_view name) { return std::string(kKeyPrefix).append(name); }

Result<void> check_source_name(std::string_view member, const std::string& name) {
  return check_pattern(member, name, 1, 256, kSourceNamePattern);
}

Result<void> check_account(const std::string& account) {
  return check_pattern("account", account, 12, 12, kAccountPattern);
}

Error not_found(std::string_view name) {
  return Error{Errc::kResourceNotFound, fmt::format("Event source {} does not exist.", name)};
}

// NextToken and Limit of a list call; the token is the name to resume at.
Result<int> page_limit(const ListInput& input) {
  if (input.next_token) EB_TRY(check_member("nextToken", *input.next_token, 1, 2048));
  const int limit = input.limit.value_or(kMaxPageSize);
  if (limit < 1 || limit > kMaxPageSize) {
    return std::unexpected(
        constraint_error("limit", std::to_string(limit),
                         limit < 1 ? "Member must have value greater than or equal to 1"
                                   : "Member must have value less than or equal to 100"));
  }
  return limit;
}

PutEventsResultEntry entry_error(std::string message) {
  return PutEventsResultEntry{{}, "InvalidArgument", std::move(message)};
}

// PutEvents' wording for a missing member of an entry.
PutEventsResultEntry missing(std::string_view member) {
  return entry_error(
      fmt::format("Parameter {0} is not valid. Reason: {0} is a required argument.", member));
}

bool given(const std::optional<std::string>& member) { return member && !member->empty(); }

}  // namespace

PutEventsOutput PartnerEventsPlan::finish(const std::vector<PutEventsOutput>& answers) && {
  std::size_t next = 0;
  for (const PutEventsOutput& answer : answers) {
    for (const PutEventsResultEntry& entry : answer.entries) {
      if (next < positions.size()) output.entries[positions[next++]] = entry;
    }
  }
  output.failed_entry_count = 0;
  for (const PutEventsResultEntry& e : output.entries) {
    if (e.event_id.empty()) ++output.failed_entry_count;
  }
  return std::move(output);
}

PartnerSources::PartnerSources(const Clock& clock, storage::Engine& engine, EventsOptions options)
    : clock_(clock), engine_(engine), options_(std::move(options)) {}

std::string PartnerSources::source_arn(std::string_view name) const {
  // Event sources belong to no account: the ARN leaves it out.
  return fmt::format("arn:aws:events:{}::event-source/{}", options_.region, name);
}

EventSourceDescription PartnerSources::describe(const Source& source) const {
  // "aws.partner/<partner>/...": the partner is the second segment.
  const std::string_view rest = std::string_view(source.name).substr(source.name.find('/') + 1);
  return EventSourceDescription{.name = source.name,
                                .arn = source_arn(source.name),
                                .account = source.account,
                                .created_by = std::string(rest.substr(0, rest.find('/'))),
                                .state = source.state,
                                .created = source.created};
}

Result<void> PartnerSources::recover() {
  std::map<std::string, Source> loaded;
  Result<void> bad;
  // "s0" is the first key after every "s/" one.
  EB_TRY(engine_.scan(Family::kEventBuses, kKeyPrefix, "s0",
                      [&](std::string_view key, std::string_view value) {
                        auto p = proto::parse<eventbroker::v1::PartnerEventSourceRecord>(value);
                        if (!p) {
                          bad = fail(Errc::kInternalError,
                                     fmt::format("unreadable partner event source record {}", key));
                          return false;
                        }
                        loaded[p->name()] = Source{.name = p->name(),
                                                   .account = p->account(),
                                                   .state = p->state(),
                                                   .has_bus = p->has_bus(),
                                                   .created = p->created_ms()};
                        return true;
                      }));
  EB_TRY(bad);
  std::lock_guard lock(mu_);
  sources_ = std::move(loaded);
  return {};
}

Result<void> PartnerSources::store(Source source) {
  eventbroker::v1::PartnerEventSourceRecord p;
  p.set_format_version(kRecordVersion);
  p.set_name(source.name);
  p.set_account(source.account);
  p.set_state(source.state);
  p.set_has_bus(source.has_bus);
  p.set_created_ms(source.created);
  storage::Batch batch;
  batch.put(Family::kEventBuses, key_of(source.name), p.SerializeAsString());
  EB_TRY(engine_.write(batch));
  std::string name = source.name;
  sources_[name] = std::move(source);
  return {};
}

Result<std::size_t> PartnerSources::reset() {
  std::lock_guard lock(mu_);
  storage::Batch batch;
  batch.erase_range(Family::kEventBuses, std::string(kKeyPrefix), "s0");
  EB_TRY(engine_.write(batch));
  const std::size_t dropped = sources_.size();
  sources_.clear();
  return dropped;
}

Result<void> PartnerSources::erase(const std::string& name) {
  storage::Batch batch;
  batch.erase(Family::kEventBuses, key_of(name));
  EB_TRY(engine_.write(batch));
  sources_.erase(name);
  return {};
}

Result<PartnerSources::Source*> PartnerSources::customer_source(const std::string& name) {
  auto it = sources_.find(name);
  if (it == sources_.end() || !ours(it->second)) return std::unexpected(not_found(name));
  return &it->second;
}

// ---- The partner's calls -------------------------------------------------------------------

Result<std::string> PartnerSources::create_partner_event_source(const std::string& name,
                                                                const std::string& account) {
  EB_TRY(check_source_name("name", name));
  EB_TRY(check_account(account));
  std::lock_guard lock(mu_);
  // A deleted source whose customer still has the bus keeps its name taken until that bus goes.
  if (sources_.contains(name)) {
    return fail(Errc::kResourceAlreadyExists, fmt::format("Event source {} already exists.", name));
  }
  EB_TRY(store(Source{.name = name,
                      .account = account,
                      .state = std::string(kPending),
                      .created = clock_.now_ms()}));
  return source_arn(name);
}

Result<void> PartnerSources::delete_partner_event_source(const std::string& name,
                                                         const std::string& account) {
  EB_TRY(check_source_name("name", name));
  EB_TRY(check_account(account));
  std::lock_guard lock(mu_);
  auto it = sources_.find(name);
  // Nothing offered to that account under that name: nothing to do (the model has no
  // ResourceNotFoundException for this call).
  if (it == sources_.end() || it->second.account != account || it->second.state == kDeleted) {
    return {};
  }
  if (!it->second.has_bus) return erase(name);
  Source deleted = it->second;
  deleted.state = std::string(kDeleted);
  return store(std::move(deleted));
}

Result<EventSourceDescription> PartnerSources::describe_partner_event_source(
    const std::string& name) const {
  EB_TRY(check_source_name("name", name));
  std::lock_guard lock(mu_);
  auto it = sources_.find(name);
  if (it == sources_.end() || it->second.state == kDeleted) {
    return std::unexpected(not_found(name));
  }
  return describe(it->second);
}

Result<Page<EventSourceDescription>> PartnerSources::list_partner_event_sources(
    const ListInput& input) const {
  if (!input.name_prefix) {
    return fail(Errc::kValidationError,
                "1 validation error detected: Value null at 'namePrefix' failed to satisfy "
                "constraint: Member must not be null");
  }
  EB_TRY(check_pattern("namePrefix", *input.name_prefix, 1, 256, kPartnerPrefixPattern));
  EB_ASSIGN_OR_RETURN(const int limit, page_limit(input));
  Page<EventSourceDescription> page;
  std::lock_guard lock(mu_);
  auto it = input.next_token ? sources_.lower_bound(*input.next_token) : sources_.begin();
  for (; it != sources_.end(); ++it) {
    if (!it->first.starts_with(*input.name_prefix) || it->second.state == kDeleted) continue;
    if (page.items.size() == static_cast<std::size_t>(limit)) {
      page.next_token = it->first;
      break;
    }
    page.items.push_back(describe(it->second));
  }
  return page;
}

Result<Page<EventSourceDescription>> PartnerSources::list_partner_event_source_accounts(
    const std::string& name, const ListInput& input) const {
  EB_TRY(check_source_name("eventSourceName", name));
  EB_TRY(page_limit(input));
  std::lock_guard lock(mu_);
  auto it = sources_.find(name);
  if (it == sources_.end() || it->second.state == kDeleted) {
    return std::unexpected(not_found(name));
  }
  // One account per source: the whole list is one page.
  Page<EventSourceDescription> page;
  page.items.push_back(describe(it->second));
  return page;
}

Result<PartnerEventsPlan> PartnerSources::plan_partner_events(
    const std::vector<PutEventsEntry>& entries) const {
  if (entries.empty()) {
    return std::unexpected(
        constraint_error("entries", "[]", "Member must have length greater than or equal to 1"));
  }
  if (entries.size() > kMaxPartnerEntries) {
    return std::unexpected(constraint_error("entries", "[PutPartnerEventsRequestEntry]",
                                            "Member must have length less than or equal to 20"));
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (given(entries[i].source)) {
      EB_TRY(check_source_name(fmt::format("entries.{}.member.source", i + 1), *entries[i].source));
    }
  }
  // The API reference: a request none of whose entries has all three fails as a whole.
  const bool any_complete = std::any_of(entries.begin(), entries.end(), [](const auto& e) {
    return given(e.source) && given(e.detail_type) && given(e.detail);
  });
  if (!any_complete) {
    return fail(Errc::kValidationError,
                "Parameter(s) Source, DetailType and Detail must be specified in at least one "
                "entry.");
  }

  PartnerEventsPlan plan;
  plan.output.entries.resize(entries.size());
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const PutEventsEntry& e = entries[i];
    PutEventsResultEntry& result = plan.output.entries[i];
    if (!given(e.source)) {
      result = missing("Source");
      continue;
    }
    auto it = sources_.find(*e.source);
    if (it == sources_.end() || it->second.state == kDeleted) {
      result = entry_error(fmt::format("Event source {} does not exist.", *e.source));
      continue;
    }
    const Source& source = it->second;
    if (ours(source) && source.state == kActive && source.has_bus) {
      PutEventsEntry routed = e;
      routed.bus = source.name;  // the partner bus is named like its source
      if (plan.batches.empty() || plan.batches.back().size() == kPutEventsMaxEntries) {
        plan.batches.emplace_back();
      }
      plan.batches.back().push_back(std::move(routed));
      plan.positions.push_back(i);
      continue;
    }
    if (!given(e.detail_type)) {
      result = missing("DetailType");
    } else if (!given(e.detail)) {
      result = missing("Detail");
    } else {
      // No bus of this account receives it (pending, deactivated, or another account's).
      spdlog::info(
          "PutPartnerEvents: event source {} has no active event bus here; the event is "
          "accepted and dropped",
          source.name);
      result.event_id = random_uuid();
    }
  }
  return plan;
}

// ---- The customer's calls ------------------------------------------------------------------

Result<void> PartnerSources::activate_event_source(const std::string& name) {
  EB_TRY(check_source_name("name", name));
  std::lock_guard lock(mu_);
  EB_ASSIGN_OR_RETURN(Source * source, customer_source(name));
  // Only a deactivated source (PENDING with its bus) can be activated; a new one is activated
  // by creating its bus.
  if (source->state != kPending || !source->has_bus) {
    return fail(Errc::kInvalidState,
                fmt::format("Event source {} cannot be activated: it is {}{}.", name, source->state,
                            source->has_bus ? "" : " and has no event bus"));
  }
  Source changed = *source;
  changed.state = std::string(kActive);
  return store(std::move(changed));
}

Result<void> PartnerSources::deactivate_event_source(const std::string& name) {
  EB_TRY(check_source_name("name", name));
  std::lock_guard lock(mu_);
  EB_ASSIGN_OR_RETURN(Source * source, customer_source(name));
  if (source->state != kActive) {
    return fail(Errc::kInvalidState, fmt::format("Event source {} cannot be deactivated: it is {}.",
                                                 name, source->state));
  }
  Source changed = *source;
  changed.state = std::string(kPending);
  return store(std::move(changed));
}

Result<EventSourceDescription> PartnerSources::describe_event_source(
    const std::string& name) const {
  EB_TRY(check_source_name("name", name));
  std::lock_guard lock(mu_);
  auto it = sources_.find(name);
  if (it == sources_.end() || !ours(it->second)) return std::unexpected(not_found(name));
  return describe(it->second);
}

Result<Page<EventSourceDescription>> PartnerSources::list_event_sources(
    const ListInput& input) const {
  if (input.name_prefix) {
    EB_TRY(check_member("namePrefix", *input.name_prefix, 1, 256, NameChars::kBusName));
  }
  EB_ASSIGN_OR_RETURN(const int limit, page_limit(input));
  Page<EventSourceDescription> page;
  std::lock_guard lock(mu_);
  auto it = input.next_token ? sources_.lower_bound(*input.next_token) : sources_.begin();
  for (; it != sources_.end(); ++it) {
    if (!ours(it->second)) continue;
    if (input.name_prefix && !it->first.starts_with(*input.name_prefix)) continue;
    if (page.items.size() == static_cast<std::size_t>(limit)) {
      page.next_token = it->first;
      break;
    }
    page.items.push_back(describe(it->second));
  }
  return page;
}

// ---- EventSourceLookup ---------------------------------------------------------------------

Result<void> PartnerSources::claim_event_source(const std::string& name) {
  std::lock_guard lock(mu_);
  EB_ASSIGN_OR_RETURN(Source * source, customer_source(name));
  if (source->state == kDeleted) return std::unexpected(not_found(name));
  if (source->has_bus) {
    return fail(Errc::kResourceAlreadyExists,
                fmt::format("Event source {} already has an event bus.", name));
  }
  Source changed = *source;
  changed.state = std::string(kActive);
  changed.has_bus = true;
  return store(std::move(changed));
}

void PartnerSources::release_event_source(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = sources_.find(name);
  if (it == sources_.end()) return;
  Result<void> done;
  if (it->second.state == kDeleted) {
    done = erase(name);
  } else {
    Source changed = it->second;
    changed.state = std::string(kPending);
    changed.has_bus = false;
    done = store(std::move(changed));
  }
  // The bus is already gone; a failed write leaves the source as it was until the next restart
  // reads it back, which is all a full disk allows.
  if (!done) spdlog::warn("event source {}: {}", name, done.error().message);
}

}  // namespace eb::events
