#include "events/targets.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <map>

#include "events/names.hpp"

namespace eb::events {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

Error wrong_type(std::string_view member) {
  return Error{Errc::kMalformedRequest,
               fmt::format("Start of structure or map found where not expected: {}", member)};
}

Result<std::optional<std::string>> string_member(object o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e)) return std::optional<std::string>();
  std::string_view s;
  if (e.get_string().get(s)) return std::unexpected(wrong_type(key));
  return std::optional<std::string>(std::string(s));
}

Result<std::optional<int>> int_member(object o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e)) return std::optional<int>();
  std::int64_t v = 0;
  if (e.get_int64().get(v) || v < INT32_MIN || v > INT32_MAX) {
    return std::unexpected(wrong_type(key));
  }
  return std::optional<int>(static_cast<int>(v));
}

Result<std::optional<object>> object_member(object o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e)) return std::optional<object>();
  object inner;
  if (e.get_object().get(inner)) return std::unexpected(wrong_type(key));
  return std::optional<object>(inner);
}

// A map of string values (HeaderParameters, QueryStringParameters).
Result<std::map<std::string, std::string>> string_map(object o, std::string_view key) {
  std::map<std::string, std::string> out;
  EB_ASSIGN_OR_RETURN(auto map, object_member(o, key));
  if (!map) return out;
  for (auto [name, value] : *map) {
    std::string_view text;
    if (value.get_string().get(text)) return std::unexpected(wrong_type(key));
    out.emplace(std::string(name), std::string(text));
  }
  return out;
}

Result<void> check_range(std::string_view member, int value, int min, int max) {
  if (value < min) {
    return std::unexpected(
        constraint_error(member, std::to_string(value),
                         fmt::format("Member must have value greater than or equal to {}", min)));
  }
  if (value > max) {
    return std::unexpected(
        constraint_error(member, std::to_string(value),
                         fmt::format("Member must have value less than or equal to {}", max)));
  }
  return {};
}

}  // namespace

std::string_view arn_service(std::string_view arn) {
  // arn:partition:service:region:account:resource
  if (!arn.starts_with("arn:")) return {};
  const auto service_at = arn.find(':', 4);
  if (service_at == std::string_view::npos) return {};
  const auto end = arn.find(':', service_at + 1);
  if (end == std::string_view::npos) return {};
  return arn.substr(service_at + 1, end - service_at - 1);
}

Result<TargetSpec> parse_target(std::string_view json, int position) {
  thread_local simdjson::dom::parser parser;
  element doc;
  object o;
  if (parser.parse(json.data(), json.size()).get(doc) || doc.get_object().get(o)) {
    return std::unexpected(wrong_type("Target"));
  }
  TargetSpec spec;
  spec.json = simdjson::minify(doc);
  const std::string at = fmt::format("targets.{}.member.", position);
  EB_ASSIGN_OR_RETURN(auto id, string_member(o, "Id"));
  EB_ASSIGN_OR_RETURN(auto arn, string_member(o, "Arn"));
  if (!id) return fail(Errc::kValidationError, "Parameter Id must be specified.");
  if (!arn) return fail(Errc::kValidationError, "Parameter Arn must be specified.");
  EB_TRY(check_member(at + "id", *id, 1, 64, NameChars::kName));
  EB_TRY(check_member(at + "arn", *arn, 1, 1600));
  spec.id = std::move(*id);
  spec.arn = std::move(*arn);
  if (arn_service(spec.arn).empty()) {
    return fail(Errc::kValidationError,
                fmt::format("Parameter {} is not valid. Reason: Provided Arn is not in correct "
                            "format.",
                            spec.arn));
  }
  EB_ASSIGN_OR_RETURN(spec.role_arn, string_member(o, "RoleArn"));
  if (spec.role_arn) EB_TRY(check_member(at + "roleArn", *spec.role_arn, 1, 1600));
  TargetInputSpec& shaping = spec.input_spec;
  EB_ASSIGN_OR_RETURN(shaping.input, string_member(o, "Input"));
  EB_ASSIGN_OR_RETURN(shaping.input_path, string_member(o, "InputPath"));
  EB_ASSIGN_OR_RETURN(auto transformer, object_member(o, "InputTransformer"));
  if (transformer) {
    TargetInputSpec::Transformer t;
    EB_ASSIGN_OR_RETURN(auto input_template, string_member(*transformer, "InputTemplate"));
    if (!input_template) {
      return fail(Errc::kValidationError, "Parameter InputTemplate must be specified.");
    }
    t.input_template = std::move(*input_template);
    EB_ASSIGN_OR_RETURN(auto paths, object_member(*transformer, "InputPathsMap"));
    if (paths) {
      for (auto [key, value] : *paths) {
        std::string_view path;
        if (value.get_string().get(path)) return std::unexpected(wrong_type("InputPathsMap"));
        t.input_paths_map.emplace_back(std::string(key), std::string(path));
      }
    }
    shaping.input_transformer = std::move(t);
  }
  EB_ASSIGN_OR_RETURN(spec.input, TargetInput::compile(shaping, TargetRef{spec.id, position}));

  EB_ASSIGN_OR_RETURN(auto sqs, object_member(o, "SqsParameters"));
  if (sqs) {
    EB_ASSIGN_OR_RETURN(spec.sqs_message_group_id, string_member(*sqs, "MessageGroupId"));
  }

  EB_ASSIGN_OR_RETURN(auto http, object_member(o, "HttpParameters"));
  if (http) {
    TargetHttpParameters parameters;
    element values;
    if (!http->at_key("PathParameterValues").get(values)) {
      simdjson::dom::array list;
      if (values.get_array().get(list)) return std::unexpected(wrong_type("PathParameterValues"));
      for (element value : list) {
        std::string_view text;
        if (value.get_string().get(text)) return std::unexpected(wrong_type("PathParameterValues"));
        parameters.path_parameter_values.emplace_back(text);
      }
    }
    EB_ASSIGN_OR_RETURN(parameters.header_parameters, string_map(*http, "HeaderParameters"));
    EB_ASSIGN_OR_RETURN(parameters.query_string_parameters,
                        string_map(*http, "QueryStringParameters"));
    spec.http_parameters = std::move(parameters);
  }

  EB_ASSIGN_OR_RETURN(auto retry, object_member(o, "RetryPolicy"));
  if (retry) {
    EB_ASSIGN_OR_RETURN(spec.maximum_retry_attempts, int_member(*retry, "MaximumRetryAttempts"));
    EB_ASSIGN_OR_RETURN(spec.maximum_event_age_seconds,
                        int_member(*retry, "MaximumEventAgeInSeconds"));
    if (spec.maximum_retry_attempts) {
      EB_TRY(check_range(at + "retryPolicy.maximumRetryAttempts", *spec.maximum_retry_attempts, 0,
                         185));
    }
    if (spec.maximum_event_age_seconds) {
      EB_TRY(check_range(at + "retryPolicy.maximumEventAgeInSeconds",
                         *spec.maximum_event_age_seconds, 60, 86400));
    }
  }
  EB_ASSIGN_OR_RETURN(auto dlq, object_member(o, "DeadLetterConfig"));
  if (dlq) {
    EB_ASSIGN_OR_RETURN(spec.dead_letter_arn, string_member(*dlq, "Arn"));
    if (spec.dead_letter_arn) {
      EB_TRY(check_member(at + "deadLetterConfig.arn", *spec.dead_letter_arn, 1, 1600));
    }
  }
  return spec;
}

}  // namespace eb::events
