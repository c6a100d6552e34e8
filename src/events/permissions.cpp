// EventBuses::put_permission and remove_permission: a bus's resource policy, kept as the JSON
// document DescribeEventBus returns. PutPermission adds (or replaces, by Sid) one statement that
// lets an account, or any principal of an organization, call events:PutEvents on the bus.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>

#include "core/account_id.hpp"
#include "core/json_writer.hpp"
#include "events/event_buses.hpp"

namespace eb::events {
namespace {

using storage::Family;

struct Statement {
  std::string sid;
  std::string json;  // the statement object, minified
};

// The statements of a stored policy (empty when there is none).
std::vector<Statement> statements_of(const std::string& policy) {
  std::vector<Statement> out;
  if (policy.empty()) return out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array statements;
  if (parser.parse(policy).get(doc) || doc["Statement"].get_array().get(statements)) return out;
  for (simdjson::dom::element s : statements) {
    std::string_view sid;
    if (s["Sid"].get_string().get(sid)) sid = {};
    out.push_back({std::string(sid), simdjson::minify(s)});
  }
  return out;
}

std::string policy_of(const std::vector<Statement>& statements) {
  if (statements.empty()) return {};
  std::string out;
  JsonWriter json(out);
  json.begin_object().member("Version", "2012-10-17").key("Statement").begin_array();
  for (const Statement& s : statements) json.raw(s.json);
  json.end_array().end_object();
  return out;
}

bool is_statement_id(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

Result<Statement> statement_from(const PutPermissionInput& in, const std::string& bus_arn) {
  if (!in.principal) return fail(Errc::kValidationError, "Parameter Principal must be specified.");
  const bool conditional = in.condition_type || in.condition_key || in.condition_value;
  if (conditional && *in.principal != "*") {
    return fail(Errc::kValidationError,
                "Value of the parameter 'principal' must be '*' when the parameter 'condition' "
                "is set.");
  }
  if (*in.principal != "*" && !is_account_id(*in.principal)) {
    return std::unexpected(constraint_error("principal", *in.principal,
                                            "Member must satisfy regular expression pattern: "
                                            "(\\d{12}|\\*)"));
  }
  if (!in.action || *in.action != "events:PutEvents") {
    return fail(Errc::kValidationError, "Provided value in parameter 'action' is not supported.");
  }
  if (!in.statement_id || !is_statement_id(*in.statement_id)) {
    return fail(Errc::kValidationError, "StatementId must match ^[a-zA-Z0-9-_]{1,64}$");
  }
  if (conditional && !(in.condition_type && in.condition_key && in.condition_value)) {
    return fail(Errc::kValidationError,
                "Parameter Condition must have Type, Key and Value specified.");
  }
  Statement s{*in.statement_id, {}};
  JsonWriter json(s.json);
  json.begin_object().member("Sid", s.sid).member("Effect", "Allow");
  if (*in.principal == "*") {
    json.member("Principal", "*");
  } else {
    json.key("Principal")
        .begin_object()
        .member("AWS", fmt::format("arn:aws:iam::{}:root", *in.principal))
        .end_object();
  }
  json.member("Action", "events:PutEvents").member("Resource", bus_arn);
  if (conditional) {
    json.key("Condition")
        .begin_object()
        .key(*in.condition_type)
        .begin_object()
        .member(*in.condition_key, *in.condition_value)
        .end_object()
        .end_object();
  }
  json.end_object();
  return s;
}

}  // namespace

Result<void> EventBuses::put_permission(const PutPermissionInput& input) {
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(current, input.bus));
  auto changed = std::make_shared<Bus>(*bus);
  if (input.policy) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(*input.policy).get(doc) || !doc.is_object()) {
      return fail(Errc::kValidationError, "This policy contains invalid Json");
    }
    changed->description.policy = simdjson::minify(doc);
  } else {
    EB_ASSIGN_OR_RETURN(Statement statement, statement_from(input, bus->description.arn));
    auto statements = statements_of(bus->description.policy);
    auto same = std::find_if(statements.begin(), statements.end(),
                             [&](const Statement& s) { return s.sid == statement.sid; });
    if (same != statements.end()) {
      *same = std::move(statement);
    } else {
      statements.push_back(std::move(statement));
    }
    changed->description.policy = policy_of(statements);
  }
  changed->description.modified = clock_.now_ms();
  storage::Batch batch;
  batch.put(Family::kEventBuses, bus_key(changed->description.name), encode_bus(*changed));
  const std::string name = changed->description.name;
  return commit(with_bus(*current, name, std::move(changed)), std::move(batch));
}

Result<void> EventBuses::remove_permission(const std::optional<std::string>& bus_name,
                                           const std::optional<std::string>& statement_id,
                                           bool remove_all) {
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  EB_ASSIGN_OR_RETURN(auto bus, find_bus(current, bus_name));
  auto changed = std::make_shared<Bus>(*bus);
  if (remove_all) {
    changed->description.policy.clear();
  } else {
    if (!statement_id)
      return fail(Errc::kValidationError, "Parameter StatementId must be specified.");
    if (bus->description.policy.empty()) {
      return fail(Errc::kResourceNotFound, "EventBus does not have a policy.");
    }
    auto statements = statements_of(bus->description.policy);
    const auto removed =
        std::erase_if(statements, [&](const Statement& s) { return s.sid == *statement_id; });
    if (removed == 0) {
      return fail(Errc::kResourceNotFound, "Statement with the provided id does not exist.");
    }
    changed->description.policy = policy_of(statements);
  }
  changed->description.modified = clock_.now_ms();
  storage::Batch batch;
  batch.put(Family::kEventBuses, bus_key(changed->description.name), encode_bus(*changed));
  const std::string name = changed->description.name;
  return commit(with_bus(*current, name, std::move(changed)), std::move(batch));
}

}  // namespace eb::events
