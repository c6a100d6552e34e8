#include "api/admin/plugins_api.hpp"

#include <fmt/format.h>

#include "api/admin/responses.hpp"
#include "api/aws/form.hpp"
#include "plugins/host.hpp"

namespace eb::api::admin {
namespace http = boost::beast::http;

net::HttpResponse PluginsApi::handle(const net::HttpRequest& request) const {
  const std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  path.remove_prefix(std::min(path.size(), kPrefix.size()));
  if (path.empty() || path == "/") {
    if (request.method() != http::verb::get) {
      auto res = error_response(http::status::method_not_allowed, "MethodNotAllowed",
                                "/v1/plugins supports GET");
      res.set(http::field::allow, "GET");
      return res;
    }
    return json_response(http::status::ok, host_.list_json());
  }
  // "/{name}/{segment}/...": each segment percent-decoded.
  std::vector<std::string> segments;
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/'
    const std::size_t end = path.find('/');
    auto segment = aws::url_decode(path.substr(0, end), false);
    if (!segment) {
      return error_response(http::status::bad_request, "MalformedRequest",
                            "the path is not validly percent-encoded");
    }
    segments.push_back(std::move(*segment));
    path.remove_prefix(end == std::string_view::npos ? path.size() : end);
  }
  if (!segments.empty() && segments.back().empty()) segments.pop_back();  // a trailing '/'
  plugins::PluginRequest inner;
  inner.method = std::string(request.method_string());
  inner.path.assign(segments.begin() + 1, segments.end());
  inner.body = request.body();
  auto answer = host_.handle(segments.front(), inner);
  if (!answer) return plugin_error(answer.error());
  return json_response(http::status::ok, std::move(*answer));
}

}  // namespace eb::api::admin
