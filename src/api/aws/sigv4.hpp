#pragma once
// SigV4 credential-scope parsing. The dispatcher uses the scope's service ("sqs", "sns") to route
// query-protocol requests and its region to build ARNs and queue URLs. Stateless.
#include <optional>
#include <string>
#include <string_view>

namespace eb::api::aws {

struct CredentialScope {
  std::string access_key;
  std::string date;  // yyyymmdd
  std::string region;
  std::string service;
};

// Parses "AKID/20240101/us-east-1/sqs/aws4_request" (the Credential= value, already decoded).
std::optional<CredentialScope> parse_credential(std::string_view credential);

// Parses an Authorization header: "AWS4-HMAC-SHA256 Credential=.../aws4_request,
// SignedHeaders=..., Signature=...". nullopt when the scheme is not AWS4-HMAC-SHA256 or the
// Credential part is missing or malformed.
std::optional<CredentialScope> parse_authorization(std::string_view header);

// Parses the presigned-URL form: the query string's X-Amz-Credential (percent-encoded, as the
// SDKs send it), with X-Amz-Algorithm, when present, required to be AWS4-HMAC-SHA256.
std::optional<CredentialScope> parse_presigned_query(std::string_view query);

// These only read the scope. By default (--auth none) signatures are not verified, since local
// clients sign with throwaway keys we have no secret for; --auth verify checks them
// (sigv4_verify.hpp).

}  // namespace eb::api::aws
