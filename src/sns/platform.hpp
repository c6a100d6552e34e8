#pragma once
// Mobile push: platform applications (one per push service and app: GCM, APNS, ...) and the
// platform endpoints (devices) registered under them. There is no push service behind them:
// a publish to an endpoint, straight or through a topic's `application` subscription, is
// recorded in the outbox with the text the endpoint's platform would get.
//
// Platforms owns its applications and endpoints and their records (kMeta, "sns_app/<arn>" and
// "sns_endpoint/<arn>", proto PlatformApplicationRecord / PlatformEndpointRecord). Thread-safe:
// one mutex guards both maps and is held while their records are written, never while
// delivering. It is a leaf: no other lock is taken under it.
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/types.hpp"

namespace eb::storage {
class Engine;
}  // namespace eb::storage

namespace eb::sns {

// The push services AWS accepts as CreatePlatformApplication's Platform.
bool is_known_platform(std::string_view platform);
// "arn:...:endpoint/<platform>/<app>/<id>" -> "<platform>"; "" for any other ARN.
std::string_view endpoint_platform(std::string_view endpoint_arn);
bool is_endpoint_arn(std::string_view arn);

struct PlatformApplicationSummary {
  std::string arn;
  AttributeMap attributes;
};

struct ListPlatformApplicationsOutput {
  std::vector<PlatformApplicationSummary> applications;
  std::string next_token;  // empty: no more pages
};

struct CreatePlatformEndpointInput {
  std::string application_arn;
  std::string token;
  std::optional<std::string> custom_user_data;
  AttributeMap attributes;  // Enabled, CustomUserData, Token
};

struct EndpointSummary {
  std::string arn;
  AttributeMap attributes;
};

struct ListEndpointsOutput {
  std::vector<EndpointSummary> endpoints;
  std::string next_token;
};

class Platforms {
 public:
  // Applications and endpoints on one page of a list.
  static constexpr std::size_t kPageSize = 100;

  // `arn_prefix` is "arn:aws:sns:<region>:<account>:". Every argument outlives this object.
  Platforms(const Clock& clock, storage::Engine& engine, EndpointDelivery& endpoints,
            std::string arn_prefix);
  Platforms(const Platforms&) = delete;
  Platforms& operator=(const Platforms&) = delete;

  // Loads applications and endpoints (startup, before any request); endpoints whose
  // application is gone are deleted.
  Result<void> recover();
  // Drops every application and endpoint in one write (POST /v1/reset) -> how many
  // applications there were.
  Result<std::size_t> reset();

  // -> the application's ARN. The same name and platform with the same attributes is the same
  // application; with other attributes it is refused.
  Result<std::string> create_application(const std::string& name, const std::string& platform,
                                         const AttributeMap& attributes);
  // Every attribute but the credential, with Enabled.
  Result<AttributeMap> application_attributes(const std::string& arn) const;
  Result<void> set_application_attributes(const std::string& arn, const AttributeMap& attributes);
  Result<ListPlatformApplicationsOutput> list_applications(const PageInput& page) const;
  // Deletes its endpoints too. An unknown application is not an error (AWS's behaviour).
  Result<void> delete_application(const std::string& arn);

  // -> the endpoint's ARN. A token already registered under the application answers its
  // endpoint when the attributes asked for match it, and is refused otherwise.
  Result<std::string> create_endpoint(const CreatePlatformEndpointInput& input);
  Result<AttributeMap> endpoint_attributes(const std::string& arn) const;
  Result<void> set_endpoint_attributes(const std::string& arn, const AttributeMap& attributes);
  Result<ListEndpointsOutput> list_endpoints(const std::string& application_arn,
                                             const PageInput& page) const;
  // An unknown endpoint is not an error.
  Result<void> delete_endpoint(const std::string& arn);

  // Publish with TargetArn = an endpoint ARN: into the outbox (protocol "application"), the
  // platform's own text when MessageStructure is json. A disabled endpoint is refused.
  Result<PublishOutput> publish(const PublishInput& input);

 private:
  struct Application {
    std::string name;
    std::string platform;
    AttributeMap attributes;
    Millis created = 0;
  };
  struct Endpoint {
    std::string application_arn;
    AttributeMap attributes;  // Token, Enabled, CustomUserData
    Millis created = 0;
  };

  Result<void> write_application_locked(const std::string& arn, const Application& app);
  Result<void> write_endpoint_locked(const std::string& arn, const Endpoint& endpoint);

  const Clock& clock_;
  storage::Engine& engine_;
  EndpointDelivery& endpoints_out_;
  const std::string arn_prefix_;
  mutable std::mutex mu_;
  std::map<std::string, Application> applications_;  // by ARN
  std::map<std::string, Endpoint> endpoints_;        // by ARN
};

}  // namespace eb::sns
