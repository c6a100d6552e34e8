#include "core/log.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <array>
#include <vector>

namespace eb::log {
namespace {

// The fields of the line being formatted on this thread; set only inside write().
thread_local std::span<const Field> t_fields;

spdlog::level::level_enum to_spdlog(Level level) {
  static constexpr std::array kLevels = {spdlog::level::trace, spdlog::level::debug,
                                         spdlog::level::info,  spdlog::level::warn,
                                         spdlog::level::err,   spdlog::level::critical};
  return kLevels[static_cast<std::size_t>(level)];
}

std::string body_correlation_id(std::string_view body, bool nested) {
  // Most bodies are not envelopes: only a JSON object that mentions the key is parsed.
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || body[first] != '{' ||
      body.find("correlationId") == std::string_view::npos) {
    return {};
  }
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(body.data(), body.size()).get(object) != simdjson::SUCCESS) return {};
  std::string_view value;
  if (object["correlationId"].get(value) == simdjson::SUCCESS ||
      object["detail"]["correlationId"].get(value) == simdjson::SUCCESS) {
    return std::string(value);
  }
  if (!nested && object["Message"].get(value) == simdjson::SUCCESS) {
    return body_correlation_id(value, true);
  }
  return {};
}

}  // namespace

std::string_view level_name(Level level) {
  static constexpr std::array<std::string_view, 6> kNames = {"trace", "debug", "info",
                                                             "warn",  "error", "critical"};
  return kNames[static_cast<std::size_t>(level)];
}

std::string correlation_id(std::string_view body, const MessageAttributes* attributes) {
  if (attributes != nullptr) {
    if (auto it = attributes->find("correlationId");
        it != attributes->end() && it->second.data_type.starts_with("String")) {
      return it->second.string_value;
    }
  }
  return body_correlation_id(body, false);
}

bool enabled(Level level) { return spdlog::default_logger_raw()->should_log(to_spdlog(level)); }

void write(Level level, std::string_view text, std::span<const Field> fields,
           const MessageRef* message) {
  std::vector<Field> all;
  std::string correlation;
  if (message != nullptr) {
    all.assign(fields.begin(), fields.end());
    if (!message->message_id.empty()) all.push_back({"messageId", message->message_id});
    correlation = message->correlation_id.empty()
                      ? correlation_id(message->body, message->attributes)
                      : std::string(message->correlation_id);
    if (!correlation.empty()) all.push_back({"correlationId", correlation});
    fields = all;
  }
  t_fields = fields;
  spdlog::default_logger_raw()->log(to_spdlog(level), "{}", text);
  t_fields = {};
}

std::span<const Field> current_fields() { return t_fields; }

}  // namespace eb::log
