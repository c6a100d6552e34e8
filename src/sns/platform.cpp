#include "sns/platform.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "core/encoding.hpp"
#include "eventbroker/codec.hpp"
#include "eventbroker/v1/records.pb.h"
#include "sns/publish.hpp"
#include "sns/rules.hpp"
#include "storage/engine.hpp"

namespace eb::sns {
namespace {

constexpr std::uint32_t kRecordVersion = 1;
constexpr std::string_view kApplicationPrefix = "sns_app/";
constexpr std::string_view kEndpointPrefix = "sns_endpoint/";
// A prefix's keys are [prefix, prefix + 0xff): ARNs are ASCII.
std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  end.push_back('\xff');
  return end;
}

constexpr std::array kPlatforms = {
    "ADM",   "APNS",          "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "BAIDU", "GCM",
    "MACOS", "MACOS_SANDBOX", "MPNS",         "WNS"};

constexpr std::array kApplicationAttributes = {
    "PlatformCredential",     "PlatformPrincipal",      "EventEndpointCreated",
    "EventEndpointDeleted",   "EventEndpointUpdated",   "EventDeliveryFailure",
    "SuccessFeedbackRoleArn", "FailureFeedbackRoleArn", "SuccessFeedbackSampleRate",
    "ApplePlatformTeamID",    "ApplePlatformBundleID",  "AuthenticationMethod"};

constexpr std::size_t kMaxCustomUserData = 2048;

template <std::size_t N>
bool contains(const std::array<const char*, N>& names, std::string_view name) {
  for (const char* n : names) {
    if (name == n) return true;
  }
  return false;
}

Error invalid(std::string message) { return {Errc::kInvalidParameterValue, std::move(message)}; }

bool is_application_name(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<void> validate_application_attribute(const std::string& name, const std::string& value) {
  if (!contains(kApplicationAttributes, name)) {
    return std::unexpected(invalid(
        fmt::format("Invalid parameter: Attributes Reason: Invalid attribute name: {}", name)));
  }
  if (name == "SuccessFeedbackSampleRate") {
    if (value.empty() || value.size() > 3 ||
        value.find_first_not_of("0123456789") != std::string::npos || std::stoi(value) > 100) {
      return std::unexpected(invalid(
          "Invalid parameter: Attributes Reason: SuccessFeedbackSampleRate must be an integer "
          "from 0 to 100"));
    }
  }
  if (name == "AuthenticationMethod" && value != "Certificate" && value != "Token") {
    return std::unexpected(
        invalid("Invalid parameter: Attributes Reason: AuthenticationMethod must be Certificate or "
                "Token"));
  }
  if ((name == "PlatformCredential" || name == "PlatformPrincipal") && value.empty()) {
    return std::unexpected(
        invalid(fmt::format("Invalid parameter: Attributes Reason: {} must not be empty", name)));
  }
  return {};
}

Result<void> validate_endpoint_attribute(const std::string& name, const std::string& value) {
  if (name == "Enabled") {
    if (value != "true" && value != "false") {
      return std::unexpected(
          invalid("Invalid parameter: Attributes Reason: Enabled must be true or false"));
    }
  } else if (name == "Token") {
    if (value.empty()) {
      return std::unexpected(invalid("Invalid parameter: Token Reason: must not be empty"));
    }
  } else if (name == "CustomUserData") {
    if (value.size() > kMaxCustomUserData) {
      return std::unexpected(
          invalid("Invalid parameter: CustomUserData Reason: longer than 2048 bytes"));
    }
  } else {
    return std::unexpected(invalid(
        fmt::format("Invalid parameter: Attributes Reason: Invalid attribute name: {}", name)));
  }
  return {};
}

Result<void> require_resource(std::string_view arn, std::string_view kind,
                              std::string_view member) {
  if (!arn_resource(arn, "sns").starts_with(kind)) {
    return std::unexpected(
        invalid(fmt::format("Invalid parameter: {} Reason: not a valid ARN: {}", member, arn)));
  }
  return {};
}

// One page of a map ordered by ARN: after `token` (the last ARN of the previous page).
template <class Map, class Fn>
std::string page_of(const Map& map, const PageInput& page, std::size_t size, Fn&& take) {
  auto it = page.next_token.empty() ? map.begin() : map.upper_bound(page.next_token);
  std::size_t taken = 0;
  std::string last;
  for (; it != map.end(); ++it) {
    if (!take(it->first, it->second, taken < size)) continue;
    if (taken == size) return last;
    ++taken;
    last = it->first;
  }
  return {};
}

}  // namespace

bool is_known_platform(std::string_view platform) { return contains(kPlatforms, platform); }

std::string_view endpoint_platform(std::string_view endpoint_arn) {
  std::string_view resource = arn_resource(endpoint_arn, "sns");
  if (!resource.starts_with("endpoint/")) return {};
  resource.remove_prefix(9);
  return resource.substr(0, resource.find('/'));
}

bool is_endpoint_arn(std::string_view arn) { return !endpoint_platform(arn).empty(); }

Platforms::Platforms(const Clock& clock, storage::Engine& engine, EndpointDelivery& endpoints,
                     std::string arn_prefix)
    : clock_(clock),
      engine_(engine),
      endpoints_out_(endpoints),
      arn_prefix_(std::move(arn_prefix)) {}

Result<void> Platforms::write_application_locked(const std::string& arn, const Application& app) {
  eventbroker::v1::PlatformApplicationRecord p;
  p.set_format_version(kRecordVersion);
  p.set_name(app.name);
  p.set_platform(app.platform);
  p.mutable_attributes()->insert(app.attributes.begin(), app.attributes.end());
  p.set_created_ms(app.created);
  storage::Batch batch;
  batch.put(storage::Family::kMeta, std::string(kApplicationPrefix) + arn, p.SerializeAsString());
  return engine_.write(batch);
}

Result<void> Platforms::write_endpoint_locked(const std::string& arn, const Endpoint& endpoint) {
  eventbroker::v1::PlatformEndpointRecord p;
  p.set_format_version(kRecordVersion);
  p.set_arn(arn);
  p.set_application_arn(endpoint.application_arn);
  p.mutable_attributes()->insert(endpoint.attributes.begin(), endpoint.attributes.end());
  p.set_created_ms(endpoint.created);
  storage::Batch batch;
  batch.put(storage::Family::kMeta, std::string(kEndpointPrefix) + arn, p.SerializeAsString());
  return engine_.write(batch);
}

Result<void> Platforms::recover() {
  std::lock_guard lock(mu_);
  std::string undecodable;
  EB_TRY(engine_.scan(
      storage::Family::kMeta, kApplicationPrefix, prefix_end(kApplicationPrefix),
      [&](std::string_view key, std::string_view value) {
        auto p = proto::parse<eventbroker::v1::PlatformApplicationRecord>(value);
        if (!p) {
          undecodable = std::string(key);
          return false;
        }
        Application app{.name = p->name(),
                        .platform = p->platform(),
                        .attributes = {p->attributes().begin(), p->attributes().end()},
                        .created = p->created_ms()};
        applications_.emplace(std::string(key.substr(kApplicationPrefix.size())), std::move(app));
        return true;
      }));
  storage::Batch sweep;
  EB_TRY(engine_.scan(storage::Family::kMeta, kEndpointPrefix, prefix_end(kEndpointPrefix),
                      [&](std::string_view key, std::string_view value) {
                        auto p = proto::parse<eventbroker::v1::PlatformEndpointRecord>(value);
                        if (!p) {
                          undecodable = std::string(key);
                          return false;
                        }
                        if (!applications_.contains(p->application_arn())) {
                          sweep.erase(storage::Family::kMeta, std::string(key));
                          return true;
                        }
                        endpoints_.emplace(
                            p->arn(),
                            Endpoint{.application_arn = p->application_arn(),
                                     .attributes = {p->attributes().begin(), p->attributes().end()},
                                     .created = p->created_ms()});
                        return true;
                      }));
  if (!undecodable.empty()) {
    return fail(Errc::kInternalError, "undecodable platform record " + undecodable);
  }
  if (!sweep.empty()) EB_TRY(engine_.write(sweep));
  return {};
}

// --- applications ----------------------------------------------------------------------------

Result<std::string> Platforms::create_application(const std::string& name,
                                                  const std::string& platform,
                                                  const AttributeMap& attributes) {
  if (!is_application_name(name)) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: Name Reason: must be 1 to 256 letters, digits, underscores, "
                "hyphens and periods");
  }
  if (!is_known_platform(platform)) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("Invalid parameter: Platform Reason: {} is not supported", platform));
  }
  for (const auto& [key, value] : attributes) EB_TRY(validate_application_attribute(key, value));
  if (!attributes.contains("PlatformCredential")) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: Attributes Reason: PlatformCredential attribute is required");
  }
  // Firebase (GCM) takes a key or a service account alone; every other service names a
  // principal (certificate, key id, client id, package SID) next to the secret.
  if (platform != "GCM" && !attributes.contains("PlatformPrincipal")) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: Attributes Reason: PlatformPrincipal attribute is required");
  }
  const std::string arn = fmt::format("{}app/{}/{}", arn_prefix_, platform, name);
  std::lock_guard lock(mu_);
  if (auto it = applications_.find(arn); it != applications_.end()) {
    if (it->second.attributes == attributes) return arn;
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: Name Reason: An application with the same name but "
                "different properties already exists");
  }
  Application app{
      .name = name, .platform = platform, .attributes = attributes, .created = clock_.now_ms()};
  EB_TRY(write_application_locked(arn, app));
  applications_.emplace(arn, std::move(app));
  return arn;
}

Result<AttributeMap> Platforms::application_attributes(const std::string& arn) const {
  EB_TRY(require_resource(arn, "app/", "PlatformApplicationArn"));
  std::lock_guard lock(mu_);
  auto it = applications_.find(arn);
  if (it == applications_.end()) return fail(Errc::kNotFound, "PlatformApplication does not exist");
  AttributeMap out = it->second.attributes;
  out.erase("PlatformCredential");  // a secret: AWS never answers it
  out.emplace("Enabled", "true");
  return out;
}

Result<void> Platforms::set_application_attributes(const std::string& arn,
                                                   const AttributeMap& attributes) {
  EB_TRY(require_resource(arn, "app/", "PlatformApplicationArn"));
  for (const auto& [key, value] : attributes) EB_TRY(validate_application_attribute(key, value));
  std::lock_guard lock(mu_);
  auto it = applications_.find(arn);
  if (it == applications_.end()) return fail(Errc::kNotFound, "PlatformApplication does not exist");
  Application changed = it->second;
  for (const auto& [key, value] : attributes) changed.attributes[key] = value;
  EB_TRY(write_application_locked(arn, changed));
  it->second = std::move(changed);
  return {};
}

Result<ListPlatformApplicationsOutput> Platforms::list_applications(const PageInput& page) const {
  std::lock_guard lock(mu_);
  ListPlatformApplicationsOutput out;
  out.next_token = page_of(applications_, page, kPageSize,
                           [&](const std::string& arn, const Application& app, bool room) {
                             if (room) {
                               AttributeMap attributes = app.attributes;
                               attributes.erase("PlatformCredential");
                               attributes.emplace("Enabled", "true");
                               out.applications.push_back({arn, std::move(attributes)});
                             }
                             return true;
                           });
  return out;
}

Result<void> Platforms::delete_application(const std::string& arn) {
  EB_TRY(require_resource(arn, "app/", "PlatformApplicationArn"));
  std::lock_guard lock(mu_);
  storage::Batch batch;
  std::vector<std::string> gone;
  for (const auto& [endpoint_arn, endpoint] : endpoints_) {
    if (endpoint.application_arn != arn) continue;
    batch.erase(storage::Family::kMeta, std::string(kEndpointPrefix) + endpoint_arn);
    gone.push_back(endpoint_arn);
  }
  if (!applications_.contains(arn) && gone.empty()) return {};
  batch.erase(storage::Family::kMeta, std::string(kApplicationPrefix) + arn);
  EB_TRY(engine_.write(batch));
  for (const auto& endpoint_arn : gone) endpoints_.erase(endpoint_arn);
  applications_.erase(arn);
  return {};
}

Result<std::size_t> Platforms::reset() {
  std::lock_guard lock(mu_);
  storage::Batch batch;
  for (const std::string_view prefix : {kApplicationPrefix, kEndpointPrefix}) {
    batch.erase_range(storage::Family::kMeta, std::string(prefix), prefix_end(prefix));
  }
  EB_TRY(engine_.write(batch));
  const std::size_t dropped = applications_.size();
  applications_.clear();
  endpoints_.clear();
  return dropped;
}

// --- endpoints -------------------------------------------------------------------------------

Result<std::string> Platforms::create_endpoint(const CreatePlatformEndpointInput& input) {
  EB_TRY(require_resource(input.application_arn, "app/", "PlatformApplicationArn"));
  if (input.token.empty()) {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: Token Reason: must not be empty");
  }
  AttributeMap wanted = input.attributes;
  for (const auto& [key, value] : wanted) EB_TRY(validate_endpoint_attribute(key, value));
  if (input.custom_user_data) {
    EB_TRY(validate_endpoint_attribute("CustomUserData", *input.custom_user_data));
    wanted["CustomUserData"] = *input.custom_user_data;
  }
  wanted["Token"] = input.token;
  std::lock_guard lock(mu_);
  auto app = applications_.find(input.application_arn);
  if (app == applications_.end()) {
    return fail(Errc::kNotFound, "PlatformApplication does not exist");
  }
  for (const auto& [arn, endpoint] : endpoints_) {
    if (endpoint.application_arn != input.application_arn) continue;
    auto token = endpoint.attributes.find("Token");
    if (token == endpoint.attributes.end() || token->second != input.token) continue;
    // The same token again: the same endpoint, unless the call asks for something else.
    for (const auto& [key, value] : wanted) {
      auto have = endpoint.attributes.find(key);
      if (have == endpoint.attributes.end() || have->second != value) {
        return fail(Errc::kInvalidParameterValue,
                    fmt::format("Invalid parameter: Token Reason: Endpoint {} already exists "
                                "with the same Token, but different attributes.",
                                arn));
      }
    }
    return arn;
  }
  const std::string arn = fmt::format("{}endpoint/{}/{}/{}", arn_prefix_, app->second.platform,
                                      app->second.name, random_uuid());
  Endpoint endpoint{.application_arn = input.application_arn,
                    .attributes = std::move(wanted),
                    .created = clock_.now_ms()};
  endpoint.attributes.emplace("Enabled", "true");
  EB_TRY(write_endpoint_locked(arn, endpoint));
  endpoints_.emplace(arn, std::move(endpoint));
  return arn;
}

Result<AttributeMap> Platforms::endpoint_attributes(const std::string& arn) const {
  EB_TRY(require_resource(arn, "endpoint/", "EndpointArn"));
  std::lock_guard lock(mu_);
  auto it = endpoints_.find(arn);
  if (it == endpoints_.end()) return fail(Errc::kNotFound, "Endpoint does not exist");
  return it->second.attributes;
}

Result<void> Platforms::set_endpoint_attributes(const std::string& arn,
                                                const AttributeMap& attributes) {
  EB_TRY(require_resource(arn, "endpoint/", "EndpointArn"));
  for (const auto& [key, value] : attributes) EB_TRY(validate_endpoint_attribute(key, value));
  std::lock_guard lock(mu_);
  auto it = endpoints_.find(arn);
  if (it == endpoints_.end()) return fail(Errc::kNotFound, "Endpoint does not exist");
  Endpoint changed = it->second;
  for (const auto& [key, value] : attributes) changed.attributes[key] = value;
  EB_TRY(write_endpoint_locked(arn, changed));
  it->second = std::move(changed);
  return {};
}

Result<ListEndpointsOutput> Platforms::list_endpoints(const std::string& application_arn,
                                                      const PageInput& page) const {
  EB_TRY(require_resource(application_arn, "app/", "PlatformApplicationArn"));
  std::lock_guard lock(mu_);
  if (!applications_.contains(application_arn)) {
    return fail(Errc::kNotFound, "PlatformApplication does not exist");
  }
  ListEndpointsOutput out;
  out.next_token = page_of(endpoints_, page, kPageSize,
                           [&](const std::string& arn, const Endpoint& endpoint, bool room) {
                             if (endpoint.application_arn != application_arn) return false;
                             if (room) out.endpoints.push_back({arn, endpoint.attributes});
                             return true;
                           });
  return out;
}

Result<void> Platforms::delete_endpoint(const std::string& arn) {
  EB_TRY(require_resource(arn, "endpoint/", "EndpointArn"));
  std::lock_guard lock(mu_);
  if (!endpoints_.contains(arn)) return {};
  storage::Batch batch;
  batch.erase(storage::Family::kMeta, std::string(kEndpointPrefix) + arn);
  EB_TRY(engine_.write(batch));
  endpoints_.erase(arn);
  return {};
}

// --- publishing ------------------------------------------------------------------------------

Result<PublishOutput> Platforms::publish(const PublishInput& input) {
  const std::string& arn = input.target_arn;
  EB_TRY(validate_message(input));
  std::string body = input.message;
  if (!input.message_structure.empty()) {
    if (input.message_structure != "json") {
      return fail(Errc::kInvalidParameterValue, "Invalid parameter: MessageStructure");
    }
    EB_ASSIGN_OR_RETURN(auto variants, parse_message_structure(input.message));
    body = variants.for_protocol(endpoint_platform(arn));
  }
  {
    std::lock_guard lock(mu_);
    auto it = endpoints_.find(arn);
    if (it == endpoints_.end()) return fail(Errc::kNotFound, "Endpoint does not exist");
    auto enabled = it->second.attributes.find("Enabled");
    if (enabled != it->second.attributes.end() && enabled->second == "false") {
      return fail(Errc::kEndpointDisabled, "Endpoint is disabled");
    }
  }
  const std::string id = random_uuid();
  endpoints_out_.deliver(EndpointMessage{.protocol = "application",
                                         .endpoint = arn,
                                         .message_type = "Notification",
                                         .message_id = id,
                                         .body = std::move(body),
                                         .raw = true,
                                         .timestamp = clock_.now_ms()});
  return PublishOutput{.message_id = id};
}

}  // namespace eb::sns
