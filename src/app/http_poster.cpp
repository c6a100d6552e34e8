#include "app/http_poster.hpp"

#include <utility>

namespace eb::app {

void NetHttpPoster::post(const std::string& url, Headers headers, std::string body, Done done) {
  client_.post(url, std::move(headers), std::move(body), timeout_,
               [done = std::move(done)](net::HttpClientResult result) {
                 done(result.status, std::move(result.error));
               });
}

}  // namespace eb::app
