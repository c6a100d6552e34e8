#pragma once
// The members of one AWS JSON 1.1 request body, read with the types the EventBridge model gives
// them. A member of the wrong JSON type is a SerializationException (Errc::kMalformedRequest),
// a missing required one AWS's "Member must not be null" ValidationException.
#include <simdjson.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"

namespace eb::api::events {

class JsonRequest {
 public:
  // `body` must outlive the request; an empty body reads as {}.
  static Result<JsonRequest> parse(std::string_view body);

  Result<std::optional<std::string>> string(std::string_view name) const;
  // `member` is the model's member name as AWS quotes it in a validation error ("name").
  Result<std::string> required_string(std::string_view name, std::string_view member) const;
  Result<std::optional<int>> integer(std::string_view name) const;
  Result<std::optional<bool>> boolean(std::string_view name) const;
  // A timestamp: epoch seconds (what the SDKs send in JSON 1.1) or an ISO-8601 string.
  Result<std::optional<Millis>> timestamp(std::string_view name) const;
  Result<std::vector<std::string>> strings(std::string_view name) const;
  // [{"Key": k, "Value": v}, ...]
  Result<std::map<std::string, std::string>> tags(std::string_view name) const;
  // An array of objects, each readable as a request of its own.
  Result<std::vector<JsonRequest>> objects(std::string_view name) const;
  Result<std::optional<JsonRequest>> object(std::string_view name) const;
  // This object as minified JSON.
  std::string json() const;
  bool has(std::string_view name) const;

 private:
  JsonRequest(std::shared_ptr<simdjson::dom::parser> parser, simdjson::dom::object object)
      : parser_(std::move(parser)), object_(object) {}
  std::optional<simdjson::dom::element> member(std::string_view name) const;

  std::shared_ptr<simdjson::dom::parser> parser_;  // owns the document; shared by nested reads
  simdjson::dom::object object_;
};

Error serialization_error(std::string_view member);
Error missing_member(std::string_view member);

}  // namespace eb::api::events
