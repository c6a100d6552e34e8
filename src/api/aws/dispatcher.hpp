#pragma once
// Root HTTP handler: sends /health, /metrics and /v1/* to the native handler and every
// other request to the AWS service it addresses (X-Amz-Target for JSON protocols; form
// Action= plus the SigV4 credential scope, or the action name, for the query protocol).
// Stateless apart from its service table, which is fixed before the server starts.
#include <string>
#include <vector>

#include "api/aws/service.hpp"
#include "net/handler.hpp"

namespace eb::api::aws {

class Dispatcher final : public net::Handler {
 public:
  explicit Dispatcher(net::Handler& native);
  void add_service(Service& service);
  void handle(net::HttpRequest&& request, const boost::asio::ip::tcp::endpoint& peer,
              net::Respond respond) override;

 private:
  net::Handler& native_;
  std::vector<Service*> services_;
};

}  // namespace eb::api::aws
