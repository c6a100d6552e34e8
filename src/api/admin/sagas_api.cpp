#include "api/admin/sagas_api.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>

#include "api/admin/responses.hpp"
#include "api/aws/form.hpp"
#include "core/encoding.hpp"
#include "plugins/host.hpp"
#include "plugins/saga_engine.hpp"

namespace eb::api::admin {
namespace http = boost::beast::http;

namespace {

constexpr std::size_t kDefaultLimit = 100;
constexpr std::size_t kMaxLimit = 1000;

std::vector<std::shared_ptr<plugins::SagaEngine>> engines(const plugins::PluginHost& host) {
  std::vector<std::shared_ptr<plugins::SagaEngine>> out;
  for (auto& plugin : host.running()) {
    if (auto engine = std::dynamic_pointer_cast<plugins::SagaEngine>(plugin)) {
      out.push_back(std::move(engine));
    }
  }
  return out;
}

}  // namespace

void SagasApi::handle(const net::HttpRequest& request, const net::Respond& respond) const {
  const std::string_view target = request.target();
  const std::size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  path.remove_prefix(std::min(path.size(), kPrefix.size()));
  if (path.empty() || path == "/") {
    respond(request.method() != http::verb::get ? method_not_allowed(kPrefix, "GET") : list(query));
    return;
  }
  path.remove_prefix(1);
  const std::size_t slash = path.find('/');
  auto first = aws::url_decode(path.substr(0, slash), false);
  if (!first || first->empty()) {
    respond(error_response(http::status::bad_request, "MalformedRequest",
                           "the path is not validly percent-encoded"));
    return;
  }
  const std::string_view rest =
      slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  if (rest.empty() || rest == "/") {
    if (request.method() == http::verb::post) {
      start(*first, request.body(), respond);
    } else {
      respond(request.method() == http::verb::get
                  ? get(*first)
                  : method_not_allowed("/v1/sagas/{id}", "GET, POST"));
    }
    return;
  }
  if (rest == "/redrive") {
    respond(request.method() != http::verb::post
                ? method_not_allowed("/v1/sagas/{id}/redrive", "POST")
                : redrive(*first));
    return;
  }
  respond(
      error_response(http::status::not_found, "NotFound",
                     fmt::format("No route for {} {}", std::string_view(request.method_string()),
                                 target.substr(0, q))));
}

net::HttpResponse SagasApi::list(std::string_view query) const {
  auto pairs = aws::parse_form(query);
  if (!pairs) {
    return error_response(http::status::bad_request, "InvalidParameterValue",
                          pairs.error().message);
  }
  std::string definition;
  std::optional<plugins::saga::Status> status;
  std::size_t limit = kDefaultLimit;
  for (const auto& [key, value] : *pairs) {
    if (key == "definition") {
      definition = value;
    } else if (key == "status") {
      status = plugins::saga::parse_status(value);
      if (!status) {
        return error_response(http::status::bad_request, "InvalidParameterValue",
                              fmt::format("status must be started, compensating, completed, "
                                          "compensated or stuck, not '{}'",
                                          value));
      }
    } else if (key == "limit") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size() || limit < 1 ||
          limit > kMaxLimit) {
        return error_response(http::status::bad_request, "InvalidParameterValue",
                              fmt::format("limit must be from 1 to {}", kMaxLimit));
      }
    }
  }
  const auto all = engines(host_);
  bool found = definition.empty();
  std::string out;
  JsonWriter j(out);
  j.begin_object().key("sagas").begin_array();
  std::size_t total = 0;
  for (const auto& engine : all) {
    if (!definition.empty() && engine->spec().name != definition) continue;
    found = true;
    total += engine->list(j, status, limit > total ? limit - total : 0);
  }
  j.end_array();
  j.key("total").unsigned_number(total);
  j.end_object();
  if (!found) {
    return error_response(http::status::not_found, "NotFound",
                          fmt::format("there is no saga definition {}", definition));
  }
  return json_response(http::status::ok, std::move(out));
}

void SagasApi::start(std::string_view definition, const std::string& body,
                     const net::Respond& respond) const {
  std::shared_ptr<plugins::SagaEngine> engine;
  for (auto& candidate : engines(host_)) {
    if (candidate->spec().name == definition) engine = candidate;
  }
  if (!engine) {
    respond(error_response(http::status::not_found, "NotFound",
                           fmt::format("there is no saga definition {}", definition)));
    return;
  }
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(body.data(), body.size()).get_object().get(object)) {
    respond(error_response(http::status::bad_request, "MalformedRequest",
                           "The request body must be a JSON object {\"id\", \"input\"}"));
    return;
  }
  simdjson::dom::element input;
  if (object.at_key("input").get(input)) {
    respond(error_response(http::status::bad_request, "MissingParameter",
                           R"(The request body must contain "input")"));
    return;
  }
  std::string id;
  simdjson::dom::element id_value;
  if (!object.at_key("id").get(id_value)) {
    std::string_view text;
    if (id_value.get_string().get(text)) {
      respond(error_response(http::status::bad_request, "InvalidParameterValue",
                             R"("id" must be a string)"));
      return;
    }
    id = std::string(text);
  } else {
    id = random_uuid();
  }
  host_.admit(
      [engine = std::move(engine), id = std::move(id), input = simdjson::minify(input), respond] {
        auto started = engine->start(id, input);
        if (!started) {
          respond(plugin_error(started.error(), "NotFound", "SagaAlreadyExists"));
          return;
        }
        respond(json_response(started->created ? http::status::created : http::status::ok,
                              std::move(started->saga_json)));
      });
}

net::HttpResponse SagasApi::get(std::string_view id) const {
  for (const auto& engine : engines(host_)) {
    if (auto saga = engine->saga_json(std::string(id))) {
      return json_response(http::status::ok, std::move(*saga));
    }
  }
  return error_response(http::status::not_found, "SagaNotFound",
                        fmt::format("there is no saga {}", id));
}

net::HttpResponse SagasApi::redrive(std::string_view id) const {
  for (const auto& engine : engines(host_)) {
    if (!engine->has(std::string(id))) continue;
    auto redriven = engine->redrive(std::string(id));
    if (!redriven) return plugin_error(redriven.error(), "SagaNotFound", "InvalidState");
    return json_response(http::status::ok, std::move(*redriven));
  }
  return error_response(http::status::not_found, "SagaNotFound",
                        fmt::format("there is no saga {}", id));
}

}  // namespace eb::api::admin
