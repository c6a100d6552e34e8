#include "api/aws/sigv4_verify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <charconv>
#include <ctime>
#include <utility>

#include "api/aws/form.hpp"
#include "core/encoding.hpp"

namespace eb::api::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr std::int64_t kMaxPresignedExpires = 7 * 24 * 3600;  // what SigV4 allows

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view header(const net::HttpRequest& request, std::string_view name) {
  auto it = request.find(name);
  return it == request.end() ? std::string_view() : it->value();
}

std::unexpected<Error> incomplete(std::string message) {
  return fail(Errc::kIncompleteSignature, std::move(message));
}

std::unexpected<Error> mismatch(std::string message) {
  return fail(Errc::kSignatureDoesNotMatch, std::move(message));
}

std::vector<std::string> split_signed_headers(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const std::size_t semi = list.find(';');
    std::string name(list.substr(0, semi));
    std::ranges::transform(name, name.begin(), [](unsigned char c) {
      return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    out.push_back(std::move(name));
    if (semi == std::string_view::npos) break;
    list.remove_prefix(semi + 1);
  }
  return out;
}

std::string format_timestamp(std::int64_t seconds) {
  const std::time_t t = seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[17];
  std::strftime(out, sizeof(out), "%Y%m%dT%H%M%SZ", &tm);
  return out;
}

// The Date header's IMF-fixdate ("Sun, 30 Aug 2015 12:36:00 GMT") as a SigV4 timestamp.
std::optional<std::string> timestamp_of_http_date(std::string_view date) {
  std::tm tm{};
  const std::string text(date);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return format_timestamp(timegm(&tm));
}

// The claim of an Authorization header. Its parts are comma-separated "Name=value" pairs in any
// order; each missing one is named in the error, as AWS does.
Result<SignedClaim> claim_of_header(const net::HttpRequest& request, std::string_view auth) {
  auth = trim(auth);
  if (!auth.starts_with(kAlgorithm) || auth.size() == kAlgorithm.size() ||
      (auth[kAlgorithm.size()] != ' ' && auth[kAlgorithm.size()] != '\t')) {
    const std::string_view algorithm = auth.substr(0, auth.find(' '));
    return incomplete(fmt::format("Unsupported AWS 'algorithm': '{}'", algorithm));
  }
  std::optional<std::string_view> credential, signed_headers, signature;
  std::string_view rest = auth.substr(kAlgorithm.size());
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view part = trim(rest.substr(0, comma));
    const std::size_t eq = part.find('=');
    const std::string_view name = part.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : part.substr(eq + 1);
    if (name == "Credential") credential = value;
    if (name == "SignedHeaders") signed_headers = value;
    if (name == "Signature") signature = value;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  SignedClaim claim;
  const std::string_view amz_date = header(request, "X-Amz-Date");
  if (!amz_date.empty()) {
    claim.timestamp = std::string(amz_date);
  } else if (auto date = timestamp_of_http_date(header(request, "Date"))) {
    claim.timestamp = std::move(*date);
  }
  std::string missing;
  if (!credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!signed_headers) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (claim.timestamp.empty()) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
        "header. ";
  }
  if (!missing.empty()) return incomplete(fmt::format("{}Authorization={}", missing, auth));
  auto scope = parse_credential(*credential);
  if (!scope) return incomplete(fmt::format("Malformed Credential '{}'", *credential));
  claim.scope = std::move(*scope);
  claim.signed_headers = split_signed_headers(*signed_headers);
  claim.signature = std::string(*signature);
  claim.security_token = std::string(header(request, "X-Amz-Security-Token"));
  return claim;
}

// The claim of a presigned URL's X-Amz-* query parameters; nullopt when it has none of them.
std::optional<Result<SignedClaim>> claim_of_query(std::string_view query) {
  auto pairs = parse_form(query);
  if (!pairs) return std::nullopt;
  std::optional<std::string> algorithm, credential, date, expires, signed_headers, signature;
  SignedClaim claim;
  claim.presigned = true;
  for (auto& [key, value] : *pairs) {
    if (key == "X-Amz-Algorithm") {
      algorithm = std::move(value);
    } else if (key == "X-Amz-Credential") {
      credential = std::move(value);
    } else if (key == "X-Amz-Date") {
      date = std::move(value);
    } else if (key == "X-Amz-Expires") {
      expires = std::move(value);
    } else if (key == "X-Amz-SignedHeaders") {
      signed_headers = std::move(value);
    } else if (key == "X-Amz-Signature") {
      signature = std::move(value);
    } else if (key == "X-Amz-Security-Token") {
      claim.security_token = std::move(value);
    }
  }
  if (!algorithm && !credential && !signature) return std::nullopt;
  std::string missing;
  for (const auto& [name, part] : {std::pair{"X-Amz-Algorithm", &algorithm},
                                   {"X-Amz-Credential", &credential},
                                   {"X-Amz-Signature", &signature},
                                   {"X-Amz-SignedHeaders", &signed_headers},
                                   {"X-Amz-Date", &date}}) {
    if (!*part) missing += fmt::format("AWS query-string parameters must include '{}'. ", name);
  }
  if (!missing.empty()) return incomplete(missing + "Re-examine the query-string parameters.");
  if (*algorithm != kAlgorithm) {
    return incomplete(fmt::format("Unsupported AWS 'algorithm': '{}'", *algorithm));
  }
  auto scope = parse_credential(*credential);
  if (!scope) return incomplete(fmt::format("Malformed Credential '{}'", *credential));
  if (expires) {
    std::int64_t seconds = 0;
    const auto [end, ec] =
        std::from_chars(expires->data(), expires->data() + expires->size(), seconds);
    if (ec != std::errc() || end != expires->data() + expires->size() || seconds < 1 ||
        seconds > kMaxPresignedExpires) {
      return incomplete(
          fmt::format("X-Amz-Expires must be a number of seconds from 1 to {}, not '{}'",
                      kMaxPresignedExpires, *expires));
    }
    claim.expires = seconds;
  }
  claim.scope = std::move(*scope);
  claim.signed_headers = split_signed_headers(*signed_headers);
  claim.signature = std::move(*signature);
  claim.timestamp = std::move(*date);
  return claim;
}

std::string hash_payload(std::string_view body) { return sha256_hex(body); }

// Percent-encodes a decoded path segment; percent_encode keeps only unreserved characters.
void append_segment(std::string& out, std::string_view segment) { out += percent_encode(segment); }

}  // namespace

Result<SignedClaim> read_claim(const net::HttpRequest& request) {
  if (const std::string_view auth = header(request, "Authorization"); !auth.empty()) {
    return claim_of_header(request, auth);
  }
  const std::string_view target = request.target();
  if (const std::size_t q = target.find('?'); q != std::string_view::npos) {
    if (auto claim = claim_of_query(target.substr(q + 1))) return std::move(*claim);
  }
  return fail(Errc::kMissingAuthenticationToken, "Request is missing Authentication Token");
}

std::string canonical_uri(std::string_view raw_path) {
  if (raw_path.empty()) return "/";
  // Resolve dot segments and drop empty ones, keeping a trailing slash when anything is left.
  std::vector<std::string_view> segments;
  std::string_view rest = raw_path;
  while (true) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  std::string out = "/";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    append_segment(out, segments[i]);
  }
  if (!segments.empty() && raw_path.back() == '/') out += '/';
  return out;
}

std::string canonical_query(std::string_view raw_query, bool presigned) {
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!raw_query.empty()) {
    const std::size_t amp = raw_query.find('&');
    const std::string_view pair = raw_query.substr(0, amp);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      const std::string_view raw_key = pair.substr(0, eq);
      const std::string_view raw_value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
      // A broken escape is signed as the client sent it, encoded once more.
      auto key = url_decode(raw_key);
      auto value = url_decode(raw_value);
      std::string name = key ? *key : std::string(raw_key);
      if (!(presigned && name == "X-Amz-Signature")) {
        pairs.emplace_back(percent_encode(name),
                           percent_encode(value ? *value : std::string(raw_value)));
      }
    }
    if (amp == std::string_view::npos) break;
    raw_query.remove_prefix(amp + 1);
  }
  std::ranges::sort(pairs);
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out += '&';
    out.append(key).append("=").append(value);
  }
  return out;
}

std::string canonical_headers(const net::HttpRequest& request,
                              const std::vector<std::string>& signed_headers) {
  std::string out;
  for (const std::string& name : signed_headers) {
    out += name;
    out += ':';
    bool first = true;
    for (const auto& field : request.base()) {
      if (!boost::beast::iequals(field.name_string(), name)) continue;
      if (!first) out += ',';
      first = false;
      bool space = false;
      for (const char c : trim(field.value())) {
        if (c == ' ' || c == '\t') {
          space = true;
          continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
      }
    }
    out += '\n';
  }
  return out;
}

std::string canonical_request(const net::HttpRequest& request, const SignedClaim& claim,
                              std::string_view payload_hash) {
  const std::string_view target = request.target();
  const std::size_t q = target.find('?');
  std::string out(request.method_string());
  out += '\n';
  out += canonical_uri(target.substr(0, q));
  out += '\n';
  if (q != std::string_view::npos) out += canonical_query(target.substr(q + 1), claim.presigned);
  out += '\n';
  out += canonical_headers(request, claim.signed_headers);
  out += '\n';
  for (std::size_t i = 0; i < claim.signed_headers.size(); ++i) {
    if (i > 0) out += ';';
    out += claim.signed_headers[i];
  }
  out += '\n';
  out += payload_hash;
  return out;
}

std::string string_to_sign(const SignedClaim& claim, std::string_view canonical_request) {
  const CredentialScope& s = claim.scope;
  return fmt::format("{}\n{}\n{}/{}/{}/aws4_request\n{}", kAlgorithm, claim.timestamp, s.date,
                     s.region, s.service, sha256_hex(canonical_request));
}

std::string signature(std::string_view secret, const CredentialScope& scope,
                      std::string_view string_to_sign) {
  auto view = [](const Sha256Digest& d) {
    return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
  };
  const std::string seed = "AWS4" + std::string(secret);
  const Sha256Digest k_date = hmac_sha256(seed, scope.date);
  const Sha256Digest k_region = hmac_sha256(view(k_date), scope.region);
  const Sha256Digest k_service = hmac_sha256(view(k_region), scope.service);
  const Sha256Digest k_signing = hmac_sha256(view(k_service), "aws4_request");
  const Sha256Digest mac = hmac_sha256(view(k_signing), string_to_sign);
  return to_hex(mac.data(), mac.size());
}

std::optional<std::int64_t> parse_timestamp(std::string_view timestamp) {
  if (timestamp.size() != 16 || timestamp[8] != 'T' || timestamp[15] != 'Z') return std::nullopt;
  std::tm tm{};
  const std::string text(timestamp);
  const char* end = strptime(text.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

Result<KnownCredential> verify(const net::HttpRequest& request, const CredentialLookup& lookup,
                               std::int64_t now_seconds) {
  EB_ASSIGN_OR_RETURN(const SignedClaim claim, read_claim(request));
  const std::optional<std::int64_t> at = parse_timestamp(claim.timestamp);
  if (!at) {
    return incomplete(fmt::format(
        "Date must be in ISO-8601 'basic format'. Got '{}'. See http://en.wikipedia.org/wiki/"
        "ISO_8601",
        claim.timestamp));
  }
  auto known = lookup(claim.scope.access_key);
  if (!known || (!known->session_token.empty() &&
                 !constant_time_equal(known->session_token, claim.security_token))) {
    return fail(Errc::kInvalidClientTokenId,
                "The security token included in the request is invalid.");
  }
  if (known->expired) {
    return fail(Errc::kExpiredToken, "The security token included in the request is expired");
  }
  if (claim.presigned) {
    if (claim.expires && now_seconds > *at + *claim.expires) {
      return fail(Errc::kAccessDenied, "Request has expired");
    }
    if (*at > now_seconds + kMaxSkewSeconds) {
      return mismatch(
          fmt::format("Signature not yet current: {} is still later than {} ({} + 15 "
                      "min.)",
                      claim.timestamp, format_timestamp(now_seconds + kMaxSkewSeconds),
                      format_timestamp(now_seconds)));
    }
  } else if (*at < now_seconds - kMaxSkewSeconds) {
    return mismatch(fmt::format("Signature expired: {} is now earlier than {} ({} - 15 min.)",
                                claim.timestamp, format_timestamp(now_seconds - kMaxSkewSeconds),
                                format_timestamp(now_seconds)));
  } else if (*at > now_seconds + kMaxSkewSeconds) {
    return mismatch(
        fmt::format("Signature not yet current: {} is still later than {} ({} + 15 "
                    "min.)",
                    claim.timestamp, format_timestamp(now_seconds + kMaxSkewSeconds),
                    format_timestamp(now_seconds)));
  }
  if (claim.scope.date != std::string_view(claim.timestamp).substr(0, 8)) {
    return mismatch(
        fmt::format("Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                    "version of date from HTTP: '{}' != '{}', from '{}'.",
                    claim.scope.date, claim.timestamp.substr(0, 8), claim.timestamp));
  }

  // The payload hash: what the client declared (checked against the body unless it opted out),
  // else the body's. A presigned URL signs UNSIGNED-PAYLOAD as botocore does, or its body's hash.
  const std::string body_hash = hash_payload(request.body());
  std::vector<std::string_view> payload_hashes;
  const std::string_view declared = header(request, "X-Amz-Content-Sha256");
  if (!declared.empty()) {
    if (declared.size() == 64 && declared != body_hash) {
      return mismatch(
          "The provided 'x-amz-content-sha256' header does not match what was "
          "computed.");
    }
    payload_hashes.push_back(declared);
  } else if (claim.presigned) {
    payload_hashes = {kUnsignedPayload, body_hash};
  } else {
    payload_hashes.push_back(body_hash);
  }
  for (const std::string_view payload_hash : payload_hashes) {
    const std::string expected =
        signature(known->secret_access_key, claim.scope,
                  string_to_sign(claim, canonical_request(request, claim, payload_hash)));
    if (constant_time_equal(expected, claim.signature)) return std::move(*known);
  }
  return mismatch(
      "The request signature we calculated does not match the signature you provided. Check your "
      "AWS Secret Access Key and signing method. Consult the service documentation for details.");
}

}  // namespace eb::api::aws
