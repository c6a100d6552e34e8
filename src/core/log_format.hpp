#pragma once
// The daemon's two log line formats, as spdlog formatters:
// - text: "2026-12-04T13:00:00.123 info message key=value ..." (local time, the level colored
//   on a terminal), a string value quoted and escaped as JSON when it is empty or holds a space,
//   '"', '=' or a control character;
// - json: one object per line, {"ts":"2026-12-04T12:00:00.123Z","level":"info","msg":"...",
//   fields...}, the time RFC 3339 UTC with milliseconds, level names lowercase.
// Fields come from log::current_fields() (log.hpp). Stateless; a formatter is cloned per sink.
#include <spdlog/formatter.h>

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/log.hpp"

namespace eb::log {

enum class Format { kText, kJson };

std::unique_ptr<spdlog::formatter> make_formatter(Format format);

// The pieces the formatters are made of, without spdlog.
// "2026-12-04T12:00:00.123Z".
void append_utc_timestamp(std::string& out, std::chrono::system_clock::time_point time);
// One JSON line, '\n' included.
void append_json_line(std::string& out, std::chrono::system_clock::time_point time, Level level,
                      std::string_view text, std::span<const Field> fields);
// " key=value" per field.
void append_text_fields(std::string& out, std::span<const Field> fields);

}  // namespace eb::log
