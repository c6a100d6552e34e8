#include "eventlog/event_records.hpp"

#include <cstddef>

#include "eventbroker/codec.hpp"
#include "eventbroker/v1/events.pb.h"
#include "storage/keys.hpp"

namespace eb::eventlog::records {
namespace {

namespace pb = eventbroker::v1;

constexpr std::uint32_t kRecordFormat = 1;

}  // namespace

void append_escaped(std::string& out, std::string_view value) {
  // The runs between bytes to escape (in practice the whole value) are appended whole.
  std::size_t run = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c != '\0' && c != '\x01') continue;
    out.append(value.substr(run, i - run)).append(c == '\0' ? "\x01\x01" : "\x01\x02");
    run = i + 1;
  }
  out.append(value.substr(run));
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
  std::string k;
  // The kind, the value, \0 and the number most keys end in, in one allocation.
  k.reserve(value.size() + 2 + sizeof(std::uint64_t));
  k += kind;
  append_escaped(k, value);
  k += '\0';
  return k;
}

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

std::string encode_record(const Event& e) { return encode_record(e, e.body); }

std::string encode_record(const Event& e, std::string_view body) {
  // Every SendMessage and publish encodes one of these: only non-empty strings are set (proto3
  // writes no empty string, but setting one allocates). Not on a protobuf arena: one starting
  // in this frame crashed destroying the record's attribute map in the TSan build (g++ -Og,
  // Debian's protobuf 3.21; the cause was not found), though the other builds ran it clean.
  pb::EventRecord r;
  r.set_format_version(kRecordFormat);
  r.set_timestamp_ms(e.timestamp);
  if (!e.source_arn.empty()) r.set_source_arn(e.source_arn);
  if (!e.message_id.empty()) r.set_message_id(e.message_id);
  if (!body.empty()) r.set_body(body.data(), body.size());
  proto::put_attributes(e.attributes, *r.mutable_attributes());
  if (!e.group_id.empty()) r.set_message_group_id(e.group_id);
  if (!e.deduplication_id.empty()) r.set_deduplication_id(e.deduplication_id);
  if (!e.subject.empty()) r.set_subject(e.subject);
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
  Event e;
  if (!decode_record_into(seq, bytes, e)) return std::nullopt;
  return e;
}

bool decode_record_into(std::uint64_t seq, std::string_view bytes, Event& e) {
  auto parsed = proto::parse<pb::EventRecord>(bytes);
  if (!parsed) return false;
  pb::EventRecord& r = *parsed;
  e.seq = seq;
  e.timestamp = r.timestamp_ms();
  e.source_arn = std::move(*r.mutable_source_arn());
  e.message_id = std::move(*r.mutable_message_id());
  e.body = std::move(*r.mutable_body());
  e.attributes = proto::take_attributes(*r.mutable_attributes());
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
  return true;
}

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

}  // namespace eb::eventlog::records
