#include "core/log_format.hpp"

#include <fmt/format.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>

#include <array>
#include <cmath>
#include <ctime>

#include "core/json_escape.hpp"
#include "core/json_writer.hpp"

namespace eb::log {
namespace {

Level from_spdlog(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return Level::kTrace;
    case spdlog::level::debug:
      return Level::kDebug;
    case spdlog::level::info:
      return Level::kInfo;
    case spdlog::level::warn:
      return Level::kWarn;
    case spdlog::level::err:
      return Level::kError;
    default:
      return Level::kCritical;
  }
}

bool needs_quotes(std::string_view text) {
  if (text.empty()) return true;
  for (const char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '"' || c == '=') return true;
  }
  return false;
}

void append_number(std::string& out, double number) {
  // JSON has no NaN or infinity.
  if (std::isfinite(number)) {
    fmt::format_to(std::back_inserter(out), "{}", number);
  } else {
    out.append("null");
  }
}

// "%v" of the text pattern followed by the fields, as the custom flag "%*".
class TextFieldsFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& /*msg*/, const std::tm& /*time*/,
              spdlog::memory_buf_t& dest) override {
    std::string text;
    append_text_fields(text, current_fields());
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TextFieldsFlag>();
  }
};

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line;
    append_json_line(line, msg.time, from_spdlog(msg.level),
                     std::string_view(msg.payload.data(), msg.payload.size()), current_fields());
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_formatter(Format format) {
  if (format == Format::kJson) return std::make_unique<JsonFormatter>();
  auto text = std::make_unique<spdlog::pattern_formatter>();
  text->add_flag<TextFieldsFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v%*");
  return text;
}

void append_utc_timestamp(std::string& out, std::chrono::system_clock::time_point time) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds);
  const std::time_t t = seconds.count();
  std::tm utc{};
  gmtime_r(&t, &utc);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                 utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                 utc.tm_sec, millis.count());
}

void append_json_line(std::string& out, std::chrono::system_clock::time_point time, Level level,
                      std::string_view text, std::span<const Field> fields) {
  std::string ts;
  append_utc_timestamp(ts, time);
  JsonWriter w(out);
  w.begin_object().member("ts", ts).member("level", level_name(level)).member("msg", text);
  for (const auto& field : fields) {
    w.key(field.key);
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::string_view>) {
            w.string(value);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            w.number(value);
          } else if constexpr (std::is_same_v<T, std::uint64_t>) {
            w.unsigned_number(value);
          } else {
            std::string number;
            append_number(number, value);
            w.raw(number);
          }
        },
        field.value.get());
  }
  w.end_object();
  out.push_back('\n');
}

void append_text_fields(std::string& out, std::span<const Field> fields) {
  for (const auto& field : fields) {
    out.push_back(' ');
    out.append(field.key);
    out.push_back('=');
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::string_view>) {
            if (!needs_quotes(value)) {
              out.append(value);
              return;
            }
            out.push_back('"');
            append_json_escaped(out, value);
            out.push_back('"');
          } else if constexpr (std::is_same_v<T, double>) {
            append_number(out, value);
          } else {
            fmt::format_to(std::back_inserter(out), "{}", value);
          }
        },
        field.value.get());
  }
}

}  // namespace eb::log
