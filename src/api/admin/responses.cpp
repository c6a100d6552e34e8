#include "api/admin/responses.hpp"

#include <fmt/format.h>

#include "core/json_escape.hpp"

namespace eb::api::admin {
namespace http = boost::beast::http;

net::HttpResponse json_response(http::status status, std::string body) {
  net::HttpResponse res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  return res;
}

net::HttpResponse error_response(http::status status, std::string_view code,
                                 std::string_view message, std::string_view extra) {
  const std::string tail = extra.empty() ? std::string() : fmt::format(",{}", extra);
  return json_response(status, fmt::format(R"({{"error":{{"code":"{}","message":"{}"{}}}{}}})",
                                           json_escape(code), json_escape(message), tail, tail));
}

net::HttpResponse redirect_response(const net::HttpRequest& request, http::status status,
                                    std::string_view location) {
  net::HttpResponse res{status, request.version()};
  res.set(http::field::location, location);
  res.keep_alive(request.keep_alive());
  res.content_length(0);
  return res;
}

net::HttpResponse method_not_allowed(std::string_view path, std::string_view allowed) {
  auto res = error_response(http::status::method_not_allowed, "MethodNotAllowed",
                            fmt::format("{} supports {}", path, allowed));
  res.set(http::field::allow, allowed);
  return res;
}

net::HttpResponse no_route(const net::HttpRequest& request, std::string_view path) {
  return error_response(
      http::status::not_found, "NotFound",
      fmt::format("No route for {} {}", std::string_view(request.method_string()), path));
}

net::HttpResponse domain_error(const Error& error, std::string_view not_found_code) {
  const auto answer = [&](http::status status, std::string_view code) {
    return error_response(status, code, error.message);
  };
  // One arm per Errc and no default, so a new code cannot reach the wire unmapped.
  switch (error.code) {
    case Errc::kResourceNotFound:
      return answer(http::status::not_found, not_found_code);
    case Errc::kMalformedRequest:
      return answer(http::status::bad_request, "MalformedJson");
    case Errc::kQueueDoesNotExist:
    case Errc::kInvalidAddress:
    case Errc::kUnsupportedOperation:
      return answer(http::status::bad_request, "InvalidTarget");
    case Errc::kInvalidParameterValue:
    case Errc::kMissingParameter:
    case Errc::kInvalidAttributeName:
    case Errc::kInvalidAttributeValue:
    case Errc::kInvalidMessageContents:
      return answer(http::status::bad_request, "ValidationError");
    case Errc::kOverLimit:
    case Errc::kRequestThrottled:
      return answer(http::status::too_many_requests, "LimitExceeded");
    case Errc::kServiceUnavailable:
      return answer(http::status::service_unavailable, "ServiceUnavailable");
    // Codes no native route produces today; should one appear, it is our bug, not the caller's.
    case Errc::kInvalidAction:
    case Errc::kMissingAction:
    case Errc::kRequestTooLarge:
    case Errc::kInvalidSecurity:
    case Errc::kAccessDenied:
    case Errc::kInternalError:
    case Errc::kQueueNameExists:
    case Errc::kQueueDeletedRecently:
    case Errc::kPurgeQueueInProgress:
    case Errc::kReceiptHandleIsInvalid:
    case Errc::kMessageNotInflight:
    case Errc::kEmptyBatchRequest:
    case Errc::kTooManyEntriesInBatchRequest:
    case Errc::kBatchEntryIdsNotDistinct:
    case Errc::kBatchRequestTooLong:
    case Errc::kInvalidBatchEntryId:
    case Errc::kNotFound:
    case Errc::kParameterValueInvalid:
    case Errc::kValidationError:
    case Errc::kAuthorizationError:
    case Errc::kTagLimitExceeded:
    case Errc::kTopicLimitExceeded:
    case Errc::kSubscriptionLimitExceeded:
    case Errc::kFilterPolicyLimitExceeded:
    case Errc::kInvalidState:
    case Errc::kResourceAlreadyExists:
    case Errc::kLimitExceeded:
    case Errc::kInvalidEventPattern:
    case Errc::kConcurrentModification:
    case Errc::kIllegalStatus:
    case Errc::kManagedRule:
    case Errc::kEndpointDisabled:
    case Errc::kOptedOut:
    case Errc::kVerification:
    case Errc::kMissingAuthenticationToken:
    case Errc::kIncompleteSignature:
    case Errc::kInvalidClientTokenId:
    case Errc::kSignatureDoesNotMatch:
    case Errc::kExpiredToken:
      return answer(http::status::internal_server_error, "InternalError");
  }
  return answer(http::status::internal_server_error, "InternalError");  // not an Errc
}

net::HttpResponse plugin_error(const Error& error, std::string_view not_found_code,
                               std::string_view conflict_code) {
  switch (error.code) {
    case Errc::kResourceNotFound:
      return error_response(http::status::not_found, not_found_code, error.message);
    case Errc::kMalformedRequest:
      return error_response(http::status::bad_request, "MalformedRequest", error.message);
    case Errc::kMissingParameter:
      return error_response(http::status::bad_request, "MissingParameter", error.message);
    case Errc::kInvalidParameterValue:
      return error_response(http::status::bad_request, "InvalidParameterValue", error.message);
    case Errc::kUnsupportedOperation:
      return error_response(http::status::method_not_allowed, "MethodNotAllowed", error.message);
    case Errc::kInvalidState:
      return error_response(http::status::conflict, conflict_code, error.message);
    default:
      return domain_error(error);
  }
}

}  // namespace eb::api::admin
