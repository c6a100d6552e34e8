#include "api/sts/identity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string_view>
#include <vector>

#include "core/encoding.hpp"

namespace eb::api::sts {
namespace {

// AWS's "N validation errors detected: ..." text, one clause per failed member.
class Violations {
 public:
  void add(std::string_view member, std::optional<std::string_view> value,
           std::string_view constraint) {
    clauses_.push_back(fmt::format("Value {} at '{}' failed to satisfy constraint: Member {}",
                                   value ? fmt::format("'{}'", *value) : "null", member,
                                   constraint));
  }
  // Length in [min, max] and every character in `allowed` (nullptr: any character).
  void check(std::string_view member, const std::optional<std::string>& value, std::size_t min,
             std::size_t max, bool (*allowed)(char), std::string_view pattern, bool required) {
    if (!value) {
      if (required) add(member, std::nullopt, "must not be null");
      return;
    }
    if (value->size() < min) {
      add(member, *value, fmt::format("must have length greater than or equal to {}", min));
    } else if (value->size() > max) {
      add(member, *value, fmt::format("must have length less than or equal to {}", max));
    }
    if (allowed != nullptr && !std::ranges::all_of(*value, allowed)) {
      add(member, *value, fmt::format("must satisfy regular expression pattern: {}", pattern));
    }
  }
  // A whole number in [min, max]; nullopt when absent or invalid (then a clause is added).
  std::optional<std::int64_t> duration(const std::optional<std::string>& value, std::int64_t min,
                                       std::int64_t max) {
    if (!value) return std::nullopt;
    std::int64_t seconds = 0;
    const auto* end = value->data() + value->size();
    if (auto [p, ec] = std::from_chars(value->data(), end, seconds);
        ec != std::errc() || p != end) {
      add("durationSeconds", *value, "must be a whole number");
      return std::nullopt;
    }
    if (seconds < min) {
      add("durationSeconds", *value,
          fmt::format("must have value greater than or equal to {}", min));
      return std::nullopt;
    }
    if (seconds > max) {
      add("durationSeconds", *value, fmt::format("must have value less than or equal to {}", max));
      return std::nullopt;
    }
    return seconds;
  }
  Result<void> result() const {
    if (clauses_.empty()) return {};
    std::string text = fmt::format("{} validation error{} detected: ", clauses_.size(),
                                   clauses_.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < clauses_.size(); ++i) {
      if (i > 0) text += "; ";
      text += clauses_[i];
    }
    return fail(Errc::kValidationError, std::move(text));
  }

 private:
  std::vector<std::string> clauses_;
};

bool word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool session_char(char c) {  // [\w+=,.@-]
  return word(c) || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}
bool external_id_char(char c) {  // [\w+=,.@:\/-]
  return session_char(c) || c == ':' || c == '/';
}
bool serial_char(char c) {  // [\w+=/:,.@-]
  return session_char(c) || c == '/' || c == ':';
}
bool digit(char c) { return c >= '0' && c <= '9'; }
bool policy_char(char c) {  // printable ASCII, tab, LF, CR and anything beyond ASCII
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x20 || c == '\t' || c == '\n' || c == '\r';
}

// "arn:aws:iam::ACCOUNT:role/PATH/NAME" -> NAME; nullopt when the ARN names no role.
std::optional<std::string> role_name(std::string_view arn) {
  std::vector<std::string_view> parts;
  for (int i = 0; i < 5; ++i) {
    const auto colon = arn.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    parts.push_back(arn.substr(0, colon));
    arn.remove_prefix(colon + 1);
  }
  if (parts[0] != "arn" || parts[1].empty() || parts[2] != "iam") return std::nullopt;
  if (!arn.starts_with("role/")) return std::nullopt;
  const auto slash = arn.rfind('/');
  std::string_view name = arn.substr(slash + 1);
  if (name.empty()) return std::nullopt;
  return std::string(name);
}

constexpr std::string_view kKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string random_text(std::mt19937_64& random, std::string_view alphabet, std::size_t size) {
  std::string out(size, ' ');
  for (char& c : out) c = alphabet[random() % alphabet.size()];
  return out;
}

// A role's unique id: "AROA" and 17 characters derived from its ARN, so that the same role
// always has the same id, as in IAM.
std::string role_id(std::string_view role_arn) {
  const std::string digest = sha256_hex(role_arn);
  std::string out = "AROA";
  for (std::size_t i = 0; i < 17; ++i) {
    out += kKeyAlphabet[static_cast<unsigned char>(digest[i * 2]) % kKeyAlphabet.size()];
  }
  return out;
}

}  // namespace

Identity::Identity(const Clock& clock, std::string account_id)
    : clock_(clock), account_(std::move(account_id)), random_(std::random_device{}()) {}

CallerIdentity Identity::caller(const std::string& access_key,
                                const std::string& verified_account) const {
  {
    std::lock_guard lock(mu_);
    if (auto it = sessions_.find(access_key); it != sessions_.end()) return it->second.caller;
  }
  return root(verified_account.empty() ? account_ : verified_account);
}

CallerIdentity Identity::root(const std::string& account) const {
  return {
      .account = account, .arn = fmt::format("arn:aws:iam::{}:root", account), .user_id = account};
}

std::optional<aws::KnownCredential> Identity::issued(std::string_view access_key_id) const {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(std::string(access_key_id));
  if (it == sessions_.end()) return std::nullopt;
  const Credentials& c = it->second.credentials;
  return aws::KnownCredential{.secret_access_key = c.secret_access_key,
                              .account_id = it->second.caller.account,
                              .session_token = c.session_token,
                              .expired = clock_.now_ms() >= c.expiration};
}

Credentials Identity::issue(std::int64_t seconds, CallerIdentity caller) {
  // Caller holds mu_ (random_, sessions_). Bounded: a suite issuing credentials in a loop must
  // not grow the daemon without limit; a forgotten key is answered as the account's root, like
  // any unknown key (and refused under --auth verify).
  if (sessions_.size() >= kMaxSessions) sessions_.clear();
  Credentials c;
  c.access_key_id = "ASIA" + random_text(random_, kKeyAlphabet, 16);
  c.secret_access_key = random_text(random_, kSecretAlphabet, 40);
  std::string token_bytes = random_text(random_, kSecretAlphabet, 96);
  c.session_token = base64_encode(token_bytes);
  c.expiration = clock_.now_ms() + seconds * 1000;
  sessions_[c.access_key_id] = Session{std::move(caller), c};
  return c;
}

Result<AssumedRole> Identity::assume_role(const AssumeRoleInput& in) {
  Violations v;
  v.check("roleArn", in.role_arn, 20, 2048, nullptr, "", true);
  v.check("roleSessionName", in.role_session_name, 2, 64, session_char, "[\\w+=,.@-]*", true);
  v.check("externalId", in.external_id, 2, 1224, external_id_char, "[\\w+=,.@:\\/-]*", false);
  v.check("policy", in.policy, 1, 2048, policy_char, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
          false);
  v.check("serialNumber", in.serial_number, 9, 256, serial_char, "[\\w+=/:,.@-]*", false);
  v.check("tokenCode", in.token_code, 6, 6, digit, "[\\d]*", false);
  v.check("sourceIdentity", in.source_identity, 2, 64, session_char, "[\\w+=,.@-]*", false);
  const auto seconds = v.duration(in.duration_seconds, kMinDuration, kMaxRoleDuration);
  EB_TRY(v.result());
  auto role = role_name(*in.role_arn);
  if (!role) return fail(Errc::kValidationError, fmt::format("{} is invalid", *in.role_arn));

  AssumedRole out;
  out.assumed_role_id = role_id(*in.role_arn) + ":" + *in.role_session_name;
  out.arn =
      fmt::format("arn:aws:sts::{}:assumed-role/{}/{}", account_, *role, *in.role_session_name);
  out.source_identity = in.source_identity;
  std::lock_guard lock(mu_);
  out.credentials =
      issue(seconds.value_or(kDefaultRoleDuration),
            CallerIdentity{.account = account_, .arn = out.arn, .user_id = out.assumed_role_id});
  return out;
}

Result<Credentials> Identity::session_token(const std::optional<std::string>& duration_seconds) {
  Violations v;
  const auto seconds = v.duration(duration_seconds, kMinDuration, kMaxSessionDuration);
  EB_TRY(v.result());
  std::lock_guard lock(mu_);
  return issue(seconds.value_or(kDefaultSessionDuration), root(account_));
}

Result<std::string> Identity::access_key_account(
    const std::optional<std::string>& access_key_id) const {
  Violations v;
  v.check("accessKeyId", access_key_id, 16, 128, word, "[\\w]*", true);
  EB_TRY(v.result());
  return account_;
}

}  // namespace eb::api::sts
