#include "app/http_sender.hpp"

#include <utility>

namespace eb::app {

void NetHttpSender::send(events::HttpRequestSpec request, Done done) {
  client_.request(request.method, request.url, std::move(request.headers), std::move(request.body),
                  timeout_, [done = std::move(done)](net::HttpClientResult result) {
                    done(events::HttpResponse{.status = result.status,
                                              .error = std::move(result.error),
                                              .body = std::move(result.body)});
                  });
}

}  // namespace eb::app
