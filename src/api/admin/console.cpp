#include "api/admin/console.hpp"

#include <fmt/format.h>

#include <boost/beast/http/verb.hpp>

#include "api/admin/responses.hpp"

namespace eb::api::admin {
namespace http = boost::beast::http;

namespace {

// Scripts, styles, fetches and images from the daemon itself only; no inline script, no
// framing, no plugins. The console needs nothing else (htm builds its templates without eval).
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

}  // namespace

net::HttpResponse Console::handle(const net::HttpRequest& request) const {
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    return method_not_allowed("/ui/", "GET, HEAD");
  }
  const std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  if (path == kPrefix) return redirect_response(request, http::status::moved_permanently, "/ui/");
  path.remove_prefix(kPrefix.size() + 1);  // "/ui/"
  if (path.empty()) path = "index.html";
  const ConsoleAsset* asset = nullptr;
  for (const ConsoleAsset& a : assets_) {
    if (a.path == path) {
      asset = &a;
      break;
    }
  }
  if (asset == nullptr) {
    return error_response(http::status::not_found, "NotFound",
                          fmt::format("the console has no file /ui/{}", path));
  }

  const std::string_view if_none_match = request[http::field::if_none_match];
  const bool not_modified =
      if_none_match == "*" || if_none_match.find(asset->etag) != std::string_view::npos;
  net::HttpResponse res{not_modified ? http::status::not_modified : http::status::ok,
                        request.version()};
  res.keep_alive(request.keep_alive());
  res.set(http::field::etag, asset->etag);
  // Revalidated on every load (a 304 costs one round trip on loopback), so a new binary's
  // console is never mixed with an old one's cached modules.
  res.set(http::field::cache_control, "no-cache");
  if (not_modified) return res;
  res.set(http::field::content_type, asset->content_type);
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.content_length(asset->body.size());
  if (request.method() == http::verb::get) res.body().assign(asset->body);
  return res;
}

}  // namespace eb::api::admin
