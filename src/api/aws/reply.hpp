#pragma once
// The HTTP response every AWS answer is (status, content type, x-amzn-RequestId, the client's
// keep-alive, the body), and the success reply both services send once the request's writes are
// durable. Stateless functions; safe from any thread.
#include <boost/beast/http/status.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "api/aws/service.hpp"
#include "net/handler.hpp"

namespace eb::api::aws {

net::HttpResponse aws_response(boost::beast::http::status status, std::string_view content_type,
                               std::string_view request_id, unsigned http_version, bool keep_alive,
                               std::string&& body);

// 200 with `body`: application/x-amz-json-1.0 for JSON requests, text/xml for query ones.
net::HttpResponse success_response(const AwsRequest& request, std::string&& body);

// The success reply as the callback a domain's when_durable() takes (Queues, Topics): the 200
// leaves only once what this request wrote is as durable as the daemon promises (at once
// unless --durability fsync, then after the group commit covering it).
std::function<void()> success_reply(const AwsRequest& request, net::Respond respond,
                                    std::string&& body);

}  // namespace eb::api::aws
