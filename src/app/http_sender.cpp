#include "app/http_sender.hpp"

#include <memory>
#include <utility>

#include "app/outbound_faults.hpp"

namespace eb::app {

void NetHttpSender::send(events::HttpRequestSpec request, Done done) {
  if (faults_ == nullptr || faults_->empty()) {
    deliver(std::move(request), std::move(done));
    return;
  }
  // Shared: the delivery may wait on a timer, and std::function must be copyable.
  struct Held {
    events::HttpRequestSpec request;
    Done done;
  };
  auto held = std::make_shared<Held>(Held{std::move(request), std::move(done)});
  auto go = [this, held] { deliver(std::move(held->request), std::move(held->done)); };
  if (!inject_outbound_fault(faults_, held->request.method, held->request.url, go,
                             [held](int status, std::string error) {
                               held->done(events::HttpResponse{.status = status,
                                                               .error = std::move(error)});
                             })) {
    go();
  }
}

void NetHttpSender::deliver(events::HttpRequestSpec request, Done done) {
  client_.request(request.method, request.url, std::move(request.headers), std::move(request.body),
                  timeout_, [done = std::move(done)](net::HttpClientResult result) {
                    done(events::HttpResponse{.status = result.status,
                                              .error = std::move(result.error),
                                              .body = std::move(result.body)});
                  });
}

}  // namespace eb::app
