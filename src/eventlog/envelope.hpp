#pragma once
// Recognising JSON event envelopes in message bodies. A body is an envelope when it is a JSON
// object whose "id" and "type" are non-empty strings; its other well-known fields are copied
// out for indexing. Anything else (plain text, other JSON) is an ordinary message: the log
// keeps it all the same, just unindexed by type and correlation. Stateless; thread-safe.
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.hpp"

namespace eb::eventlog {

struct Envelope {
  std::string id;
  std::string type;
  std::string timestamp;
  std::string version;  // a string as written, or a number's text
  std::string source;
  std::string correlation_id;
  std::string causation_id;
  // The stream (aggregate) the event belongs to: the top-level "aggregateId", else
  // "data.aggregateId"; a string, or a number's text. Empty when neither is present.
  std::string aggregate_id;
  bool has_data = false;
};

std::optional<Envelope> parse_envelope(std::string_view body);

// Checks one event of a stream append ("events[i]" in `where`): an object with non-empty
// string "id" and "type" and a "data" member. Errors are kInvalidParameterValue naming the
// field, e.g. "events[1].type is required (a non-empty string)".
Result<Envelope> validate_new_event(std::string_view json, std::string_view where);

// `json` without insignificant whitespace (strings untouched), so a stored body can be
// spliced into a one-line response or a Server-Sent Events data line. `json` must be valid.
std::string minify_json(std::string_view json);

}  // namespace eb::eventlog
