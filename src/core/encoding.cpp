#include "core/encoding.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

#include <array>
#include <memory>
#include <random>

namespace eb {

namespace {

// EVP_Digest looks the algorithm up in OpenSSL 3's provider tables (locks included) and makes a
// context on every call; at one MD5 per message that showed up in profiles. Fetch each
// algorithm once and reuse one context per thread.
const EVP_MD* fetched(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  return md;  // kept for the life of the process
}

void digest(const EVP_MD* md, std::string_view data, unsigned char* out) {
  struct CtxDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  unsigned int len = 0;
  if (md == nullptr || !ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out, &len) != 1) {
    // Not expected with the default provider; fall back to the one-shot path.
    EVP_Digest(data.data(), data.size(), out, &len, md != nullptr ? md : EVP_md5(), nullptr);
  }
}

}  // namespace

Md5Digest md5(std::string_view data) {
  static const EVP_MD* const kMd5 = fetched("MD5");
  Md5Digest out{};
  digest(kMd5, data, out.data());
  return out;
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

Sha256Digest sha256(std::string_view data) {
  static const EVP_MD* const kSha256 = fetched("SHA256");
  Sha256Digest out{};
  digest(kSha256, data, out.data());
  return out;
}

std::string sha256_hex(std::string_view data) {
  const Sha256Digest out = sha256(data);
  return to_hex(out.data(), out.size());
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view data) {
  Sha256Digest out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || (c == '=' && i + 2 >= text.size());
    if (!ok) return std::nullopt;
  }
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=')
    pad = (text.size() >= 2 && text[text.size() - 2] == '=') ? 2 : 1;
  if (text.size() >= 2 && text[text.size() - 1] != '=' && text[text.size() - 2] == '=')
    return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

Uuid random_uuid_bytes() {
  // A per-thread PRNG seeded once from the OS: message ids need uniqueness, not secrecy,
  // and a syscall per id would cost more than the rest of a send.
  thread_local std::mt19937_64 gen{std::random_device{}()};
  std::uint64_t hi = gen(), lo = gen();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  Uuid b{};
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<std::uint8_t>(hi >> (56 - 8 * i));
    b[8 + i] = static_cast<std::uint8_t>(lo >> (56 - 8 * i));
  }
  return b;
}

std::optional<Uuid> parse_uuid(std::string_view text) {
  // 8-4-4-4-12 hex digits, either case; the dashes where uuid_text puts them.
  constexpr std::size_t kTextSize = 36;
  if (text.size() != kTextSize) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Uuid out{};
  std::size_t byte = 0;
  for (std::size_t i = 0; i < kTextSize;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i++] != '-') return std::nullopt;
      continue;
    }
    const int high = nibble(text[i]);
    const int low = nibble(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out[byte++] = static_cast<std::uint8_t>((high << 4) | low);
    i += 2;
  }
  return out;
}

std::string uuid_text(const Uuid& uuid) {
  // Written in place: two of these per SendMessage (request and message id), and the
  // substring concatenation it replaced cost five allocations each.
  static constexpr char kDigits[] = "0123456789abcdef";
  // Where each byte's two digits go: 8-4-4-4-12, the dashes between.
  static constexpr std::array<std::uint8_t, 16> kAt = {0,  2,  4,  6,  9,  11, 14, 16,
                                                       19, 21, 24, 26, 28, 30, 32, 34};
  std::string out(36, '-');
  for (std::size_t i = 0; i < uuid.size(); ++i) {
    out[kAt[i]] = kDigits[uuid[i] >> 4];
    out[kAt[i] + 1] = kDigits[uuid[i] & 0xf];
  }
  return out;
}

}  // namespace eb
