#include "sns/sms.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "core/encoding.hpp"
#include "eventbroker/codec.hpp"
#include "eventbroker/v1/records.pb.h"
#include "sns/rules.hpp"
#include "storage/engine.hpp"

namespace eb::sns {
namespace {

constexpr std::uint32_t kRecordVersion = 1;
constexpr std::string_view kStateKey = "sns_sms";

constexpr std::array kLanguageCodes = {"en-US", "en-GB", "es-419", "es-ES", "de-DE",
                                       "fr-CA", "fr-FR", "it-IT",  "ja-JP", "pt-BR",
                                       "kr-KR", "zh-CN", "zh-TW"};

Result<void> invalid(std::string message) {
  return fail(Errc::kInvalidParameterValue, std::move(message));
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

Result<void> require_phone_number(std::string_view member, const std::string& number) {
  if (!validate_endpoint("sms", number)) {
    return invalid(
        fmt::format("Invalid parameter: {} Reason: {} is not a valid phone number in E.164 format",
                    member, number));
  }
  return {};
}

Result<void> validate_sms_attribute(const std::string& name, const std::string& value) {
  const auto bad = [&](std::string_view why) {
    return invalid(fmt::format("Invalid parameter: {} Reason: {}", name, why));
  };
  if (name == "MonthlySpendLimit") {
    if (!all_digits(value) || value.size() > 9) return bad("must be a whole number of USD");
  } else if (name == "DeliveryStatusIAMRole") {
    // IAM ARNs have no region: arn:aws:iam::<account>:role/<name>.
    if (!value.empty() &&
        (!value.starts_with("arn:aws:iam::") || value.find(":role/") == std::string::npos)) {
      return bad("must be the ARN of an IAM role");
    }
  } else if (name == "DeliveryStatusSuccessSamplingRate") {
    if (!all_digits(value) || value.size() > 3 || std::stoi(value) > 100) {
      return bad("must be an integer from 0 to 100");
    }
  } else if (name == "DefaultSenderID") {
    bool letter = false;
    bool ok = !value.empty() && value.size() <= 11;
    for (char c : value) {
      const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      letter = letter || alpha;
      ok = ok && (alpha || (c >= '0' && c <= '9'));
    }
    if (!ok || !letter) {
      return bad("must be 1 to 11 letters and digits, at least one of them a letter");
    }
  } else if (name == "DefaultSMSType") {
    if (value != "Promotional" && value != "Transactional") {
      return bad("must be Promotional or Transactional");
    }
  } else if (name == "UsageReportS3Bucket") {
    if (value.empty()) return bad("must name an S3 bucket");
  } else {
    return invalid(fmt::format("Invalid parameter: {} Reason: not an SMS attribute", name));
  }
  return {};
}

Result<std::size_t> page_size(const std::optional<int>& max_results, int limit) {
  if (!max_results) return static_cast<std::size_t>(limit);
  if (*max_results < 1 || *max_results > limit) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("Invalid parameter: MaxResults Reason: must be from 1 to {}", limit));
  }
  return static_cast<std::size_t>(*max_results);
}

std::string one_time_password() {
  const Uuid bytes = random_uuid_bytes();
  std::uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n = (n << 8) | bytes[i];
  return fmt::format("{:06}", n % 1000000);
}

}  // namespace

Sms::Sms(const Clock& clock, storage::Engine& engine, EndpointDelivery& endpoints)
    : clock_(clock), engine_(engine), endpoints_(endpoints) {}

Result<void> Sms::recover() {
  EB_ASSIGN_OR_RETURN(auto bytes, engine_.get(storage::Family::kMeta, kStateKey));
  if (!bytes) return {};
  auto p = proto::parse<eventbroker::v1::SmsStateRecord>(*bytes);
  if (!p) return fail(Errc::kInternalError, "undecodable SMS record");
  std::lock_guard lock(mu_);
  attributes_ = {p->attributes().begin(), p->attributes().end()};
  opted_out_ = {p->opted_out().begin(), p->opted_out().end()};
  for (const auto& n : p->sandbox_numbers()) {
    sandbox_[n.phone_number()] = SandboxNumber{.verified = n.verified(),
                                               .password = n.one_time_password(),
                                               .language_code = n.language_code(),
                                               .created = n.created_ms()};
  }
  return {};
}

Result<void> Sms::reset() {
  std::lock_guard lock(mu_);
  storage::Batch batch;
  batch.erase(storage::Family::kMeta, std::string(kStateKey));
  EB_TRY(engine_.write(batch));
  attributes_.clear();
  opted_out_.clear();
  sandbox_.clear();
  return {};
}

Result<void> Sms::write_locked(const AttributeMap& attributes,
                               const std::set<std::string>& opted_out,
                               const std::map<std::string, SandboxNumber>& sandbox) {
  eventbroker::v1::SmsStateRecord p;
  p.set_format_version(kRecordVersion);
  p.mutable_attributes()->insert(attributes.begin(), attributes.end());
  for (const auto& number : opted_out) p.add_opted_out(number);
  for (const auto& [number, s] : sandbox) {
    auto* n = p.add_sandbox_numbers();
    n->set_phone_number(number);
    n->set_verified(s.verified);
    n->set_one_time_password(s.password);
    n->set_language_code(s.language_code);
    n->set_created_ms(s.created);
  }
  storage::Batch batch;
  batch.put(storage::Family::kMeta, std::string(kStateKey), p.SerializeAsString());
  return engine_.write(batch);
}

Result<void> Sms::set_attributes(const AttributeMap& attributes) {
  for (const auto& [name, value] : attributes) EB_TRY(validate_sms_attribute(name, value));
  std::lock_guard lock(mu_);
  AttributeMap changed = attributes_;
  for (const auto& [name, value] : attributes) changed[name] = value;
  EB_TRY(write_locked(changed, opted_out_, sandbox_));
  attributes_ = std::move(changed);
  return {};
}

Result<AttributeMap> Sms::attributes(const std::vector<std::string>& names) const {
  std::lock_guard lock(mu_);
  if (names.empty()) return attributes_;
  AttributeMap out;
  for (const auto& name : names) {
    if (auto it = attributes_.find(name); it != attributes_.end()) out.insert(*it);
  }
  return out;
}

Result<bool> Sms::is_opted_out(const std::string& phone_number) const {
  EB_TRY(require_phone_number("phoneNumber", phone_number));
  std::lock_guard lock(mu_);
  return opted_out_.contains(phone_number);
}

Result<ListPhoneNumbersOutput> Sms::list_opted_out(const PageInput& page) const {
  std::lock_guard lock(mu_);
  ListPhoneNumbersOutput out;
  auto it = page.next_token.empty() ? opted_out_.begin() : opted_out_.upper_bound(page.next_token);
  for (; it != opted_out_.end(); ++it) {
    if (out.phone_numbers.size() == kOptedOutPageSize) {
      out.next_token = out.phone_numbers.back();
      break;
    }
    out.phone_numbers.push_back(*it);
  }
  return out;
}

Result<void> Sms::opt_in(const std::string& phone_number) {
  EB_TRY(require_phone_number("phoneNumber", phone_number));
  std::lock_guard lock(mu_);
  if (!opted_out_.contains(phone_number)) return {};
  auto changed = opted_out_;
  changed.erase(phone_number);
  EB_TRY(write_locked(attributes_, changed, sandbox_));
  opted_out_ = std::move(changed);
  return {};
}

Result<void> Sms::opt_out(const std::string& phone_number) {
  EB_TRY(require_phone_number("phoneNumber", phone_number));
  std::lock_guard lock(mu_);
  if (opted_out_.contains(phone_number)) return {};
  auto changed = opted_out_;
  changed.insert(phone_number);
  EB_TRY(write_locked(attributes_, changed, sandbox_));
  opted_out_ = std::move(changed);
  return {};
}

Result<void> Sms::create_sandbox_number(const std::string& phone_number,
                                        const std::optional<std::string>& language_code) {
  EB_TRY(require_phone_number("PhoneNumber", phone_number));
  if (language_code) {
    bool known = false;
    for (const char* code : kLanguageCodes) known = known || *language_code == code;
    if (!known) {
      return invalid(fmt::format("Invalid parameter: LanguageCode Reason: {} is not supported",
                                 *language_code));
    }
  }
  std::string password = one_time_password();
  {
    std::lock_guard lock(mu_);
    if (opted_out_.contains(phone_number)) {
      return fail(Errc::kOptedOut,
                  fmt::format("Phone number {} has opted out of receiving messages", phone_number));
    }
    auto changed = sandbox_;
    auto it = changed.find(phone_number);
    if (it != changed.end() && it->second.verified) return {};
    if (it == changed.end() && changed.size() >= kMaxSandboxNumbers) {
      return fail(Errc::kInvalidParameterValue,
                  "Invalid parameter: PhoneNumber Reason: the sandbox already holds the most "
                  "destination phone numbers an account may have (10)");
    }
    SandboxNumber& n = changed[phone_number];
    n.password = password;
    n.language_code = language_code.value_or("en-US");
    if (n.created == 0) n.created = clock_.now_ms();
    EB_TRY(write_locked(attributes_, opted_out_, changed));
    sandbox_ = std::move(changed);
  }
  const std::string id = random_uuid();
  endpoints_.deliver(EndpointMessage{
      .protocol = "sms",
      .endpoint = phone_number,
      .message_type = "Verification",
      .message_id = id,
      .body = fmt::format("Your Amazon SNS sandbox verification code is {}", password),
      .raw = true,
      .timestamp = clock_.now_ms()});
  return {};
}

Result<void> Sms::verify_sandbox_number(const std::string& phone_number,
                                        const std::string& password) {
  EB_TRY(require_phone_number("PhoneNumber", phone_number));
  std::lock_guard lock(mu_);
  auto it = sandbox_.find(phone_number);
  if (it == sandbox_.end()) {
    return fail(Errc::kResourceNotFound,
                fmt::format("Phone number {} is not in the SMS sandbox", phone_number));
  }
  if (it->second.verified) return {};
  if (password != it->second.password) {
    return fail(Errc::kVerification, "Invalid one-time password");
  }
  auto changed = sandbox_;
  changed[phone_number].verified = true;
  changed[phone_number].password.clear();
  EB_TRY(write_locked(attributes_, opted_out_, changed));
  sandbox_ = std::move(changed);
  return {};
}

Result<void> Sms::delete_sandbox_number(const std::string& phone_number) {
  EB_TRY(require_phone_number("PhoneNumber", phone_number));
  std::lock_guard lock(mu_);
  if (!sandbox_.contains(phone_number)) {
    return fail(Errc::kResourceNotFound,
                fmt::format("Phone number {} is not in the SMS sandbox", phone_number));
  }
  auto changed = sandbox_;
  changed.erase(phone_number);
  EB_TRY(write_locked(attributes_, opted_out_, changed));
  sandbox_ = std::move(changed);
  return {};
}

Result<ListSandboxPhoneNumbersOutput> Sms::list_sandbox_numbers(
    const LimitedPageInput& page) const {
  EB_ASSIGN_OR_RETURN(const std::size_t size, page_size(page.max_results, 100));
  std::lock_guard lock(mu_);
  ListSandboxPhoneNumbersOutput out;
  auto it = page.next_token.empty() ? sandbox_.begin() : sandbox_.upper_bound(page.next_token);
  for (; it != sandbox_.end(); ++it) {
    if (out.phone_numbers.size() == size) {
      out.next_token = out.phone_numbers.back().phone_number;
      break;
    }
    out.phone_numbers.push_back({it->first, it->second.verified ? "Verified" : "Pending"});
  }
  return out;
}

Result<std::vector<std::string>> Sms::list_origination_numbers(const LimitedPageInput& page) const {
  EB_TRY(page_size(page.max_results, 30));
  return std::vector<std::string>{};
}

}  // namespace eb::sns
