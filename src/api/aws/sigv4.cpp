#include "api/aws/sigv4.hpp"

#include "api/aws/form.hpp"

namespace eb::api::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<CredentialScope> parse_credential(std::string_view credential) {
  // The access key cannot contain '/', so split from the left; exactly five parts.
  std::string_view parts[5];
  std::size_t count = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = credential.find('/', start);
    if (count == 5) return std::nullopt;
    parts[count++] = credential.substr(start, slash - start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (count != 5 || parts[4] != "aws4_request") return std::nullopt;
  for (std::size_t i = 0; i < 4; ++i) {
    if (parts[i].empty()) return std::nullopt;
  }
  return CredentialScope{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                         std::string(parts[3])};
}

std::optional<CredentialScope> parse_authorization(std::string_view header) {
  header = trim(header);
  if (!header.starts_with(kAlgorithm)) return std::nullopt;
  std::string_view rest = header.substr(kAlgorithm.size());
  if (rest.empty() || (rest.front() != ' ' && rest.front() != '\t')) return std::nullopt;
  // Components are comma-separated; SDKs put ", " between them but the spec allows any spacing.
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view part = trim(rest.substr(0, comma));
    if (part.starts_with("Credential=")) {
      return parse_credential(part.substr(std::string_view("Credential=").size()));
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return std::nullopt;
}

std::optional<CredentialScope> parse_presigned_query(std::string_view query) {
  auto pairs = parse_form(query);
  if (!pairs) return std::nullopt;
  const std::string* credential = nullptr;
  for (const auto& [key, value] : *pairs) {
    if (key == "X-Amz-Algorithm" && value != kAlgorithm) return std::nullopt;
    if (key == "X-Amz-Credential") credential = &value;
  }
  if (credential == nullptr) return std::nullopt;
  return parse_credential(*credential);
}

}  // namespace eb::api::aws
