#pragma once
// One daemon's worth of state for the fuzz targets that drive whole requests: the default
// account's domains and API services, the dispatcher, the admin API with its /v1 routes, all
// in memory on a ManualClock, wired as app::Application wires them but with no socket, thread,
// plugin or outbound HTTP. A target builds one World per input, so nothing an input creates
// reaches the next; one thread uses it.
#include <memory>
#include <string_view>
#include <vector>

#include "api/aws/service.hpp"
#include "net/handler.hpp"

namespace eb::api::aws {
class Dispatcher;
}  // namespace eb::api::aws

namespace eb::app {
class Account;
}  // namespace eb::app

namespace eb::fuzz {

class World {
 public:
  World();
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // A whole HTTP request, as the server hands it over: the dispatcher routes it to an AWS
  // service or to the admin API. Its answer (if any yet) is appended to responses().
  void handle(net::HttpRequest&& request);
  // An AWS request already classified, straight to the default account's service addressed by
  // `signing_name` ("sqs", "sns", "events", "scheduler").
  void handle(std::string_view signing_name, api::aws::AwsRequest&& request);
  // A classified request in the default account as the dispatcher would pass it on.
  static api::aws::AwsRequest aws_request(api::aws::Protocol protocol,
                                          boost::beast::http::verb verb, std::string_view target,
                                          std::string_view body);
  // Answers what is parked (long polls), then checks what every request must get: exactly one
  // answer, never a 500 (DESIGN.md: bad input gets the AWS error a client expects). Aborts
  // with the offending response otherwise. With EB_FUZZ_TRACE set, prints every answer.
  void finish();

  app::Account& home();
  const std::vector<net::HttpResponse>& responses() const { return responses_; }

 private:
  net::Respond collect();

  struct Parts;
  std::unique_ptr<Parts> parts_;
  std::vector<net::HttpResponse> responses_;
  std::size_t requests_ = 0;
};

}  // namespace eb::fuzz
