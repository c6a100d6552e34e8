#pragma once
// application/x-www-form-urlencoded codec: the body of every AWS query-protocol request and
// the query string of presigned URLs. Stateless free functions; safe from any thread.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/errors.hpp"

namespace eb::api::aws {

using FormPairs = std::vector<std::pair<std::string, std::string>>;

// Splits on '&', then on the first '='; '+' is a space and %XX is a byte. Empty pairs ("a=1&&b")
// are skipped and a key without '=' gets an empty value, as browsers and the SDKs do. A broken
// escape (%G1, or a '%' without two hex digits) is Errc::kMalformedRequest: guessing would
// silently change a message body. Pairs keep their order; duplicate keys are kept.
Result<FormPairs> parse_form(std::string_view body);

// Decodes %XX (and '+' as a space when plus_is_space, i.e. form encoding; SigV4 canonical paths
// keep '+'). Errors as parse_form.
Result<std::string> url_decode(std::string_view text, bool plus_is_space = true);

// RFC 3986 encoding as SigV4 and the SDKs use it: everything but A-Z a-z 0-9 - _ . ~ becomes
// %XX with upper-case hex (so a space is %20, never '+').
std::string percent_encode(std::string_view text);

}  // namespace eb::api::aws
