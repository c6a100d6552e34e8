#pragma once
// The account's SMS state: its SMS attributes (SetSMSAttributes), the numbers that opted out,
// and the SMS sandbox's destination numbers with their one-time passwords. No text message is
// sent anywhere: the password a sandbox number gets is recorded in the outbox (protocol sms),
// where a test reads it. The account stays in the sandbox (IsInSandbox true) and has no
// origination numbers; neither restricts Publish.
//
// Sms owns that state and its one record (kMeta "sns_sms", proto SmsStateRecord), rewritten
// whole by each change (the sandbox holds at most 10 numbers). Thread-safe: one leaf mutex,
// held while the record is written, never while delivering.
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/types.hpp"

namespace eb::storage {
class Engine;
}  // namespace eb::storage

namespace eb::sns {

struct ListPhoneNumbersOutput {
  std::vector<std::string> phone_numbers;
  std::string next_token;  // empty: no more pages
};

struct SandboxPhoneNumber {
  std::string phone_number;
  std::string status;  // "Pending" or "Verified"
};

struct ListSandboxPhoneNumbersOutput {
  std::vector<SandboxPhoneNumber> phone_numbers;
  std::string next_token;
};

struct LimitedPageInput {
  std::string next_token;
  std::optional<int> max_results;
};

class Sms {
 public:
  static constexpr std::size_t kOptedOutPageSize = 100;
  static constexpr std::size_t kMaxSandboxNumbers = 10;

  // Every argument outlives this object.
  Sms(const Clock& clock, storage::Engine& engine, EndpointDelivery& endpoints);
  Sms(const Sms&) = delete;
  Sms& operator=(const Sms&) = delete;

  Result<void> recover();
  // Back to a fresh account's state (POST /v1/reset): default attributes, no opt-outs, an empty
  // sandbox; one write.
  Result<void> reset();

  // SetSMSAttributes: each name and value checked, merged into what is set.
  Result<void> set_attributes(const AttributeMap& attributes);
  // GetSMSAttributes: the named ones that are set (all set ones when `names` is empty).
  Result<AttributeMap> attributes(const std::vector<std::string>& names) const;

  Result<bool> is_opted_out(const std::string& phone_number) const;
  Result<ListPhoneNumbersOutput> list_opted_out(const PageInput& page) const;
  Result<void> opt_in(const std::string& phone_number);
  // What a STOP reply does on AWS: for tests and the admin API.
  Result<void> opt_out(const std::string& phone_number);

  // Adds a number (Pending) and sends it a new one-time password, into the outbox.
  Result<void> create_sandbox_number(const std::string& phone_number,
                                     const std::optional<std::string>& language_code);
  Result<void> verify_sandbox_number(const std::string& phone_number, const std::string& password);
  Result<void> delete_sandbox_number(const std::string& phone_number);
  Result<ListSandboxPhoneNumbersOutput> list_sandbox_numbers(const LimitedPageInput& page) const;
  // ListOriginationNumbers: none are provisioned; checks its MaxResults.
  Result<std::vector<std::string>> list_origination_numbers(const LimitedPageInput& page) const;
  bool in_sandbox() const { return true; }

 private:
  struct SandboxNumber {
    bool verified = false;
    std::string password;  // while pending
    std::string language_code;
    Millis created = 0;
  };

  Result<void> write_locked(const AttributeMap& attributes, const std::set<std::string>& opted_out,
                            const std::map<std::string, SandboxNumber>& sandbox);

  const Clock& clock_;
  storage::Engine& engine_;
  EndpointDelivery& endpoints_;
  mutable std::mutex mu_;
  AttributeMap attributes_;
  std::set<std::string> opted_out_;  // ordered for paging
  std::map<std::string, SandboxNumber> sandbox_;
};

}  // namespace eb::sns
