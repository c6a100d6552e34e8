#include "api/aws/fault_injection.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <utility>

namespace eb::api::aws {
namespace http = boost::beast::http;

namespace {

constexpr std::array<std::string_view, 10> kResourceMembers = {
    "QueueUrl",     "QueueName", "TopicArn", "TargetArn",   "SubscriptionArn",
    "EventBusName", "Name",      "Arn",      "ResourceArn", "ResourceARN"};

bool is_resource_member(std::string_view name) {
  return std::ranges::find(kResourceMembers, name) != kResourceMembers.end();
}

// A URL's or ARN's last '/' or ':' segment: the name a rule may give instead.
void add_with_name(std::vector<std::string>& out, std::string value) {
  if (value.empty()) return;
  if (value.find("://") != std::string::npos || value.starts_with("arn:")) {
    const auto cut = value.find_last_of(value.starts_with("arn:") ? ":/" : "/");
    if (cut != std::string::npos && cut + 1 < value.size()) out.push_back(value.substr(cut + 1));
  }
  out.push_back(std::move(value));
}

void add_json_members(std::vector<std::string>& out, std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(body.data(), body.size()).get(object) != simdjson::SUCCESS) return;
  for (auto [key, value] : object) {
    std::string_view text;
    if (is_resource_member(key) && value.get(text) == simdjson::SUCCESS) {
      add_with_name(out, std::string(text));
    }
  }
}

std::string_view path_of(const net::HttpRequest& request) {
  const std::string_view target = request.target();
  return target.substr(0, target.find('?'));
}

}  // namespace

std::vector<std::string> fault_resources(const AwsRequest& request) {
  std::vector<std::string> out;
  switch (request.protocol) {
    case Protocol::kQuery: {
      for (const auto& [name, value] : request.form) {
        if (is_resource_member(name)) add_with_name(out, value);
      }
      // Older SDKs POST SQS calls to the queue URL: /ACCOUNT/NAME.
      const std::string_view path = path_of(request.http);
      if (path.size() > 1 && path.find('/', 1) != std::string_view::npos) {
        add_with_name(out, fmt::format("http://{}{}", request.host, path));
      }
      break;
    }
    case Protocol::kJson:
      add_json_members(out, request.http.body());
      break;
    case Protocol::kRestJson: {
      std::string_view path = path_of(request.http);
      while (path.ends_with('/')) path.remove_suffix(1);
      const auto cut = path.rfind('/');
      if (cut != std::string_view::npos && cut + 1 < path.size()) {
        out.emplace_back(path.substr(cut + 1));
      }
      add_json_members(out, request.http.body());
      break;
    }
  }
  return out;
}

std::string rest_json_operation(const net::HttpRequest& request) {
  std::string_view path = path_of(request);
  while (path.ends_with('/')) path.remove_suffix(1);
  const http::verb method = request.method();
  auto one_of = [&](std::string_view noun, std::string_view plural) -> std::string {
    if (path == fmt::format("/{}", plural)) {
      return method == http::verb::get ? fmt::format("List{}s", noun) : std::string();
    }
    switch (method) {
      case http::verb::post:
        return fmt::format("Create{}", noun);
      case http::verb::get:
        return fmt::format("Get{}", noun);
      case http::verb::put:
        return fmt::format("Update{}", noun);
      case http::verb::delete_:
        return fmt::format("Delete{}", noun);
      default:
        return {};
    }
  };
  if (path.starts_with("/schedule-groups")) return one_of("ScheduleGroup", "schedule-groups");
  if (path.starts_with("/schedules")) return one_of("Schedule", "schedules");
  if (path.starts_with("/tags/")) {
    switch (method) {
      case http::verb::get:
        return "ListTagsForResource";
      case http::verb::post:
        return "TagResource";
      case http::verb::delete_:
        return "UntagResource";
      default:
        return {};
    }
  }
  return {};
}

WireError fault_wire_error(std::string_view service, std::string_view code) {
  // SQS's KMS errors: query code (what SDKs report) -> the JSON shape name.
  static constexpr std::pair<std::string_view, std::string_view> kSqsKms[] = {
      {"KMS.AccessDeniedException", "KmsAccessDenied"},
      {"KMS.DisabledException", "KmsDisabled"},
      {"KMS.InvalidKeyUsageException", "KmsInvalidKeyUsage"},
      {"KMS.InvalidStateException", "KmsInvalidState"},
      {"KMS.NotFoundException", "KmsNotFound"},
      {"KMS.OptInRequired", "KmsOptInRequired"},
      {"KMS.ThrottlingException", "KmsThrottled"},
  };
  static constexpr std::pair<std::string_view, int> kStatuses[] = {
      {"ThrottlingException", 400}, {"Throttling", 400},
      {"RequestThrottled", 403},    {"Throttled", 429},
      {"ServiceUnavailable", 503},  {"ServiceUnavailableException", 503},
      {"InternalError", 500},       {"InternalFailure", 500},
      {"InternalException", 500},   {"InternalServerException", 500},
  };
  if (service == "sqs") {
    for (const auto& [query_code, shape] : kSqsKms) {
      if (query_code == code) return WireError{shape, query_code, 400, true};
    }
  }
  int status = 400;
  for (const auto& [known, known_status] : kStatuses) {
    if (known == code) status = known_status;
  }
  if (service == "scheduler" && code == "ThrottlingException") status = 429;
  return WireError{code, code, status, status < 500};
}

net::HttpResponse fault_error_response(std::string_view service, const AwsRequest& request,
                                       std::string_view code, unsigned http_version,
                                       bool keep_alive) {
  const WireError wire = fault_wire_error(service, code);
  const std::string message = fmt::format("Injected fault: {}", code);
  const std::string_view id = request.request_id;
  if (service == "sns") return sns_xml_error_response(wire, message, id, http_version, keep_alive);
  if (service == "sts") return sts_xml_error_response(wire, message, id, http_version, keep_alive);
  if (service == "events")
    return events_error_response(wire, message, id, http_version, keep_alive);
  if (service == "scheduler") {
    return scheduler_error_response(wire, message, id, http_version, keep_alive);
  }
  return request.protocol == Protocol::kJson
             ? json_error_response(wire, message, id, http_version, keep_alive)
             : xml_error_response(wire, message, id, http_version, keep_alive);
}

}  // namespace eb::api::aws
