#pragma once
// Structured logging over the process's default spdlog logger: a line is a constant message and
// fields (key and string or number), written as ` key=value` in the text format and as members
// in the JSON format (log_format.hpp). Plain spdlog calls keep working; their lines just have no
// fields.
//
//   log::info("message moved to dead-letter queue", {{"queue", name}, {"receiveCount", n}},
//             log::MessageRef{id, body, &attributes});
//
// A disabled level costs one level check: the fields are views, built without allocating, and a
// MessageRef's correlation id is looked up only for a line that is written. Compute anything
// costlier under `if (log::enabled(...))`. Thread-safe: the fields of a line travel to the
// formatter in a thread-local, so the logger must format on the calling thread (no async
// logger).
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/attributes.hpp"

namespace eb::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kCritical };

// "trace", "debug", "info", "warn", "error", "critical".
std::string_view level_name(Level level);

// A field's value: a string (viewed, not copied) or a number.
class Value {
 public:
  using Variant = std::variant<std::string_view, std::int64_t, std::uint64_t, double>;

  Value(std::string_view text) : value_(text) {}                      // NOLINT(*-explicit-*)
  Value(const std::string& text) : value_(std::string_view(text)) {}  // NOLINT(*-explicit-*)
  Value(const char* text) : value_(std::string_view(text)) {}         // NOLINT(*-explicit-*)
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>)
      Value(T number) {  // NOLINT(*-explicit-*)
    if constexpr (std::is_signed_v<T>) {
      value_.emplace<std::int64_t>(number);
    } else {
      value_.emplace<std::uint64_t>(number);
    }
  }
  Value(double number) : value_(number) {}  // NOLINT(*-explicit-*)

  const Variant& get() const { return value_; }

 private:
  Variant value_;
};

struct Field {
  std::string_view key;
  Value value;
};

using Fields = std::initializer_list<Field>;

// The message a line is about: it adds `messageId` (when known), and `correlationId` when the
// message has one (correlation_id below).
struct MessageRef {
  std::string_view message_id;
  std::string_view body;
  const MessageAttributes* attributes = nullptr;
  std::string_view correlation_id;  // when the caller knows it already: nothing is parsed
};

// A message's correlation id: its String attribute `correlationId`, else the string member
// `correlationId` of a body that is a JSON object (the design's event envelope), of its `detail`
// (an EventBridge event) or of the envelope in its `Message` (an SNS notification); empty when
// none. Parses the body: call it only for lines that are written.
std::string correlation_id(std::string_view body, const MessageAttributes* attributes);

// Whether the default logger writes lines of `level`.
bool enabled(Level level);

// Writes one line (no level check). `message` may be null.
void write(Level level, std::string_view text, std::span<const Field> fields,
           const MessageRef* message = nullptr);

// The fields of the line being written on this thread (empty outside write): what the
// formatters of log_format.hpp append.
std::span<const Field> current_fields();

// log::info(...) and its siblings: a level check, then write.
template <Level L>
struct At {
  void operator()(std::string_view text, Fields fields = {}) const {
    if (enabled(L)) write(L, text, std::span(fields.begin(), fields.size()));
  }
  void operator()(std::string_view text, Fields fields, const MessageRef& message) const {
    if (enabled(L)) write(L, text, std::span(fields.begin(), fields.size()), &message);
  }
};

inline constexpr At<Level::kTrace> trace{};
inline constexpr At<Level::kDebug> debug{};
inline constexpr At<Level::kInfo> info{};
inline constexpr At<Level::kWarn> warn{};
inline constexpr At<Level::kError> error{};
inline constexpr At<Level::kCritical> critical{};

}  // namespace eb::log
