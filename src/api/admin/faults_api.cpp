#include "api/admin/faults_api.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>
#include <limits>

#include "api/admin/json_members.hpp"
#include "api/admin/responses.hpp"
#include "core/json_writer.hpp"
#include "faults/fault_rules.hpp"

namespace eb::api::admin {
namespace http = boost::beast::http;

namespace {

std::string deleted_body(std::size_t deleted) {
  std::string out;
  JsonWriter j(out);
  j.begin_object().key("deleted").unsigned_number(deleted).end_object();
  return out;
}

}  // namespace

Result<faults::FaultSpec> parse_fault_spec(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(body.data(), body.size()).get(doc)) {
    return fail(Errc::kMalformedRequest, fmt::format("The request body is not valid JSON: {}",
                                                     simdjson::error_message(err)));
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object)) {
    return fail(Errc::kMalformedRequest, "The request body must be a JSON object");
  }
  faults::FaultSpec spec;
  bool has_service = false;
  for (auto [key, value] : object) {
    if (key == "service") {
      EB_ASSIGN_OR_RETURN(spec.service, string_member(key, value));
      has_service = true;
    } else if (key == "action") {
      EB_ASSIGN_OR_RETURN(spec.action, string_member(key, value));
    } else if (key == "resource") {
      EB_ASSIGN_OR_RETURN(spec.resource, string_member(key, value));
    } else if (key == "error") {
      std::int64_t status = 0;
      if (value.get(status) == simdjson::SUCCESS) {
        spec.error = fmt::format("{}", status);
      } else {
        EB_ASSIGN_OR_RETURN(spec.error, string_member(key, value));
      }
    } else if (key == "probability") {
      if (value.get(spec.probability) != simdjson::SUCCESS) {
        return fail(Errc::kInvalidParameterValue, R"("probability" must be a number)");
      }
    } else if (key == "count") {
      EB_ASSIGN_OR_RETURN(spec.count, integer_member(key, value));
    } else if (key == "latencyMs") {
      EB_ASSIGN_OR_RETURN(spec.latency_ms, integer_member(key, value));
    } else {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("Unknown member \"{}\" (known: service, action, resource, error, "
                              "probability, count, latencyMs)",
                              key));
    }
  }
  if (!has_service) return fail(Errc::kMissingParameter, R"(The rule needs a "service")");
  return spec;
}

net::HttpResponse FaultsApi::handle(const net::HttpRequest& request) const {
  const std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  if (path == kPrefix || path == "/v1/faults/") {
    switch (request.method()) {
      case http::verb::get:
        return json_response(http::status::ok, rules_.list_json());
      case http::verb::delete_:
        return json_response(http::status::ok, deleted_body(rules_.clear()));
      case http::verb::post: {
        auto spec = parse_fault_spec(request.body());
        if (!spec) return plugin_error(spec.error());
        auto id = rules_.add(std::move(*spec));
        if (!id) return plugin_error(id.error());
        std::string out;
        JsonWriter j(out);
        j.begin_object().member("faultId", *id).end_object();
        return json_response(http::status::created, std::move(out));
      }
      default:
        return method_not_allowed(kPrefix, "GET, POST, DELETE");
    }
  }
  path.remove_prefix(kPrefix.size() + 1);  // "/v1/faults/"
  if (path.find('/') != std::string_view::npos) {
    return error_response(http::status::not_found, "NotFound",
                          fmt::format("No route for {}", target));
  }
  if (request.method() != http::verb::delete_) {
    return method_not_allowed(fmt::format("{}/{}", kPrefix, path), "DELETE");
  }
  if (!rules_.remove(path)) {
    return error_response(http::status::not_found, "FaultNotFound",
                          fmt::format("No fault rule {}", path));
  }
  return json_response(http::status::ok, deleted_body(1));
}

}  // namespace eb::api::admin
