#pragma once
// The default account's SQS queues over HTTP, for the web console and test harnesses
// (docs/admin-api.md):
//   GET /v1/queues?prefix=                       every queue with its counts, by name
//   GET /v1/queues/{name}                        one queue, with all attributes and tags
//   GET /v1/queues/{name}/messages?state=&limit=&after=
//                                                its messages by seq, changing nothing
//   POST /v1/queues/{name}/messages              send one (JSON: body, delaySeconds,
//                                                messageGroupId, messageDeduplicationId,
//                                                messageAttributes)
//   POST /v1/queues/{name}/purge                 PurgeQueue
//   POST /v1/queues/{name}/redrive               start moving a dead-letter queue's messages
//                                                (JSON: destination, maxPerSecond)
//   GET /v1/queues/{name}/redrive                its move tasks, newest first
//   DELETE /v1/queues/{name}/redrive             cancel the running one
// Every route decodes, makes one sqs::Queues call and encodes. Registered with AdminApi by app/,
// whose BrowserGuard holds the state-changing ones to the daemon's own origin.
// Thread-safe (Queues is).
#include <string_view>

#include "net/handler.hpp"

namespace eb::sqs {
class Queues;
}

namespace eb::api::admin {

class QueuesApi {
 public:
  static constexpr std::string_view kPrefix = "/v1/queues";

  explicit QueuesApi(eb::sqs::Queues& queues) : queues_(queues) {}

  net::HttpResponse handle(const net::HttpRequest& request) const;

 private:
  net::HttpResponse list(std::string_view host, std::string_view query) const;
  net::HttpResponse get(std::string_view host, const std::string& name) const;
  net::HttpResponse messages(const std::string& name, std::string_view query) const;
  net::HttpResponse send(const std::string& name, std::string_view body) const;
  net::HttpResponse purge(const std::string& name) const;
  net::HttpResponse start_redrive(const std::string& name, std::string_view body) const;
  net::HttpResponse list_redrives(const std::string& name) const;
  net::HttpResponse cancel_redrive(const std::string& name) const;

  eb::sqs::Queues& queues_;
};

}  // namespace eb::api::admin
