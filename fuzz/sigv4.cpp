// SigV4 as the dispatcher reads it: the Authorization header and presigned query parsing, the
// claim of a request, its canonical request and string to sign, and verification against one
// known credential. Input: the Authorization value on the first line, the request target (path
// and query) on the second, then "Name: value" header lines.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/aws/sigv4.hpp"
#include "api/aws/sigv4_verify.hpp"
#include "support/lines.hpp"

namespace {

// 2015-08-30T12:36:00Z, the time of AWS's published SigV4 test vectors.
constexpr std::int64_t kNow = 1'440'938'160;

std::optional<eb::api::aws::KnownCredential> lookup(std::string_view access_key) {
  if (access_key != "AKIDEXAMPLE") return std::nullopt;
  return eb::api::aws::KnownCredential{
      .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      .account_id = "000000000000"};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace aws = eb::api::aws;
  eb::net::HttpRequest request{boost::beast::http::verb::post, "/", 11};
  int line_number = 0;
  eb::fuzz::for_each_line(data, size, 64, [&](std::string_view line) {
    switch (line_number++) {
      case 0:
        (void)aws::parse_authorization(line);
        (void)aws::parse_credential(line);
        if (!line.empty()) request.set(boost::beast::http::field::authorization, line);
        return;
      case 1:
        if (!line.empty()) request.target(line);
        return;
      default:
        const std::size_t colon = line.find(':');
        if (colon == 0 || colon == std::string_view::npos) return;
        request.insert(line.substr(0, colon), line.substr(colon + 1));
    }
  });
  const std::string_view target = request.target();
  const std::size_t question = target.find('?');
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  (void)aws::parse_presigned_query(query);
  (void)aws::canonical_uri(target.substr(0, question));
  (void)aws::canonical_query(query, false);
  if (auto claim = aws::read_claim(request)) {
    (void)aws::parse_timestamp(claim->timestamp);
    const std::string canonical = aws::canonical_request(request, *claim, "UNSIGNED-PAYLOAD");
    (void)aws::signature("secret", claim->scope, aws::string_to_sign(*claim, canonical));
  }
  (void)aws::verify(request, lookup, kNow);
  return 0;
}
