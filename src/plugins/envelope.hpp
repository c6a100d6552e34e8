#pragma once
// The design's event envelope (seed ADR 007, BaseEvent): what the built-in plugins publish and
// consume. On the wire it is the JSON text of
//   {id, type, timestamp, version, source, correlationId, causationId, metadata, data}
// published to a topic with the message attributes eventType and correlationId, exactly as the
// design's EventBus.publish does. Pure functions; any thread.
// eventlog::Envelope (eventlog/envelope.hpp) reads the same fields for indexing every logged
// message and never copies `data`; this one is for workers, which need `data` and `metadata`
// and build envelopes too. One decoder with an option to keep the payload is the next step
// once the workers show what they read.
#include <string>
#include <string_view>

#include "core/attributes.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"

namespace eb::plugins {

struct Envelope {
  std::string id;
  std::string type;
  std::string timestamp;  // ISO 8601 UTC with milliseconds, as JavaScript's toISOString()
  std::string version = "1.0";
  std::string source;
  std::string correlation_id;
  std::string causation_id;     // empty: none (the member is left out)
  std::string metadata = "{}";  // a JSON object, verbatim
  std::string data = "{}";      // a JSON value, verbatim
};

// The JSON text of `e`. `metadata` and `data` must be valid JSON (they are copied as they are).
std::string encode(const Envelope& e);

// The envelope in a message body: the event's JSON, or an SNS notification (a subscription
// without raw delivery) whose Message is that JSON. `id` and `type` are required; `metadata`
// and `data` keep their JSON text ("{}" when absent). Fails with kInvalidParameterValue.
[[nodiscard]] Result<Envelope> decode(std::string_view body);

// The message attributes EventBus.publish sets: eventType and correlationId (when present).
MessageAttributes event_attributes(const Envelope& e);

}  // namespace eb::plugins
