#pragma once
// The web console's files under /ui/ (ui/ in the source tree, embedded into the binary at build
// time by cmake/EmbedFiles.cmake): GET and HEAD, the content type by extension, a strong ETag
// (a hash of the content, made at build time) answered with 304 when If-None-Match has it, and
// headers that keep the pages to the daemon's own scripts (Content-Security-Policy, nosniff).
// /ui redirects to /ui/, which is index.html. The console itself is a client of the JSON /v1
// routes; nothing here renders HTML. Thread-safe (read-only).
#include <span>
#include <string_view>

#include "net/handler.hpp"

namespace eb::api::admin {

struct ConsoleAsset {
  std::string_view path;  // below /ui/, e.g. "index.html", "pages/queue.js"
  std::string_view content_type;
  std::string_view etag;  // quoted, e.g. "\"3f2a...\""
  std::string_view body;
};

// The files built into this binary (console_assets.cpp, generated).
std::span<const ConsoleAsset> console_assets();

class Console {
 public:
  static constexpr std::string_view kPrefix = "/ui";

  explicit Console(std::span<const ConsoleAsset> assets) : assets_(assets) {}

  net::HttpResponse handle(const net::HttpRequest& request) const;

 private:
  std::span<const ConsoleAsset> assets_;
};

}  // namespace eb::api::admin
