#include "events/time_zone.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

// TZif layout (RFC 8536, section 3): a 44-byte header ("TZif", version, 15 reserved bytes, six
// big-endian counts), then transition times, their local-time-type indices, the local time types
// (6 bytes each: utoff, isdst, abbreviation index), abbreviations, leap seconds and indicators.
// Version 2+ files repeat everything with 64-bit times after the first block; that block is the
// one read when present.

namespace eb::events {
namespace {

constexpr std::size_t kHeaderSize = 44;
constexpr std::size_t kMaxZoneFileBytes = 1 << 20;

std::int64_t read_be(std::string_view bytes, std::size_t at, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  }
  if (width == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(value));
  return static_cast<std::int64_t>(value);
}

struct Counts {
  std::size_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;

  std::size_t data_size(std::size_t time_width) const {
    return timecnt * time_width + timecnt + typecnt * 6 + charcnt + leapcnt * (time_width + 4) +
           isstdcnt + isutcnt;
  }
};

std::optional<Counts> read_header(std::string_view bytes, std::size_t at) {
  if (bytes.size() < at + kHeaderSize || bytes.substr(at, 4) != "TZif") return std::nullopt;
  auto count = [&](std::size_t i) {
    return static_cast<std::size_t>(static_cast<std::uint32_t>(read_be(bytes, at + 20 + 4 * i, 4)));
  };
  return Counts{count(0), count(1), count(2), count(3), count(4), count(5)};
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 50 || name.front() == '/') return false;
  if (name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '-' || c == '+';
  });
}

}  // namespace

std::optional<TimeZone> TimeZone::parse(std::string_view bytes) {
  auto first = read_header(bytes, 0);
  if (!first) return std::nullopt;
  std::size_t at = kHeaderSize;
  std::size_t width = 4;
  Counts counts = *first;
  if (bytes[4] >= '2') {
    // Skip the 32-bit block to the 64-bit one.
    const std::size_t second = kHeaderSize + first->data_size(4);
    auto counts64 = read_header(bytes, second);
    if (!counts64) return std::nullopt;
    counts = *counts64;
    at = second + kHeaderSize;
    width = 8;
  }
  if (counts.typecnt == 0 || bytes.size() < at + counts.data_size(width)) return std::nullopt;
  const std::size_t indices_at = at + counts.timecnt * width;
  const std::size_t types_at = indices_at + counts.timecnt;
  auto type_offset = [&](std::size_t type) {
    return static_cast<std::int32_t>(read_be(bytes, types_at + type * 6, 4));
  };
  TimeZone zone;
  // RFC 8536 3.2: local time before the first transition is type 0.
  zone.initial_offset_ = type_offset(0);
  for (std::size_t i = 0; i < counts.timecnt; ++i) {
    const auto type = static_cast<unsigned char>(bytes[indices_at + i]);
    if (type >= counts.typecnt) return std::nullopt;
    zone.transitions_.push_back(read_be(bytes, at + i * width, width));
    zone.offsets_.push_back(type_offset(type));
  }
  if (!std::is_sorted(zone.transitions_.begin(), zone.transitions_.end())) return std::nullopt;
  return zone;
}

Result<TimeZone> TimeZone::load(std::string_view name, const std::string& root) {
  auto invalid = [&] {
    return fail(Errc::kValidationError, fmt::format("Invalid time zone {}.", name));
  };
  if (name == "UTC" || name == "Etc/UTC") {
    TimeZone utc;
    utc.name_ = std::string(name);
    return utc;
  }
  if (!valid_name(name)) return invalid();
  std::ifstream in(root + "/" + std::string(name), std::ios::binary);
  if (!in) return invalid();
  std::string bytes(kMaxZoneFileBytes, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  auto zone = parse(bytes);
  if (!zone) return invalid();
  zone->name_ = std::string(name);
  return *zone;
}

std::chrono::seconds TimeZone::offset_at(std::chrono::sys_seconds utc) const {
  const std::int64_t t = utc.time_since_epoch().count();
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  if (it == transitions_.begin()) return std::chrono::seconds(initial_offset_);
  return std::chrono::seconds(offsets_[static_cast<std::size_t>(it - transitions_.begin()) - 1]);
}

std::vector<std::chrono::sys_seconds> TimeZone::to_utc(std::chrono::sys_seconds local) const {
  // Transitions are months apart, so the offsets a day either side are the only candidates.
  const auto day = std::chrono::hours(24);
  std::vector<std::chrono::sys_seconds> out;
  for (auto offset : {offset_at(local - day), offset_at(local + day)}) {
    const auto utc = local - offset;
    if (offset_at(utc) == offset && std::find(out.begin(), out.end(), utc) == out.end()) {
      out.push_back(utc);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace eb::events
