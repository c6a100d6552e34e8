#pragma once
// Digests and text encodings the domain needs (OpenSSL underneath; no hand-written crypto).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eb {

using Md5Digest = std::array<std::uint8_t, 16>;

Md5Digest md5(std::string_view data);
std::string to_hex(const std::uint8_t* data, std::size_t size);
inline std::string md5_hex(std::string_view data) {
  auto d = md5(data);
  return to_hex(d.data(), d.size());
}
using Sha256Digest = std::array<std::uint8_t, 32>;
Sha256Digest sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
Sha256Digest hmac_sha256(std::string_view key, std::string_view data);
// Compares in time independent of where the inputs differ (signatures, tokens); unequal sizes
// are unequal at once (a size is no secret).
bool constant_time_equal(std::string_view a, std::string_view b);

std::string base64_encode(std::string_view data);
// Standard alphabet with padding; nullopt when the input is not valid base64.
std::optional<std::string> base64_decode(std::string_view text);

using Uuid = std::array<std::uint8_t, 16>;
// Random version-4 UUID; its 36-character text form.
Uuid random_uuid_bytes();
std::string uuid_text(const Uuid& uuid);
// The UUID of its 36-character text form (either case); nullopt for anything else.
std::optional<Uuid> parse_uuid(std::string_view text);
inline std::string random_uuid() { return uuid_text(random_uuid_bytes()); }

}  // namespace eb
