#include "api/aws/reply.hpp"

#include <boost/beast/http/field.hpp>
#include <memory>

namespace eb::api::aws {
namespace http = boost::beast::http;

net::HttpResponse aws_response(http::status status, std::string_view content_type,
                               std::string_view request_id, unsigned http_version, bool keep_alive,
                               std::string&& body) {
  net::HttpResponse res{status, http_version};
  res.set(http::field::content_type, content_type);
  res.set("x-amzn-RequestId", request_id);
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

net::HttpResponse success_response(const AwsRequest& request, std::string&& body) {
  return aws_response(
      http::status::ok,
      request.protocol == Protocol::kJson ? "application/x-amz-json-1.0" : "text/xml",
      request.request_id, request.http.version(), request.http.keep_alive(), std::move(body));
}

std::function<void()> success_reply(const AwsRequest& request, net::Respond respond,
                                    std::string&& body) {
  // Held by value (a response is copyable, as std::function requires of the callback; it is
  // only ever moved): a shared copy cost an allocation and its reference counts per call.
  return [respond = std::move(respond),
          res = success_response(request, std::move(body))]() mutable { respond(std::move(res)); };
}

}  // namespace eb::api::aws
