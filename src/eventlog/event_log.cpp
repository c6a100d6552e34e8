#include "eventlog/event_log.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_set>

#include "core/encoding.hpp"
#include "eventlog/event_records.hpp"
#include "storage/keys.hpp"

namespace eb::eventlog {
namespace {

using records::decode_record;
using records::decode_record_into;
using records::encode_record;
using records::event_id_key;
using records::head_key;
using records::index_entries;
using records::index_prefix;
using records::kCorrelationIndex;
using records::kEventIdIndex;
using records::kHeadKeyPrefix;
using records::kSourceIndex;
using records::kStreamIndex;
using records::kTrimmedThroughKey;
using records::kTypeIndex;
using records::prefix_end;
using records::unescape;
using records::with_u64;
using storage::Family;

constexpr std::size_t kChunk = 256;  // records fetched per storage round trip
constexpr std::size_t kTrimChunk = 512;

// The smallest key. A literal, not std::string_view{}: RocksDB asserts on a null Slice.
constexpr std::string_view kFirstKey = "";

// Names what recovery was reading when storage failed: the startup log shows only this.
template <class T>
Result<T> reading(Result<T> result, std::string_view what) {
  if (!result) {
    return fail(result.error().code,
                fmt::format("event log: cannot read {}: {}", what, result.error().message));
  }
  return result;
}

// The stream a broker message joins: the aggregateId attribute, else the envelope's.
std::string stream_of(const MessageAttributes* attributes, const std::optional<Envelope>& env) {
  std::string stream;
  if (attributes != nullptr) {
    if (attributes->contains(std::string(kReplayAttribute))) return {};
    auto it = attributes->find(std::string(kAggregateAttribute));
    if (it != attributes->end() && !it->second.is_binary()) stream = it->second.string_value;
  }
  if (stream.empty() && env) stream = env->aggregate_id;
  if (stream.size() > kMaxIdLength) return {};
  return stream;
}

}  // namespace

bool EventFilter::empty() const {
  return source.empty() && type.empty() && correlation_id.empty() && stream.empty();
}

bool EventFilter::matches(const Event& e) const {
  if (!stream.empty() && e.stream != stream) return false;
  if (!source.empty() && e.source_arn != source && (!e.envelope || e.envelope->source != source))
    return false;
  if (!type.empty() && (!e.envelope || e.envelope->type != type)) return false;
  if (!correlation_id.empty() && (!e.envelope || e.envelope->correlation_id != correlation_id))
    return false;
  return true;
}

EventLog::EventLog(storage::Engine& engine, const Clock& clock, Timers& timers,
                   EventLogOptions options, ProjectionRegistry projections)
    : engine_(engine),
      clock_(clock),
      timers_(timers),
      options_(options),
      projections_(std::move(projections)),
      guard_(std::make_shared<Guard>()) {
  guard_->log = this;
}

EventLog::~EventLog() {
  {
    std::unique_lock lock(guard_->mu);
    guard_->log = nullptr;
  }
  if (trim_timer_ != 0) timers_.cancel(trim_timer_);
}

Result<void> EventLog::recover() {
  std::uint64_t last = 0;
  EB_TRY(reading(engine_.scan(
                     Family::kEvents, kFirstKey, kFirstKey,
                     [&](std::string_view key, std::string_view) {
                       if (key.size() == 8) last = storage::read_u64(key);
                       return false;
                     },
                     true),
                 "the last event"));
  EB_ASSIGN_OR_RETURN(
      auto trimmed, reading(engine_.get(Family::kMeta, kTrimmedThroughKey), "the retention mark"));
  if (trimmed && trimmed->size() == 8) last = std::max(last, storage::read_u64(*trimmed));

  std::unordered_map<std::string, std::int64_t> heads;
  auto note = [&](std::string stream, std::int64_t version) {
    auto [it, inserted] = heads.try_emplace(std::move(stream), version);
    if (!inserted) it->second = std::max(it->second, version);
  };
  const std::string begin(1, kStreamIndex);
  const std::string end(1, kStreamIndex + 1);
  EB_TRY(reading(engine_.scan(Family::kIndexes, begin, end,
                              [&](std::string_view key, std::string_view) {
                                auto sep = key.find('\0');
                                if (sep == std::string_view::npos || key.size() != sep + 9) {
                                  return true;
                                }
                                note(unescape(key.substr(1, sep - 1)),
                                     static_cast<std::int64_t>(storage::read_u64(key, sep + 1)));
                                return true;
                              }),
                 "stream heads"));
  std::string head_end(kHeadKeyPrefix);
  head_end.back() += 1;
  EB_TRY(reading(engine_.scan(Family::kMeta, kHeadKeyPrefix, head_end,
                              [&](std::string_view key, std::string_view value) {
                                if (value.size() != 8) return true;
                                note(unescape(key.substr(kHeadKeyPrefix.size())),
                                     static_cast<std::int64_t>(storage::read_u64(value)));
                                return true;
                              }),
                 "trimmed stream heads"));

  std::uint64_t bytes = 0;
  if (options_.max_total_bytes > 0) {
    EB_TRY(reading(engine_.scan(Family::kEvents, kFirstKey, kFirstKey,
                                [&](std::string_view key, std::string_view value) {
                                  bytes += key.size() + value.size();
                                  return true;
                                }),
                   "event sizes"));
  }

  {
    std::lock_guard lock(mu_);
    last_seq_ = last;
    heads_ = std::move(heads);
    total_bytes_ = bytes;
    visible_.store(last);
  }
  schedule_trim();
  return {};
}

std::optional<std::int64_t> EventLog::reserve(std::vector<Event>& events, Staged& staged,
                                              const ExpectedVersion* check) {
  std::lock_guard lock(mu_);
  if (check != nullptr) {
    auto it = heads_.find(events.front().stream);
    const std::int64_t head = it == heads_.end() ? -1 : it->second;
    const bool ok = check->kind == ExpectedVersion::Kind::kAny ||
                    (check->kind == ExpectedVersion::Kind::kNoStream && it == heads_.end()) ||
                    (check->kind == ExpectedVersion::Kind::kExact && head == check->version &&
                     it != heads_.end());
    if (!ok) return head;
  }
  Reservation reservation;
  reservation.count = static_cast<std::uint32_t>(events.size());
  staged.first_seq = last_seq_ + 1;
  staged.count = reservation.count;
  for (Event& e : events) {
    e.seq = ++last_seq_;
    if (e.stream.empty()) continue;
    auto [it, inserted] = heads_.try_emplace(e.stream, -1);
    e.stream_version = ++it->second;
    reservation.stream_versions.emplace_back(e.stream, e.stream_version);
  }
  reservations_.emplace(staged.first_seq, std::move(reservation));
  return std::nullopt;
}

std::uint64_t EventLog::add_to_batch(const std::vector<Event>& events, storage::Batch& batch,
                                     std::span<const storage::IncomingMessage> sent) {
  std::uint64_t bytes = 0;
  std::vector<std::pair<std::string, std::string>> indexes;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    std::string key = storage::u64_key(e.seq);
    std::string value = encode_record(e, sent.empty() ? std::string_view(e.body) : sent[i].body);
    bytes += key.size() + value.size();
    batch.put(Family::kEvents, std::move(key), std::move(value));
    for (auto& entry : index_entries(e)) indexes.push_back(std::move(entry));
  }
  // In key order: RocksDB's memtable then inserts each key next to the previous one (it
  // reuses its last insert position) instead of searching from the top for every key.
  std::sort(indexes.begin(), indexes.end());
  for (auto& [k, v] : indexes) batch.put(Family::kIndexes, std::move(k), std::move(v));
  return bytes;
}

storage::EventSink::Staged EventLog::stage(std::span<const storage::IncomingMessage> messages,
                                           storage::Batch& batch) {
  Staged staged;
  if (messages.empty()) return staged;
  // Parsing happens before taking mu_, so the lock covers only the seq and version counters.
  std::vector<Event> events;
  events.reserve(messages.size());
  const Millis now = clock_.now_ms();
  for (const auto& m : messages) {
    Event e;
    e.timestamp = m.timestamp != 0 ? m.timestamp : now;
    e.message_id = std::string(m.message_id);
    e.envelope = parse_envelope(m.body);
    if (!m.stream.empty()) {
      // As append() records it.
      if (e.message_id.empty()) e.message_id = random_uuid();
      e.source_arn = std::string(kStreamSourcePrefix) + std::string(m.stream);
      e.stream = std::string(m.stream);
    } else {
      e.source_arn = std::string(m.source_arn);
      if (m.attributes != nullptr) e.attributes = *m.attributes;
      e.group_id = std::string(m.group_id);
      e.deduplication_id = std::string(m.deduplication_id);
      e.subject = std::string(m.subject);
      e.stream = stream_of(m.attributes, e.envelope);
    }
    events.push_back(std::move(e));
  }
  reserve(events, staged, nullptr);
  staged.token = add_to_batch(events, batch, messages);
  return staged;
}

void EventLog::finish(const Staged& staged, bool committed) {
  if (staged.count == 0) return;
  bool advanced = false;
  {
    std::lock_guard lock(mu_);
    auto it = reservations_.find(staged.first_seq);
    if (it == reservations_.end()) return;
    if (committed) {
      total_bytes_ += staged.token;
    } else {
      // Give back stream versions nobody has built on; a version reserved after this one
      // keeps its number (a gap is better than two events with one version).
      auto& versions = it->second.stream_versions;
      for (auto v = versions.rbegin(); v != versions.rend(); ++v) {
        auto head = heads_.find(v->first);
        if (head == heads_.end() || head->second != v->second) continue;
        if (--head->second < 0) heads_.erase(head);
      }
    }
    reservations_.erase(it);
    const std::uint64_t watermark =
        reservations_.empty() ? last_seq_ : reservations_.begin()->first - 1;
    if (watermark > visible_.load()) {
      visible_.store(watermark);
      advanced = true;
    }
  }
  if (advanced) schedule_notify();
}

std::mutex& EventLog::append_lock(const std::string& stream) {
  return append_locks_[std::hash<std::string>{}(stream) % append_locks_.size()];
}

Result<AppendResult> EventLog::append(const std::string& stream, ExpectedVersion expected,
                                      const std::vector<std::string>& events) {
  if (stream.empty() || stream.size() > kMaxIdLength) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("streamId must be 1 to {} bytes long", kMaxIdLength));
  }
  if (!simdjson::validate_utf8(stream.data(), stream.size())) {
    return fail(Errc::kInvalidParameterValue, "streamId must be valid UTF-8");
  }
  if (expected.kind == ExpectedVersion::Kind::kExact && expected.version < 0) {
    return fail(Errc::kInvalidParameterValue,
                "expectedVersion must be \"any\", -1 or a version >= 0");
  }
  if (events.empty()) {
    return fail(Errc::kInvalidParameterValue, "events must hold at least one event");
  }
  if (events.size() > kMaxAppendEvents) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("events holds {} events; at most {} per append", events.size(),
                            kMaxAppendEvents));
  }
  std::vector<Event> batch_events;
  batch_events.reserve(events.size());
  std::unordered_set<std::string> ids;
  const Millis now = clock_.now_ms();
  for (std::size_t i = 0; i < events.size(); ++i) {
    EB_ASSIGN_OR_RETURN(Envelope env, validate_new_event(events[i], fmt::format("events[{}]", i)));
    if (env.id.size() > kMaxIdLength) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("events[{}].id is longer than {} bytes", i, kMaxIdLength));
    }
    if (!ids.insert(env.id).second) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("events[{}].id {} appears twice in this request", i, env.id));
    }
    Event e;
    e.timestamp = now;
    e.source_arn = std::string(kStreamSourcePrefix) + stream;
    e.message_id = random_uuid();
    e.body = minify_json(events[i]);
    e.stream = stream;
    e.envelope = std::move(env);
    batch_events.push_back(std::move(e));
  }

  std::lock_guard stream_lock(append_lock(stream));
  AppendResult result;

  // A retry of an append that succeeded gets the same answer instead of a conflict.
  std::vector<std::string> id_keys;
  id_keys.reserve(batch_events.size());
  for (const Event& e : batch_events) id_keys.push_back(event_id_key(stream, e.envelope->id));
  EB_ASSIGN_OR_RETURN(const auto existing, engine_.multi_get(Family::kIndexes, id_keys));
  std::size_t found = 0;
  for (std::size_t i = 0; i < existing.size(); ++i) {
    if (existing[i] && existing[i]->size() == 16) {
      ++found;
      result.duplicate_ids.push_back(batch_events[i].envelope->id);
    }
  }
  if (found > 0) {
    result.current_version = stream_head(stream).value_or(-1);
    if (found < existing.size()) {
      result.outcome = AppendResult::Outcome::kDuplicateEvent;
      return result;
    }
    result.outcome = AppendResult::Outcome::kAlreadyAppended;
    result.duplicate_ids.clear();
    for (const auto& value : existing) {
      const auto seq = storage::read_u64(*value, 0);
      const auto version = static_cast<std::int64_t>(storage::read_u64(*value, 8));
      result.positions.push_back(seq);
      if (result.first_version < 0) result.first_version = version;
      result.last_version = version;
    }
    return result;
  }

  Staged staged;
  if (auto conflict = reserve(batch_events, staged, &expected)) {
    result.outcome = AppendResult::Outcome::kWrongExpectedVersion;
    result.current_version = *conflict;
    return result;
  }
  storage::Batch batch;
  staged.token = add_to_batch(batch_events, batch);
  auto written = engine_.write(batch);
  finish(staged, written.has_value());
  EB_TRY(std::move(written));
  result.first_version = batch_events.front().stream_version;
  result.last_version = batch_events.back().stream_version;
  result.current_version = result.last_version;
  for (const Event& e : batch_events) result.positions.push_back(e.seq);
  return result;
}

std::optional<std::int64_t> EventLog::stream_head(const std::string& stream) const {
  std::lock_guard lock(mu_);
  auto it = heads_.find(stream);
  if (it == heads_.end()) return std::nullopt;
  return it->second;
}

std::uint64_t EventLog::total_bytes() const {
  std::lock_guard lock(mu_);
  return total_bytes_;
}

Result<std::vector<Event>> EventLog::fetch(const std::vector<std::uint64_t>& seqs) const {
  std::vector<std::string> keys;
  keys.reserve(seqs.size());
  for (auto seq : seqs) keys.push_back(storage::u64_key(seq));
  EB_ASSIGN_OR_RETURN(const auto values, engine_.multi_get(Family::kEvents, keys));
  std::vector<Event> out;
  out.reserve(seqs.size());
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    // Missing: erased by retention since the index entry was read.
    if (!values[i]) continue;
    if (!decode_record_into(seqs[i], *values[i], out.emplace_back())) out.pop_back();
  }
  return out;
}

Result<void> EventLog::visit(std::uint64_t after, const EventFilter& filter,
                             const std::function<bool(Event&&)>& take) const {
  const std::uint64_t visible = visible_through();
  if (after >= visible) return {};
  if (filter.empty()) {
    // The whole log in seq order, a chunk per scan so `take` never runs inside one.
    std::uint64_t cursor = after + 1;
    while (cursor <= visible) {
      std::vector<Event> chunk;
      // Events are large (two dozen strings): growing the vector would move each one again.
      chunk.reserve(std::min<std::uint64_t>(kChunk, visible - cursor + 1));
      EB_TRY(engine_.scan(Family::kEvents, storage::u64_key(cursor), storage::u64_key(visible + 1),
                          [&](std::string_view key, std::string_view value) {
                            if (key.size() != 8) return true;
                            if (!decode_record_into(storage::read_u64(key), value,
                                                    chunk.emplace_back())) {
                              chunk.pop_back();
                            }
                            return chunk.size() < kChunk;
                          }));
      if (chunk.empty()) break;
      cursor = chunk.back().seq + 1;
      for (Event& e : chunk) {
        if (!take(std::move(e))) return {};
      }
      if (chunk.size() < kChunk) break;
    }
    return {};
  }
  if (!filter.stream.empty()) {
    return visit_stream(filter.stream, 0, [&](Event&& e) {
      if (e.seq <= after || !filter.matches(e)) return true;
      return take(std::move(e));
    });
  }
  // One index narrows the scan (correlation ids are the most selective, sources the least);
  // the other fields are checked on each event.
  const std::string prefix = !filter.correlation_id.empty()
                                 ? index_prefix(kCorrelationIndex, filter.correlation_id)
                             : !filter.type.empty() ? index_prefix(kTypeIndex, filter.type)
                                                    : index_prefix(kSourceIndex, filter.source);
  std::uint64_t cursor = after + 1;
  while (cursor <= visible) {
    std::vector<std::uint64_t> seqs;
    EB_TRY(engine_.scan(Family::kIndexes, with_u64(prefix, cursor), with_u64(prefix, visible + 1),
                        [&](std::string_view key, std::string_view) {
                          if (key.size() != prefix.size() + 8) return true;
                          seqs.push_back(storage::read_u64(key, prefix.size()));
                          return seqs.size() < kChunk;
                        }));
    if (seqs.empty()) break;
    cursor = seqs.back() + 1;
    EB_ASSIGN_OR_RETURN(std::vector<Event> events, fetch(seqs));
    for (Event& e : events) {
      if (!filter.matches(e)) continue;
      if (!take(std::move(e))) return {};
    }
    if (seqs.size() < kChunk) break;
  }
  return {};
}

Result<void> EventLog::visit_stream(const std::string& stream, std::int64_t from,
                                    const std::function<bool(Event&&)>& take) const {
  const std::uint64_t visible = visible_through();
  const std::string prefix = index_prefix(kStreamIndex, stream);
  const std::string end = prefix_end(prefix);
  auto version = static_cast<std::uint64_t>(std::max<std::int64_t>(from, 0));
  for (;;) {
    std::vector<std::uint64_t> seqs;
    bool reached_invisible = false;
    EB_TRY(engine_.scan(Family::kIndexes, with_u64(prefix, version), end,
                        [&](std::string_view key, std::string_view value) {
                          if (key.size() != prefix.size() + 8 || value.size() != 8) return true;
                          const std::uint64_t seq = storage::read_u64(value);
                          // Versions grow with seqs: the rest is not visible either.
                          if (seq > visible) {
                            reached_invisible = true;
                            return false;
                          }
                          version = storage::read_u64(key, prefix.size()) + 1;
                          seqs.push_back(seq);
                          return seqs.size() < kChunk;
                        }));
    if (seqs.empty()) break;
    EB_ASSIGN_OR_RETURN(std::vector<Event> events, fetch(seqs));
    for (Event& e : events) {
      if (!take(std::move(e))) return {};
    }
    if (reached_invisible || seqs.size() < kChunk) break;
  }
  return {};
}

Result<EventPage> EventLog::read(std::uint64_t after, std::size_t limit,
                                 const EventFilter& filter) const {
  limit = std::clamp<std::size_t>(limit, 1, kMaxPageSize);
  const std::uint64_t visible = visible_through();
  EventPage page;
  if (filter.empty() && after < visible) {
    page.events.reserve(std::min<std::uint64_t>(limit, visible - after));
  }
  bool more = false;
  EB_TRY(visit(after, filter, [&](Event&& e) {
    if (e.seq > visible) return false;  // the watermark moved during the scan: stop at ours
    if (page.events.size() == limit) {
      more = true;
      return false;
    }
    page.events.push_back(std::move(e));
    return true;
  }));
  if (more) {
    page.next = page.events.back().seq;
    page.scanned_through = *page.next;
  } else {
    page.scanned_through = std::max(after, visible);
  }
  return page;
}

Result<StreamPage> EventLog::read_stream(const std::string& stream, std::int64_t from,
                                         std::size_t limit) const {
  if (!stream_head(stream)) {
    return fail(Errc::kResourceNotFound, fmt::format("Stream {} does not exist", stream));
  }
  limit = std::clamp<std::size_t>(limit, 1, kMaxPageSize);
  StreamPage page;
  EB_TRY(visit_stream(stream, from, [&](Event&& e) {
    if (page.events.size() == limit) {
      page.next = e.stream_version;
      return false;
    }
    page.events.push_back(std::move(e));
    return true;
  }));
  return page;
}

Result<StreamState> EventLog::state(const std::string& stream) const {
  if (!stream_head(stream)) {
    return fail(Errc::kResourceNotFound, fmt::format("Stream {} does not exist", stream));
  }
  StreamState out;
  const Projection* projection = nullptr;
  JsonObject state;
  const Envelope no_envelope;
  EB_TRY(visit_stream(stream, 0, [&](Event&& e) {
    const Envelope& env = e.envelope ? *e.envelope : no_envelope;
    if (projection == nullptr) {
      projection = projections_.find(env.type);
      if (projection == nullptr) return false;
    }
    std::optional<JsonObject> data = e.envelope ? data_object(e.body) : std::nullopt;
    projection->apply(state, ProjectedEvent{env, data ? &*data : nullptr, e.stream_version});
    out.version = e.stream_version;
    return true;
  }));
  if (projection == nullptr) projection = projections_.find("");
  out.projection = projection != nullptr ? std::string(projection->name()) : std::string();
  out.state_json = state.to_json();
  return out;
}

Result<Trace> EventLog::trace(const std::string& correlation_id) const {
  Trace trace;
  if (correlation_id.empty()) return trace;
  EventFilter filter;
  filter.correlation_id = correlation_id;
  std::unordered_map<std::string, std::size_t> first_by_id;
  EB_TRY(visit(0, filter, [&](Event&& e) {
    if (trace.nodes.size() == kMaxTraceEvents) {
      trace.truncated = true;
      return false;
    }
    const std::size_t index = trace.nodes.size();
    // Only earlier events can be parents, so the result is always a forest.
    const std::string& cause = e.envelope ? e.envelope->causation_id : std::string();
    auto parent = cause.empty() ? first_by_id.end() : first_by_id.find(cause);
    if (parent == first_by_id.end()) {
      trace.roots.push_back(index);
    } else {
      trace.nodes[parent->second].children.push_back(index);
    }
    if (e.envelope) first_by_id.try_emplace(e.envelope->id, index);
    trace.nodes.push_back(Trace::Node{std::move(e), {}});
    return true;
  }));
  return trace;
}

std::uint64_t EventLog::subscribe(Listener listener) {
  std::lock_guard lock(listeners_mu_);
  const std::uint64_t id = next_listener_++;
  listeners_.emplace(id, std::make_shared<Listener>(std::move(listener)));
  return id;
}

void EventLog::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(listeners_mu_);
  listeners_.erase(id);
}

void EventLog::schedule_notify() {
  {
    std::lock_guard lock(listeners_mu_);
    if (listeners_.empty()) return;
  }
  // finish() may run under a caller's lock: listeners read storage, so they run later on
  // a timer thread. One pending notification covers every advance until it runs.
  if (notify_pending_.exchange(true)) return;
  timers_.schedule_at(clock_.now_ms(), [guard = guard_] {
    std::shared_lock lock(guard->mu);
    EventLog* self = guard->log;
    if (self == nullptr) return;
    self->notify_pending_.store(false);
    std::vector<std::shared_ptr<Listener>> listeners;
    {
      std::lock_guard l(self->listeners_mu_);
      for (const auto& [id, listener] : self->listeners_) listeners.push_back(listener);
    }
    for (const auto& listener : listeners) (*listener)();
  });
}

void EventLog::schedule_trim() {
  if (options_.max_age_ms <= 0 && options_.max_total_bytes == 0) return;
  const Millis interval = std::max<Millis>(options_.trim_interval_ms, 1);
  trim_timer_ = timers_.schedule_at(clock_.now_ms() + interval, [guard = guard_] {
    std::shared_lock lock(guard->mu);
    EventLog* self = guard->log;
    if (self == nullptr) return;
    // A failed pass (disk trouble) leaves the log as the last written batch left it, and the
    // next interval retries; said once per interval so a full disk is not silent.
    if (auto trimmed = self->trim(); !trimmed) {
      spdlog::warn("event log: retention pass failed: {}", trimmed.error().message);
    }
    self->schedule_trim();
  });
}

Result<std::size_t> EventLog::trim() {
  if (options_.max_age_ms <= 0 && options_.max_total_bytes == 0) return std::size_t{0};
  // Under a size cap alone there is nothing to do until the log outgrows it: skip the scan
  // (a pass runs every second, and every simulated second of a manual clock's advance).
  if (options_.max_age_ms <= 0 && total_bytes() <= options_.max_total_bytes) {
    return std::size_t{0};
  }
  return erase_committed(false);
}

Result<std::size_t> EventLog::reset() { return erase_committed(true); }

Result<std::size_t> EventLog::erase_committed(bool all) {
  std::lock_guard trim_lock(trim_mu_);
  const Millis cutoff = clock_.now_ms() - options_.max_age_ms;
  const std::uint64_t visible = visible_through();
  std::size_t erased = 0;
  for (;;) {
    std::vector<std::pair<std::string, std::string>> chunk;
    EB_TRY(engine_.scan(Family::kEvents, kFirstKey, storage::u64_key(visible + 1),
                        [&](std::string_view key, std::string_view value) {
                          chunk.emplace_back(key, value);
                          return chunk.size() < kTrimChunk;
                        }));
    std::uint64_t total = total_bytes();
    storage::Batch batch;
    std::uint64_t freed = 0;
    std::uint64_t last = 0;
    std::size_t count = 0;
    bool stop = false;
    for (const auto& [key, value] : chunk) {
      auto e = key.size() == 8 ? decode_record(storage::read_u64(key), value) : std::nullopt;
      const bool too_old = options_.max_age_ms > 0 && e && e->timestamp < cutoff;
      const bool too_big = options_.max_total_bytes > 0 && total - freed > options_.max_total_bytes;
      if (e && !all && !too_old && !too_big) {
        stop = true;
        break;
      }
      batch.erase(Family::kEvents, key);
      freed += std::min<std::uint64_t>(key.size() + value.size(), total - freed);
      ++count;
      if (!e) continue;  // undecodable: erased with no index entries to find
      last = e->seq;
      for (const auto& [index_key, index_value] : index_entries(*e)) {
        if (index_key.front() == kEventIdIndex) {
          // A later event may reuse the id (sent twice through a queue): keep its entry.
          EB_ASSIGN_OR_RETURN(const auto current, engine_.get(Family::kIndexes, index_key));
          if (!current || *current != index_value) continue;
        }
        batch.erase(Family::kIndexes, index_key);
      }
      if (!e->stream.empty() && stream_head(e->stream) == e->stream_version) {
        // The stream's last event goes: remember its version so a restart continues it.
        batch.put(Family::kMeta, head_key(e->stream),
                  storage::u64_key(static_cast<std::uint64_t>(e->stream_version)));
      }
    }
    if (count == 0) break;
    if (last != 0) {
      batch.put(Family::kMeta, std::string(kTrimmedThroughKey), storage::u64_key(last));
    }
    EB_TRY(engine_.write(batch));
    {
      std::lock_guard lock(mu_);
      total_bytes_ -= std::min(total_bytes_, freed);
    }
    erased += count;
    if (stop || chunk.size() < kTrimChunk) break;
  }
  return erased;
}

}  // namespace eb::eventlog
