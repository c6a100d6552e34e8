#pragma once
// Root HTTP handler: sends /health, /metrics and /v1/* to the native handler and every
// other request to the AWS service it addresses (X-Amz-Target for JSON protocols; form
// Action= plus the SigV4 credential scope, or the action name, for the query protocol).
// Stateless apart from its service table, which is fixed before the server starts.
#include <string>
#include <vector>

#include "api/aws/service.hpp"
#include "net/handler.hpp"

namespace eb::faults {
class FaultRules;
}

namespace eb::api::aws {

class Dispatcher final : public net::Handler {
 public:
  explicit Dispatcher(net::Handler& native);
  void add_service(Service& service);
  // Fault injection: every AWS call is checked against `rules` (which must outlive this) once
  // its service and action are known. Call before the server starts.
  void set_faults(faults::FaultRules* rules) { faults_ = rules; }
  void handle(net::HttpRequest&& request, const boost::asio::ip::tcp::endpoint& peer,
              net::Respond respond) override;

 private:
  // Hands a classified request to its service, unless a fault rule answers it instead (or
  // delays it on the daemon's timers first).
  void dispatch(Service& service, AwsRequest&& request, net::Respond respond);

  net::Handler& native_;
  std::vector<Service*> services_;
  faults::FaultRules* faults_ = nullptr;
};

}  // namespace eb::api::aws
