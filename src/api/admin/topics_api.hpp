#pragma once
// The default account's SNS topics over HTTP, for the web console and test harnesses
// (docs/admin-api.md):
//   GET /v1/topics?prefix=              every topic with its subscription counts and counters
//   GET /v1/topics/{name}               one topic, with its attributes, tags and subscriptions
//                                       (protocol, endpoint, filter policy, redrive policy)
//   POST /v1/topics/{name}/publish      Publish (JSON: message, subject, messageAttributes,
//                                       messageGroupId, messageDeduplicationId,
//                                       messageStructure), with SNS's errors
//   POST /v1/filter-policies/test       whether a filter policy takes a message (JSON:
//                                       filterPolicy, scope, messageAttributes, message)
// Every route decodes, makes one sns::Topics call and encodes. Registered with AdminApi by app/
// for both prefixes; its BrowserGuard holds the POSTs to the daemon's own origin.
// Thread-safe (Topics is).
#include <string_view>

#include "net/handler.hpp"

namespace eb::sns {
class Topics;
}

namespace eb::api::admin {

class TopicsApi {
 public:
  static constexpr std::string_view kPrefix = "/v1/topics";
  static constexpr std::string_view kFilterPoliciesPrefix = "/v1/filter-policies";

  explicit TopicsApi(eb::sns::Topics& topics) : topics_(topics) {}

  net::HttpResponse handle(const net::HttpRequest& request) const;

 private:
  net::HttpResponse list(std::string_view query) const;
  net::HttpResponse get(const std::string& name) const;
  net::HttpResponse publish(const std::string& name, std::string_view body) const;
  net::HttpResponse filter_policies(const net::HttpRequest& request) const;
  static net::HttpResponse test_filter_policy(std::string_view body);

  eb::sns::Topics& topics_;
};

}  // namespace eb::api::admin
