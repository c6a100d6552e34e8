#include "api/aws/resource_account.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "core/account_id.hpp"

namespace eb::api::aws {

namespace {

constexpr std::array<std::string_view, 8> kAddressMembers = {
    "QueueUrl",    "TopicArn",    "TargetArn",    "SubscriptionArn",
    "ResourceArn", "ResourceARN", "EventBusName", "Name"};

// The account a member's value names: an ARN's account field, a queue URL's first path
// segment, or the value itself for QueueOwnerAWSAccountId.
std::string_view account_in(std::string_view member, std::string_view value) {
  if (member == "QueueOwnerAWSAccountId") return value;
  if (std::ranges::find(kAddressMembers, member) == kAddressMembers.end()) return {};
  if (value.starts_with("arn:")) return arn_account(value);
  if (member != "QueueUrl") return {};
  if (const auto scheme = value.find("://"); scheme != std::string_view::npos) {
    value.remove_prefix(scheme + 3);
    const auto slash = value.find('/');
    value = slash == std::string_view::npos ? std::string_view() : value.substr(slash);
  }
  if (!value.starts_with('/')) return {};
  value.remove_prefix(1);
  return value.substr(0, value.find('/'));
}

}  // namespace

std::string resource_account(const AwsRequest& request) {
  std::string_view found;
  switch (request.protocol) {
    case Protocol::kQuery: {
      for (const auto& [name, value] : request.form) {
        found = account_in(name, value);
        if (is_account_id(found)) return std::string(found);
      }
      // Older SDKs POST SQS calls to the queue URL itself.
      const std::string_view target = request.http.target();
      found = account_in("QueueUrl", target.substr(0, target.find('?')));
      break;
    }
    case Protocol::kJson:
    case Protocol::kRestJson: {
      simdjson::dom::parser parser;
      simdjson::dom::object object;
      const std::string& body = request.http.body();
      if (parser.parse(body.data(), body.size()).get(object) != simdjson::SUCCESS) return {};
      for (auto [key, value] : object) {
        std::string_view text;
        if (value.get(text) != simdjson::SUCCESS) continue;
        found = account_in(key, text);
        if (is_account_id(found)) return std::string(found);
      }
      return {};
    }
  }
  return is_account_id(found) ? std::string(found) : std::string();
}

}  // namespace eb::api::aws
