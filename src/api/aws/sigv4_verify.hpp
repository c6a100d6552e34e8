#pragma once
// SigV4 verification for --auth verify: reads what a request claims (Authorization header or
// presigned query string), rebuilds the canonical request and the string to sign as the SDKs do
// for every service but S3, derives the signing key from the secret the daemon knows for the
// access key and compares signatures in constant time. Pure functions over the request and a
// time passed in; safe from any thread. The building blocks are public so the published SigV4
// test vectors can check each step.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/aws/sigv4.hpp"
#include "core/errors.hpp"
#include "net/handler.hpp"

namespace eb::api::aws {

// A secret the daemon knows for an access key id: a configured credential, or temporary
// credentials STS issued here.
struct KnownCredential {
  std::string secret_access_key;
  std::string account_id;
  // Temporary credentials only: the X-Amz-Security-Token the request must carry.
  std::string session_token;
  bool expired = false;  // temporary credentials past their expiration
};

// Finds the credential of an access key id; nullopt when the key is unknown. Called on I/O
// threads: must be thread-safe.
using CredentialLookup =
    std::function<std::optional<KnownCredential>(std::string_view access_key_id)>;

// How far a request's date may be from the verifier's clock, either way (AWS: 15 minutes).
inline constexpr std::int64_t kMaxSkewSeconds = 15 * 60;

// What a signed request claims about itself.
struct SignedClaim {
  CredentialScope scope;
  std::vector<std::string> signed_headers;  // lower-case, in the order listed
  std::string signature;                    // hex, as sent
  std::string timestamp;                    // yyyymmddThhmmssZ (X-Amz-Date, or Date converted)
  std::string security_token;               // X-Amz-Security-Token, when sent
  std::optional<std::int64_t> expires;      // presigned: X-Amz-Expires, in seconds
  bool presigned = false;
};

// The claim of `request`: from its Authorization header, else from X-Amz-* query parameters.
// kMissingAuthenticationToken when it has neither; kIncompleteSignature when a part is missing
// or malformed.
Result<SignedClaim> read_claim(const net::HttpRequest& request);

// The canonical URI of a path as sent (still percent-encoded): "." and ".." segments resolved,
// empty segments dropped (a trailing slash kept), then every segment percent-encoded again, so
// "%20" becomes "%2520" as the SDKs sign it for services other than S3.
std::string canonical_uri(std::string_view raw_path);

// The canonical query string of a raw query (without '?'): pairs decoded and encoded again,
// sorted by name then value; X-Amz-Signature left out when `presigned`.
std::string canonical_query(std::string_view raw_query, bool presigned);

// "name:value\n" for each signed header: every field of that name in the order received,
// values trimmed and runs of spaces folded to one, joined by ','.
std::string canonical_headers(const net::HttpRequest& request,
                              const std::vector<std::string>& signed_headers);

std::string canonical_request(const net::HttpRequest& request, const SignedClaim& claim,
                              std::string_view payload_hash);

std::string string_to_sign(const SignedClaim& claim, std::string_view canonical_request);

// Hex HMAC-SHA256 of `string_to_sign` under the key derived from `secret` and the scope
// (kDate, kRegion, kService, kSigning).
std::string signature(std::string_view secret, const CredentialScope& scope,
                      std::string_view string_to_sign);

// Unix seconds of a yyyymmddThhmmssZ timestamp; nullopt when malformed.
std::optional<std::int64_t> parse_timestamp(std::string_view timestamp);

// Verifies `request` against the credentials `lookup` knows, at `now_seconds` (Unix time of the
// real clock): the credential on success, or the error AWS would answer
// (kMissingAuthenticationToken, kIncompleteSignature, kInvalidClientTokenId, kExpiredToken,
// kSignatureDoesNotMatch, kAccessDenied for an expired presigned URL).
Result<KnownCredential> verify(const net::HttpRequest& request, const CredentialLookup& lookup,
                               std::int64_t now_seconds);

}  // namespace eb::api::aws
