#include "eventlog/event_log.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <unordered_set>

#include "core/encoding.hpp"
#include "eventbroker/v1/events.pb.h"
#include "storage/keys.hpp"

namespace eb::eventlog {
namespace {

using storage::Family;
namespace pb = eventbroker::v1;

constexpr std::uint32_t kRecordFormat = 1;
constexpr std::size_t kChunk = 256;  // records fetched per storage round trip
constexpr std::size_t kTrimChunk = 512;

constexpr char kSourceIndex = 'o';
constexpr char kTypeIndex = 't';
constexpr char kCorrelationIndex = 'c';
constexpr char kStreamIndex = 'S';
constexpr char kEventIdIndex = 'I';

// The smallest key. A literal, not std::string_view{}: RocksDB asserts on a null Slice.
constexpr std::string_view kFirstKey = "";

constexpr std::string_view kTrimmedThroughKey = "eventlog/trimmed_through";
constexpr std::string_view kHeadKeyPrefix = "eventlog/head/";

// Keys hold values then a \0 separator: escaping 0x00 and 0x01 keeps \0 out of the value, so
// one value's prefix never covers another's keys.
void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\0') {
      out += "\x01\x01";
    } else if (c == '\x01') {
      out += "\x01\x02";
    } else {
      out += c;
    }
  }
}

std::string unescape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\x01' && i + 1 < value.size()) {
      out += value[++i] == '\x01' ? '\0' : '\x01';
    } else {
      out += value[i];
    }
  }
  return out;
}

std::string index_prefix(char kind, std::string_view value) {
  std::string k(1, kind);
  append_escaped(k, value);
  k += '\0';
  return k;
}

// The first key after every key starting with `prefix` (which ends in \0).
std::string prefix_end(std::string prefix) {
  prefix.back() = '\x01';
  return prefix;
}

std::string with_u64(std::string prefix, std::uint64_t v) {
  storage::append_u64(prefix, v);
  return prefix;
}

std::string event_id_key(std::string_view stream, std::string_view id) {
  std::string k = index_prefix(kEventIdIndex, stream);
  append_escaped(k, id);
  return k;
}

std::string head_key(std::string_view stream) {
  std::string k(kHeadKeyPrefix);
  append_escaped(k, stream);
  return k;
}

std::string encode_record(const Event& e) {
  pb::EventRecord r;
  r.set_format_version(kRecordFormat);
  r.set_timestamp_ms(e.timestamp);
  r.set_source_arn(e.source_arn);
  r.set_message_id(e.message_id);
  r.set_body(e.body);
  for (const auto& [name, value] : e.attributes) {
    pb::MessageAttributeValue& v = (*r.mutable_attributes())[name];
    v.set_data_type(value.data_type);
    v.set_string_value(value.string_value);
    v.set_binary_value(value.binary_value);
  }
  r.set_message_group_id(e.group_id);
  r.set_deduplication_id(e.deduplication_id);
  r.set_subject(e.subject);
  if (!e.stream.empty()) {
    r.set_stream_id(e.stream);
    r.set_stream_version(e.stream_version);
  }
  if (e.envelope) {
    pb::EnvelopeFields& f = *r.mutable_envelope();
    f.set_id(e.envelope->id);
    f.set_type(e.envelope->type);
    f.set_timestamp(e.envelope->timestamp);
    f.set_version(e.envelope->version);
    f.set_source(e.envelope->source);
    f.set_correlation_id(e.envelope->correlation_id);
    f.set_causation_id(e.envelope->causation_id);
  }
  return r.SerializeAsString();
}

std::optional<Event> decode_record(std::uint64_t seq, std::string_view bytes) {
  pb::EventRecord r;
  if (!r.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return std::nullopt;
  Event e;
  e.seq = seq;
  e.timestamp = r.timestamp_ms();
  // Strings move out of the parsed record: a page of reads copies each body once.
  e.source_arn = std::move(*r.mutable_source_arn());
  e.message_id = std::move(*r.mutable_message_id());
  e.body = std::move(*r.mutable_body());
  for (auto& [name, value] : *r.mutable_attributes()) {
    e.attributes[name] = MessageAttributeValue{std::move(*value.mutable_data_type()),
                                               std::move(*value.mutable_string_value()),
                                               std::move(*value.mutable_binary_value())};
  }
  e.group_id = std::move(*r.mutable_message_group_id());
  e.deduplication_id = std::move(*r.mutable_deduplication_id());
  e.subject = std::move(*r.mutable_subject());
  if (!r.stream_id().empty()) {
    e.stream = std::move(*r.mutable_stream_id());
    e.stream_version = r.stream_version();
  }
  if (r.has_envelope()) {
    pb::EnvelopeFields& f = *r.mutable_envelope();
    Envelope env;
    env.id = std::move(*f.mutable_id());
    env.type = std::move(*f.mutable_type());
    env.timestamp = std::move(*f.mutable_timestamp());
    env.version = std::move(*f.mutable_version());
    env.source = std::move(*f.mutable_source());
    env.correlation_id = std::move(*f.mutable_correlation_id());
    env.causation_id = std::move(*f.mutable_causation_id());
    env.has_data = true;
    e.envelope = std::move(env);
  }
  return e;
}

// The index entries of one event (the 'I' entry included), as (key, value).
std::vector<std::pair<std::string, std::string>> index_entries(const Event& e) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back(with_u64(index_prefix(kSourceIndex, e.source_arn), e.seq), std::string());
  if (e.envelope) {
    const Envelope& env = *e.envelope;
    if (!env.source.empty() && env.source != e.source_arn) {
      out.emplace_back(with_u64(index_prefix(kSourceIndex, env.source), e.seq), std::string());
    }
    out.emplace_back(with_u64(index_prefix(kTypeIndex, env.type), e.seq), std::string());
    if (!env.correlation_id.empty()) {
      out.emplace_back(with_u64(index_prefix(kCorrelationIndex, env.correlation_id), e.seq),
                       std::string());
    }
  }
  if (!e.stream.empty()) {
    const auto version = static_cast<std::uint64_t>(e.stream_version);
    out.emplace_back(with_u64(index_prefix(kStreamIndex, e.stream), version),
                     storage::u64_key(e.seq));
    if (e.envelope) {
      out.emplace_back(event_id_key(e.stream, e.envelope->id),
                       storage::u64_pair_key(e.seq, version));
    }
  }
  return out;
}

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

std::uint64_t EventLog::add_to_batch(const std::vector<Event>& events, storage::Batch& batch) {
  std::uint64_t bytes = 0;
  std::vector<std::pair<std::string, std::string>> indexes;
  for (const Event& e : events) {
    std::string key = storage::u64_key(e.seq);
    std::string value = encode_record(e);
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
    e.source_arn = std::string(m.source_arn);
    e.message_id = std::string(m.message_id);
    e.body = std::string(m.body);
    if (m.attributes != nullptr) e.attributes = *m.attributes;
    e.group_id = std::string(m.group_id);
    e.deduplication_id = std::string(m.deduplication_id);
    e.subject = std::string(m.subject);
    e.envelope = parse_envelope(m.body);
    e.stream = stream_of(m.attributes, e.envelope);
    events.push_back(std::move(e));
  }
  reserve(events, staged, nullptr);
  staged.token = add_to_batch(events, batch);
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
    auto env = validate_new_event(events[i], fmt::format("events[{}]", i));
    if (!env) return std::unexpected(env.error());
    if (env->id.size() > kMaxIdLength) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("events[{}].id is longer than {} bytes", i, kMaxIdLength));
    }
    if (!ids.insert(env->id).second) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("events[{}].id {} appears twice in this request", i, env->id));
    }
    Event e;
    e.timestamp = now;
    e.source_arn = std::string(kStreamSourcePrefix) + stream;
    e.message_id = random_uuid();
    e.body = minify_json(events[i]);
    e.stream = stream;
    e.envelope = std::move(*env);
    batch_events.push_back(std::move(e));
  }

  std::lock_guard stream_lock(append_lock(stream));
  AppendResult result;

  // A retry of an append that succeeded gets the same answer instead of a conflict.
  std::vector<std::string> id_keys;
  id_keys.reserve(batch_events.size());
  for (const Event& e : batch_events) id_keys.push_back(event_id_key(stream, e.envelope->id));
  auto existing = engine_.multi_get(Family::kIndexes, id_keys);
  if (!existing) return std::unexpected(existing.error());
  std::size_t found = 0;
  for (std::size_t i = 0; i < existing->size(); ++i) {
    if ((*existing)[i] && (*existing)[i]->size() == 16) {
      ++found;
      result.duplicate_ids.push_back(batch_events[i].envelope->id);
    }
  }
  if (found > 0) {
    result.current_version = stream_head(stream).value_or(-1);
    if (found < existing->size()) {
      result.outcome = AppendResult::Outcome::kDuplicateEvent;
      return result;
    }
    result.outcome = AppendResult::Outcome::kAlreadyAppended;
    result.duplicate_ids.clear();
    for (const auto& value : *existing) {
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
  if (!written) return std::unexpected(written.error());
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
  auto values = engine_.multi_get(Family::kEvents, keys);
  if (!values) return std::unexpected(values.error());
  std::vector<Event> out;
  out.reserve(seqs.size());
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    // Missing: erased by retention since the index entry was read.
    if (!(*values)[i]) continue;
    if (auto e = decode_record(seqs[i], *(*values)[i])) out.push_back(std::move(*e));
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
      auto scanned =
          engine_.scan(Family::kEvents, storage::u64_key(cursor), storage::u64_key(visible + 1),
                       [&](std::string_view key, std::string_view value) {
                         if (key.size() != 8) return true;
                         if (auto e = decode_record(storage::read_u64(key), value)) {
                           chunk.push_back(std::move(*e));
                         }
                         return chunk.size() < kChunk;
                       });
      if (!scanned) return scanned;
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
    auto scanned =
        engine_.scan(Family::kIndexes, with_u64(prefix, cursor), with_u64(prefix, visible + 1),
                     [&](std::string_view key, std::string_view) {
                       if (key.size() != prefix.size() + 8) return true;
                       seqs.push_back(storage::read_u64(key, prefix.size()));
                       return seqs.size() < kChunk;
                     });
    if (!scanned) return scanned;
    if (seqs.empty()) break;
    cursor = seqs.back() + 1;
    auto events = fetch(seqs);
    if (!events) return std::unexpected(events.error());
    for (Event& e : *events) {
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
    auto scanned = engine_.scan(Family::kIndexes, with_u64(prefix, version), end,
                                [&](std::string_view key, std::string_view value) {
                                  if (key.size() != prefix.size() + 8 || value.size() != 8)
                                    return true;
                                  const std::uint64_t seq = storage::read_u64(value);
                                  // Versions grow with seqs: the rest is not visible either.
                                  if (seq > visible) {
                                    reached_invisible = true;
                                    return false;
                                  }
                                  version = storage::read_u64(key, prefix.size()) + 1;
                                  seqs.push_back(seq);
                                  return seqs.size() < kChunk;
                                });
    if (!scanned) return scanned;
    if (seqs.empty()) break;
    auto events = fetch(seqs);
    if (!events) return std::unexpected(events.error());
    for (Event& e : *events) {
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
  bool more = false;
  auto status = visit(after, filter, [&](Event&& e) {
    if (e.seq > visible) return false;  // the watermark moved during the scan: stop at ours
    if (page.events.size() == limit) {
      more = true;
      return false;
    }
    page.events.push_back(std::move(e));
    return true;
  });
  if (!status) return std::unexpected(status.error());
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
  auto status = visit_stream(stream, from, [&](Event&& e) {
    if (page.events.size() == limit) {
      page.next = e.stream_version;
      return false;
    }
    page.events.push_back(std::move(e));
    return true;
  });
  if (!status) return std::unexpected(status.error());
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
  auto status = visit_stream(stream, 0, [&](Event&& e) {
    const Envelope& env = e.envelope ? *e.envelope : no_envelope;
    if (projection == nullptr) {
      projection = projections_.find(env.type);
      if (projection == nullptr) return false;
    }
    std::optional<JsonObject> data = e.envelope ? data_object(e.body) : std::nullopt;
    projection->apply(state, ProjectedEvent{env, data ? &*data : nullptr, e.stream_version});
    out.version = e.stream_version;
    return true;
  });
  if (!status) return std::unexpected(status.error());
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
  auto status = visit(0, filter, [&](Event&& e) {
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
  });
  if (!status) return std::unexpected(status.error());
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
  // finish() may run under a broker queue lock: listeners read storage, so they run later on
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
    // A failed pass (disk trouble) is simply retried at the next interval.
    (void)self->trim();
    self->schedule_trim();
  });
}

Result<std::size_t> EventLog::trim() {
  if (options_.max_age_ms <= 0 && options_.max_total_bytes == 0) return std::size_t{0};
  std::lock_guard trim_lock(trim_mu_);
  const Millis cutoff = clock_.now_ms() - options_.max_age_ms;
  const std::uint64_t visible = visible_through();
  std::size_t erased = 0;
  for (;;) {
    std::vector<std::pair<std::string, std::string>> chunk;
    auto scanned = engine_.scan(Family::kEvents, kFirstKey, storage::u64_key(visible + 1),
                                [&](std::string_view key, std::string_view value) {
                                  chunk.emplace_back(key, value);
                                  return chunk.size() < kTrimChunk;
                                });
    if (!scanned) return std::unexpected(scanned.error());
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
      if (e && !too_old && !too_big) {
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
          auto current = engine_.get(Family::kIndexes, index_key);
          if (!current) return std::unexpected(current.error());
          if (!*current || **current != index_value) continue;
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
    if (auto written = engine_.write(batch); !written) return std::unexpected(written.error());
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
