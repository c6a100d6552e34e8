#include "app/http_poster.hpp"

#include <memory>
#include <utility>

#include "app/outbound_faults.hpp"

namespace eb::app {

void NetHttpPoster::post(const std::string& url, Headers headers, std::string body, Done done) {
  if (faults_ == nullptr || faults_->empty()) {
    deliver(url, std::move(headers), std::move(body), std::move(done));
    return;
  }
  // Shared: the delivery may wait on a timer, and std::function must be copyable.
  struct Held {
    Headers headers;
    std::string body;
    Done done;
  };
  auto held = std::make_shared<Held>(Held{std::move(headers), std::move(body), std::move(done)});
  auto go = [this, url, held] {
    deliver(url, std::move(held->headers), std::move(held->body), std::move(held->done));
  };
  if (!inject_outbound_fault(faults_, "POST", url, go, [held](int status, std::string error) {
        held->done(status, std::move(error));
      })) {
    go();
  }
}

void NetHttpPoster::deliver(const std::string& url, Headers headers, std::string body, Done done) {
  client_.post(url, std::move(headers), std::move(body), timeout_,
               [done = std::move(done)](net::HttpClientResult result) {
                 done(result.status, std::move(result.error));
               });
}

}  // namespace eb::app
