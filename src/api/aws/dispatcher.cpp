#include "api/aws/dispatcher.hpp"

#include <fmt/format.h>

#include <boost/beast/core/string.hpp>
#include <chrono>

#include "api/aws/error_table.hpp"
#include "api/aws/fault_injection.hpp"
#include "api/aws/form.hpp"
#include "api/aws/sigv4.hpp"
#include "core/encoding.hpp"
#include "core/log.hpp"
#include "faults/fault_rules.hpp"

namespace eb::api::aws {
namespace http = boost::beast::http;

namespace {

bool is_native_path(std::string_view path) {
  return path == "/health" || path == "/metrics" || path.starts_with("/v1/") || path == "/v1" ||
         path.starts_with("/moto-api/") || path.starts_with("/_localstack/") ||
         path.starts_with("/ui/") || path == "/ui";
}

// The first `name` field's value. A walk of the fields in arrival order (a request has a few;
// iequals rejects most by length) instead of find(), whose case-insensitive compares down
// Beast's tree took ~3 % of a SendMessage's instructions for its four look-ups.
std::string_view header(const net::HttpRequest& request, std::string_view name) {
  for (const auto& field : request) {
    if (boost::beast::iequals(field.name_string(), name)) return field.value();
  }
  return {};
}

// The service an unsigned query request is for: the first that knows its Action (as the
// dispatcher would choose), from the URL's query string or the form body; empty when none does.
std::string_view unsigned_query_service(const net::HttpRequest& request,
                                        const std::vector<Service*>& services) {
  const std::string_view target = request.target();
  const auto question = target.find('?');
  auto pairs = parse_form(question == std::string_view::npos ? std::string_view()
                                                             : target.substr(question + 1));
  if (pairs && request.method() == http::verb::post && !request.body().empty()) {
    auto body = parse_form(request.body());
    if (body) pairs->insert(pairs->end(), body->begin(), body->end());
  }
  if (!pairs) return {};
  for (const auto& [name, value] : *pairs) {
    if (name != "Action") continue;
    for (const Service* s : services) {
      if (s->knows_action(value)) return s->signing_name();
    }
  }
  return {};
}

// An authentication failure as the service the request addresses renders errors: its JSON
// target prefix, its REST path or signing name, else the query service it is signed for.
net::HttpResponse auth_error_response(const net::HttpRequest& request,
                                      const std::optional<CredentialScope>& scope,
                                      const std::vector<Service*>& services, const Error& error,
                                      std::string_view request_id) {
  const unsigned version = request.version();
  const bool keep_alive = request.keep_alive();
  const std::string_view path = request.target().substr(0, request.target().find('?'));
  if (const std::string_view target = header(request, "X-Amz-Target"); !target.empty()) {
    return target.starts_with("AmazonSQS.")
               ? json_error_response(error, request_id, version, keep_alive)
               : events_error_response(error, request_id, version, keep_alive);
  }
  for (const Service* s : services) {
    if (s->rest_json() &&
        (s->owns_rest_path(path) || (scope && scope->service == s->signing_name()))) {
      return scheduler_error_response(error, request_id, version, keep_alive);
    }
  }
  std::string_view service = scope ? std::string_view(scope->service) : "";
  if (service.empty()) service = unsigned_query_service(request, services);
  if (service == "sns") return sns_xml_error_response(error, request_id, version, keep_alive);
  if (service == "sts") return sts_xml_error_response(error, request_id, version, keep_alive);
  return xml_error_response(error, request_id, version, keep_alive);
}

// An error found once the service is known, as that service renders errors in the request's
// protocol.
net::HttpResponse service_error_response(const Service& service, const AwsRequest& request,
                                         const Error& error) {
  const unsigned version = request.http.version();
  const bool keep_alive = request.http.keep_alive();
  switch (request.protocol) {
    case Protocol::kJson:
      return service.json_target_prefix() == "AmazonSQS"
                 ? json_error_response(error, request.request_id, version, keep_alive)
                 : events_error_response(error, request.request_id, version, keep_alive);
    case Protocol::kRestJson:
      return scheduler_error_response(error, request.request_id, version, keep_alive);
    case Protocol::kQuery:
      break;
  }
  if (service.signing_name() == "sns") {
    return sns_xml_error_response(error, request.request_id, version, keep_alive);
  }
  if (service.signing_name() == "sts") {
    return sts_xml_error_response(error, request.request_id, version, keep_alive);
  }
  return xml_error_response(error, request.request_id, version, keep_alive);
}

}  // namespace

struct Dispatcher::RequestLine {
  std::string method;
  std::string path;
  std::string service;
  std::string action;
  std::string resource;
  std::string request_id;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  void write(unsigned status) const {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::vector<log::Field> fields = {{"method", method}, {"path", path}};
    if (!service.empty()) {
      fields.insert(fields.end(), {{"service", service}, {"action", action}});
      if (!resource.empty()) fields.push_back({"resource", resource});
      fields.push_back({"requestId", request_id});
    }
    fields.insert(fields.end(), {{"status", status}, {"durationMs", ms}});
    log::write(log::Level::kDebug, "request", fields);
  }
};

Dispatcher::Dispatcher(net::Handler& native) : native_(native) {}

void Dispatcher::add_service(Service& service) { services_.push_back(&service); }

void Dispatcher::verify_signatures(CredentialLookup lookup) { credentials_ = std::move(lookup); }

bool Dispatcher::authenticate(const net::HttpRequest& request,
                              const std::optional<CredentialScope>& scope, AwsRequest& aws,
                              const net::Respond& respond) const {
  if (!credentials_) return true;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  auto verified = verify(request, credentials_, now.count());
  if (!verified) {
    respond(auth_error_response(request, scope, services_, verified.error(), aws.request_id));
    return false;
  }
  aws.account_id = std::move(verified->account_id);
  return true;
}

void Dispatcher::handle(net::HttpRequest&& request, const boost::asio::ip::tcp::endpoint& peer,
                        net::Respond respond) {
  if (!log::enabled(log::Level::kDebug)) {
    route(std::move(request), peer, std::move(respond), nullptr);
    return;
  }
  auto line = std::make_shared<RequestLine>();
  line->method = std::string(request.method_string());
  const std::string_view target = request.target();
  line->path = std::string(target.substr(0, target.find('?')));
  RequestLine* filled = line.get();
  route(
      std::move(request), peer,
      [line = std::move(line), respond = std::move(respond)](net::HttpResponse&& response) {
        line->write(response.result_int());
        respond(std::move(response));
      },
      filled);
}

void Dispatcher::route(net::HttpRequest&& request, const boost::asio::ip::tcp::endpoint& peer,
                       net::Respond respond, RequestLine* line) {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  // A browser opening http://localhost:4566/ gets the console: no SDK sends GET / asking for
  // HTML, and to SQS's query protocol a GET / without an Action is only a MissingAction error.
  const bool browser_at_root =
      request.method() == http::verb::get && target == "/" &&
      header(request, "Accept").find("text/html") != std::string_view::npos;
  if (is_native_path(path) || browser_at_root) {
    native_.handle(std::move(request), peer, std::move(respond));
    return;
  }
  const auto start = std::chrono::steady_clock::now();

  AwsRequest aws;
  aws.request_id = random_uuid();
  aws.host = std::string(header(request, "Host"));
  std::optional<CredentialScope> scope = parse_authorization(header(request, "Authorization"));
  const std::string_view query = target.find('?') == std::string_view::npos
                                     ? std::string_view()
                                     : target.substr(target.find('?') + 1);
  if (!scope && !query.empty()) scope = parse_presigned_query(query);
  if (scope) {
    aws.region = scope->region;
    aws.access_key = scope->access_key;
  }
  if (!authenticate(request, scope, aws, respond)) return;
  const unsigned version = request.version();
  const bool keep_alive = request.keep_alive();
  // Looked up once: a field lookup compares names case-insensitively along Beast's tree.
  const std::string_view amz_target = header(request, "X-Amz-Target");

  // REST-JSON (EventBridge Scheduler): the path and the method name the operation; the service
  // is the one the path belongs to, or the one the request is signed for.
  if (amz_target.empty()) {
    for (Service* s : services_) {
      if (s->rest_json() &&
          (s->owns_rest_path(path) || (scope && scope->service == s->signing_name()))) {
        aws.protocol = Protocol::kRestJson;
        aws.http = std::move(request);
        dispatch(*s, std::move(aws), start, std::move(respond), line);
        return;
      }
    }
  }

  // AWS JSON protocols name the operation in X-Amz-Target: "AmazonSQS.SendMessage".
  if (!amz_target.empty()) {
    aws.protocol = Protocol::kJson;
    auto dot = amz_target.rfind('.');
    std::string_view prefix = amz_target.substr(0, dot == std::string_view::npos ? 0 : dot);
    aws.action =
        std::string(dot == std::string_view::npos ? amz_target : amz_target.substr(dot + 1));
    for (Service* s : services_) {
      if (s->json_target_prefix() == prefix) {
        aws.http = std::move(request);
        dispatch(*s, std::move(aws), start, std::move(respond), line);
        return;
      }
    }
    respond(json_error_response(
        {Errc::kInvalidAction, fmt::format("The operation {} is not supported.", amz_target)},
        aws.request_id, version, keep_alive));
    return;
  }

  // Query protocol: Action= in the form body and/or the URL's query string. Errors found before
  // a service is chosen are rendered for the service the request was signed for, since an SDK
  // parses them with that service's error shapes.
  aws.protocol = Protocol::kQuery;
  const bool signed_for_sns = scope && scope->service == "sns";
  auto query_error = [&](const Error& error) {
    return signed_for_sns ? sns_xml_error_response(error, aws.request_id, version, keep_alive)
                          : xml_error_response(error, aws.request_id, version, keep_alive);
  };
  if (!query.empty()) {
    auto pairs = parse_form(query);
    if (!pairs) return respond(query_error(pairs.error()));
    aws.form = std::move(*pairs);
  }
  if (request.method() == http::verb::post && !request.body().empty()) {
    auto pairs = parse_form(request.body());
    if (!pairs) return respond(query_error(pairs.error()));
    aws.form.insert(aws.form.end(), std::make_move_iterator(pairs->begin()),
                    std::make_move_iterator(pairs->end()));
  }
  for (const auto& [k, v] : aws.form) {
    if (k == "Action") aws.action = v;
  }
  if (aws.action.empty()) {
    respond(query_error({Errc::kMissingAction, "No action was supplied with this request."}));
    return;
  }
  Service* chosen = nullptr;
  for (Service* s : services_) {
    if (scope && s->signing_name() == scope->service) chosen = s;
  }
  if (chosen == nullptr || !chosen->knows_action(aws.action)) {
    // Unsigned: the first service registered that knows the action (SQS before SNS, so an
    // unsigned AddPermission or RemovePermission stays the SQS action it always was).
    chosen = nullptr;
    for (Service* s : services_) {
      if (s->knows_action(aws.action)) {
        chosen = s;
        break;
      }
    }
  }
  if (chosen == nullptr) {
    respond(
        query_error({Errc::kInvalidAction,
                     fmt::format("The action {} is not valid for this endpoint.", aws.action)}));
    return;
  }
  aws.http = std::move(request);
  dispatch(*chosen, std::move(aws), start, std::move(respond), line);
}

void Dispatcher::dispatch(Service& addressed, AwsRequest&& request,
                          std::chrono::steady_clock::time_point start, net::Respond respond,
                          RequestLine* line) {
  if (line != nullptr) {
    line->service = std::string(addressed.signing_name());
    line->action = request.protocol == Protocol::kRestJson ? rest_json_operation(request.http)
                                                           : request.action;
    const auto resources = fault_resources(request);
    if (!resources.empty()) line->resource = resources.front();
    line->request_id = request.request_id;
  }
  Service* routed = &addressed;
  if (router_) {
    auto account_service = router_(addressed, request);
    if (!account_service) {
      respond(service_error_response(addressed, request, account_service.error()));
      return;
    }
    routed = *account_service;
  }
  Service& service = *routed;
  const bool rest = request.protocol == Protocol::kRestJson;
  if (metrics_ != nullptr) {
    const std::string rest_action = rest ? rest_json_operation(request.http) : std::string();
    respond = ApiMetrics::measured(
        metrics_->slot(service.signing_name(), rest ? rest_action : request.action), start,
        std::move(respond));
  }
  if (faults_ == nullptr || faults_->empty()) {
    service.handle(std::move(request), std::move(respond));
    return;
  }
  const std::string action = rest ? rest_json_operation(request.http) : request.action;
  auto injection = faults_->check(service.signing_name(), action, fault_resources(request));
  if (!injection) {
    service.handle(std::move(request), std::move(respond));
    return;
  }
  // Shared so the answer can wait on a timer (std::function must be copyable).
  auto held = std::make_shared<AwsRequest>(std::move(request));
  auto answer = [&service, held, respond = std::move(respond),
                 error = std::move(injection->error)]() mutable {
    if (error.empty()) {
      service.handle(std::move(*held), std::move(respond));
      return;
    }
    respond(fault_error_response(service.signing_name(), *held, error, held->http.version(),
                                 held->http.keep_alive()));
  };
  if (injection->latency_ms > 0) {
    faults_->after(injection->latency_ms, std::move(answer));
  } else {
    answer();
  }
}

}  // namespace eb::api::aws
