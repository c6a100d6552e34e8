#pragma once
// Streaming JSON writer: AWS JSON 1.0/1.1 responses, the native /v1 API and the few JSON
// documents the domain itself produces (queue policies). It appends to a caller-owned string so
// a document is built in one buffer with no intermediate DOM. One writer per document, used by
// one thread. It places commas and colons itself but does not check nesting: callers are our own
// encoders, and their tests check the shape.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json_escape.hpp"

namespace eb {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // An object member name; the next call writes its value.
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& number(std::int64_t value);
  JsonWriter& unsigned_number(std::uint64_t value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  // A value that is JSON already (a stored document, a projection state), written as is.
  JsonWriter& raw(std::string_view json);

  // Shorthands for the common "name": value members.
  JsonWriter& member(std::string_view name, std::string_view value) {
    return key(name).string(value);
  }
  JsonWriter& member(std::string_view name, const char* value) { return key(name).string(value); }
  JsonWriter& member(std::string_view name, std::int64_t value) { return key(name).number(value); }
  // Would silently write 0/1 through the integer overload; use key(name).boolean(v).
  JsonWriter& member(std::string_view name, bool value) = delete;

 private:
  void before_value();
  template <class Int>
  JsonWriter& integer(Int value);

  std::string& out_;
  // True once a complete value sits at the current level, so the next value or key needs a
  // comma. Enough state because keys and values alternate and nesting resets it.
  bool need_comma_ = false;
};

}  // namespace eb
