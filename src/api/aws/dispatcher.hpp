#pragma once
// Root HTTP handler: sends /health, /metrics and /v1/* to the native handler and every
// other request to the AWS service it addresses (X-Amz-Target for JSON protocols; form
// Action= plus the SigV4 credential scope, or the action name, for the query protocol).
// Stateless apart from its service table and account router, fixed before the server starts.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/aws/api_metrics.hpp"
#include "api/aws/service.hpp"
#include "api/aws/sigv4_verify.hpp"
#include "core/errors.hpp"
#include "net/handler.hpp"

namespace eb::faults {
class FaultRules;
}

namespace eb::api::aws {

class Dispatcher final : public net::Handler {
 public:
  // Given the service a request addresses (one added with add_service) and the request, the
  // instance that acts in the request's account, with the account recorded in the request; an
  // error (the store refusing a new account) is answered in the service's protocol.
  using AccountRouter = std::function<Result<Service*>(Service& service, AwsRequest& request)>;

  explicit Dispatcher(net::Handler& native);
  void add_service(Service& service);
  // Fault injection: every AWS call is checked against `rules` (which must outlive this) once
  // its service and action are known. Call before the server starts.
  void set_faults(faults::FaultRules* rules) { faults_ = rules; }
  // Per-account resources: every classified request goes to the service `router` picks (call
  // before the server starts; without a call, to the service added).
  void route_accounts(AccountRouter router) { router_ = std::move(router); }
  // --auth verify: from now on every AWS request must be signed by a credential `lookup` knows
  // (before the server starts; without a call, any credentials are accepted).
  void verify_signatures(CredentialLookup lookup);
  // Every call dispatched to a service is counted and timed in `metrics` (which must outlive
  // this). Call before the server starts.
  void set_metrics(ApiMetrics* metrics) { metrics_ = metrics; }
  void handle(net::HttpRequest&& request, const boost::asio::ip::tcp::endpoint& peer,
              net::Respond respond) override;

 private:
  // What a request's debug line says (service, action, resource, status, duration): only made at
  // debug level, filled in as the request is classified, written when it is answered.
  struct RequestLine;

  // handle() once the request line, if any, is set up.
  void route(net::HttpRequest&& request, const boost::asio::ip::tcp::endpoint& peer,
             net::Respond respond, RequestLine* line);
  // Hands a classified request to its account's instance of `service`, unless a fault rule answers
  // it instead (or delays it on the daemon's timers first).
  void dispatch(Service& service, AwsRequest&& request, std::chrono::steady_clock::time_point start,
                net::Respond respond, RequestLine* line);
  // With verify_signatures: checks the request's SigV4 signature (the real clock's time, not the
  // daemon's, which may be manual) and records the credential's account in `aws`; otherwise
  // answers the failure in the protocol of the service addressed and returns false.
  bool authenticate(const net::HttpRequest& request, const std::optional<CredentialScope>& scope,
                    AwsRequest& aws, const net::Respond& respond) const;

  net::Handler& native_;
  CredentialLookup credentials_;
  std::vector<Service*> services_;
  faults::FaultRules* faults_ = nullptr;
  AccountRouter router_;
  ApiMetrics* metrics_ = nullptr;
};

}  // namespace eb::api::aws
