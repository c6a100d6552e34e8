#pragma once
// What STS answers, without the wire: the caller's identity, temporary credentials (AssumeRole,
// GetSessionToken) with AWS's input validation, and the account of an access key. This daemon
// has no IAM: every caller is the configured account's root, except a caller signing with
// credentials an AssumeRole issued here, who is that role session. Issued credentials are
// remembered in memory only (a restart forgets them; they still work with --auth none, as every
// key does, and are refused as unknown with --auth verify).
// Thread-safe: any thread may call any method.
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/aws/sigv4_verify.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"

namespace eb::api::sts {

struct CallerIdentity {
  std::string account;
  std::string arn;      // arn:aws:iam::ACCOUNT:root, or the assumed role's session ARN
  std::string user_id;  // the account id for root; ROLEID:SESSION for a role session
};

struct Credentials {
  std::string access_key_id;  // ASIA + 16 characters: temporary credentials
  std::string secret_access_key;
  std::string session_token;
  Millis expiration = 0;
};

struct AssumeRoleInput {
  std::optional<std::string> role_arn;
  std::optional<std::string> role_session_name;
  std::optional<std::string> duration_seconds;  // as sent: a number is validated here
  std::optional<std::string> external_id;
  std::optional<std::string> policy;
  std::optional<std::string> serial_number;
  std::optional<std::string> token_code;
  std::optional<std::string> source_identity;
};

struct AssumedRole {
  Credentials credentials;
  std::string assumed_role_id;  // AROA... ":" session name
  std::string arn;              // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
  std::optional<std::string> source_identity;
};

class Identity {
 public:
  // AssumeRole's DurationSeconds range and default; GetSessionToken's.
  static constexpr std::int64_t kMinDuration = 900;
  static constexpr std::int64_t kMaxRoleDuration = 43'200;
  static constexpr std::int64_t kDefaultRoleDuration = 3'600;
  static constexpr std::int64_t kMaxSessionDuration = 129'600;
  static constexpr std::int64_t kDefaultSessionDuration = 43'200;

  Identity(const Clock& clock, std::string account_id);

  const std::string& account_id() const { return account_; }
  // `access_key` is the key id the request was signed with (empty when unsigned);
  // `verified_account` the account of the credential --auth verify checked it with (empty:
  // the daemon's), whose root a key STS did not issue is.
  CallerIdentity caller(const std::string& access_key,
                        const std::string& verified_account = "") const;
  Result<AssumedRole> assume_role(const AssumeRoleInput& input);
  Result<Credentials> session_token(const std::optional<std::string>& duration_seconds);
  // The account the key belongs to: this daemon's, for any well-formed key.
  Result<std::string> access_key_account(const std::optional<std::string>& access_key_id) const;
  // Temporary credentials AssumeRole or GetSessionToken issued here, for --auth verify: their
  // secret, session token and whether they expired (on the daemon's clock, which dated them).
  std::optional<aws::KnownCredential> issued(std::string_view access_key_id) const;

 private:
  static constexpr std::size_t kMaxSessions = 100'000;

  CallerIdentity root(const std::string& account) const;

  struct Session {
    CallerIdentity caller;
    Credentials credentials;
  };

  // Under mu_: new random credentials valid for `seconds`, remembered with their caller.
  Credentials issue(std::int64_t seconds, CallerIdentity caller);

  const Clock& clock_;
  const std::string account_;
  mutable std::mutex mu_;
  std::mt19937_64 random_;
  std::unordered_map<std::string, Session> sessions_;  // by issued key id
};

}  // namespace eb::api::sts
