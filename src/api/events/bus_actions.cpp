// EventBridge's bus, rule, target, tag, PutEvents and TestEventPattern actions: decode, one
// EventBuses call, encode.
#include <fmt/format.h>

#include "api/events/call.hpp"
#include "events/event_buses.hpp"
#include "events/targets.hpp"

namespace eb::api::events {
namespace {

constexpr std::size_t kMaxTargetsPerCall = 10;

// ---- Buses -------------------------------------------------------------------------------

Result<void> create_event_bus(Call& c, const JsonRequest& r) {
  eb::events::CreateBusInput in;
  EB_ASSIGN_OR_RETURN(in.name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(in.event_source_name, r.string("EventSourceName"));
  EB_ASSIGN_OR_RETURN(in.description, r.string("Description"));
  EB_ASSIGN_OR_RETURN(in.kms_key_identifier, r.string("KmsKeyIdentifier"));
  EB_ASSIGN_OR_RETURN(in.dead_letter_arn, dead_letter_arn(r));
  EB_ASSIGN_OR_RETURN(in.tags, r.tags("Tags"));
  EB_ASSIGN_OR_RETURN(auto bus, c.buses.create_event_bus(in));
  c.json.begin_object().member("EventBusArn", bus.arn);
  optional_member(c.json, "Description", bus.description);
  optional_member(c.json, "KmsKeyIdentifier", bus.kms_key_identifier);
  dead_letter_member(c.json, bus.dead_letter_arn);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> delete_event_bus(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_TRY(c.buses.delete_event_bus(name));
  c.reply_empty();
  return {};
}

void bus_members(JsonWriter& json, const eb::events::BusDescription& bus) {
  json.member("Name", bus.name).member("Arn", bus.arn);
  optional_member(json, "Description", bus.description);
  optional_member(json, "KmsKeyIdentifier", bus.kms_key_identifier);
  dead_letter_member(json, bus.dead_letter_arn);
  optional_member(json, "Policy", bus.policy);
  seconds(json, "CreationTime", bus.created);
  seconds(json, "LastModifiedTime", bus.modified);
}

Result<void> describe_event_bus(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.string("Name"));
  EB_ASSIGN_OR_RETURN(auto bus, c.buses.describe_event_bus(name));
  c.json.begin_object();
  bus_members(c.json, bus);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> update_event_bus(Call& c, const JsonRequest& r) {
  eb::events::UpdateBusInput in;
  EB_ASSIGN_OR_RETURN(in.name, r.string("Name"));
  EB_ASSIGN_OR_RETURN(in.description, r.string("Description"));
  EB_ASSIGN_OR_RETURN(in.kms_key_identifier, r.string("KmsKeyIdentifier"));
  EB_ASSIGN_OR_RETURN(in.dead_letter_arn, dead_letter_arn(r));
  EB_ASSIGN_OR_RETURN(auto bus, c.buses.update_event_bus(in));
  c.json.begin_object().member("Arn", bus.arn).member("Name", bus.name);
  optional_member(c.json, "Description", bus.description);
  optional_member(c.json, "KmsKeyIdentifier", bus.kms_key_identifier);
  dead_letter_member(c.json, bus.dead_letter_arn);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> list_event_buses(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto in, list_input(r));
  EB_ASSIGN_OR_RETURN(auto page, c.buses.list_event_buses(in));
  c.json.begin_object().key("EventBuses").begin_array();
  for (const auto& bus : page.items) {
    c.json.begin_object();
    bus_members(c.json, bus);
    c.json.end_object();
  }
  c.json.end_array();
  next_token(c.json, page.next_token);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> put_permission(Call& c, const JsonRequest& r) {
  eb::events::PutPermissionInput in;
  EB_ASSIGN_OR_RETURN(in.bus, r.string("EventBusName"));
  EB_ASSIGN_OR_RETURN(in.action, r.string("Action"));
  EB_ASSIGN_OR_RETURN(in.principal, r.string("Principal"));
  EB_ASSIGN_OR_RETURN(in.statement_id, r.string("StatementId"));
  EB_ASSIGN_OR_RETURN(in.policy, r.string("Policy"));
  EB_ASSIGN_OR_RETURN(auto condition, r.object("Condition"));
  if (condition) {
    EB_ASSIGN_OR_RETURN(in.condition_type, condition->string("Type"));
    EB_ASSIGN_OR_RETURN(in.condition_key, condition->string("Key"));
    EB_ASSIGN_OR_RETURN(in.condition_value, condition->string("Value"));
  }
  EB_TRY(c.buses.put_permission(in));
  c.reply_empty();
  return {};
}

Result<void> remove_permission(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto bus, r.string("EventBusName"));
  EB_ASSIGN_OR_RETURN(auto statement_id, r.string("StatementId"));
  EB_ASSIGN_OR_RETURN(auto all, r.boolean("RemoveAllPermissions"));
  EB_TRY(c.buses.remove_permission(bus, statement_id, all.value_or(false)));
  c.reply_empty();
  return {};
}

// ---- Rules -------------------------------------------------------------------------------

Result<void> put_rule(Call& c, const JsonRequest& r) {
  eb::events::PutRuleInput in;
  EB_ASSIGN_OR_RETURN(in.name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(in.bus, r.string("EventBusName"));
  EB_ASSIGN_OR_RETURN(in.event_pattern, r.string("EventPattern"));
  EB_ASSIGN_OR_RETURN(in.schedule_expression, r.string("ScheduleExpression"));
  EB_ASSIGN_OR_RETURN(in.state, r.string("State"));
  EB_ASSIGN_OR_RETURN(in.description, r.string("Description"));
  EB_ASSIGN_OR_RETURN(in.role_arn, r.string("RoleArn"));
  EB_ASSIGN_OR_RETURN(in.tags, r.tags("Tags"));
  EB_ASSIGN_OR_RETURN(auto arn, c.buses.put_rule(in));
  c.json.begin_object().member("RuleArn", arn).end_object();
  c.reply();
  return {};
}

Result<void> delete_rule(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(auto bus, r.string("EventBusName"));
  EB_ASSIGN_OR_RETURN(auto force, r.boolean("Force"));
  EB_TRY(c.buses.delete_rule(bus, name, force.value_or(false)));
  c.reply_empty();
  return {};
}

void rule_members(JsonWriter& json, const eb::events::RuleDescription& rule) {
  json.member("Name", rule.name).member("Arn", rule.arn);
  optional_member(json, "EventPattern", rule.event_pattern);
  optional_member(json, "ScheduleExpression", rule.schedule_expression);
  json.member("State", rule.state);
  optional_member(json, "Description", rule.description);
  optional_member(json, "RoleArn", rule.role_arn);
  optional_member(json, "ManagedBy", rule.managed_by);
  json.member("EventBusName", rule.bus_name);
}

Result<void> describe_rule(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(auto bus, r.string("EventBusName"));
  EB_ASSIGN_OR_RETURN(auto rule, c.buses.describe_rule(bus, name));
  c.json.begin_object();
  rule_members(c.json, rule);
  c.json.member("CreatedBy", rule.created_by).end_object();
  c.reply();
  return {};
}

Result<void> set_rule_enabled(Call& c, const JsonRequest& r, bool enabled) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(auto bus, r.string("EventBusName"));
  EB_TRY(c.buses.set_rule_enabled(bus, name, enabled));
  c.reply_empty();
  return {};
}

Result<void> enable_rule(Call& c, const JsonRequest& r) { return set_rule_enabled(c, r, true); }
Result<void> disable_rule(Call& c, const JsonRequest& r) { return set_rule_enabled(c, r, false); }

Result<void> list_rules(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto in, list_input(r));
  EB_ASSIGN_OR_RETURN(auto bus, r.string("EventBusName"));
  EB_ASSIGN_OR_RETURN(auto page, c.buses.list_rules(bus, in));
  c.json.begin_object().key("Rules").begin_array();
  for (const auto& rule : page.items) {
    c.json.begin_object();
    rule_members(c.json, rule);
    c.json.end_object();
  }
  c.json.end_array();
  next_token(c.json, page.next_token);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> list_rule_names_by_target(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto in, list_input(r));
  EB_ASSIGN_OR_RETURN(auto bus, r.string("EventBusName"));
  EB_ASSIGN_OR_RETURN(auto arn, r.required_string("TargetArn", "targetArn"));
  EB_ASSIGN_OR_RETURN(auto page, c.buses.list_rule_names_by_target(bus, arn, in));
  c.json.begin_object().key("RuleNames").begin_array();
  for (const auto& name : page.items) c.json.string(name);
  c.json.end_array();
  next_token(c.json, page.next_token);
  c.json.end_object();
  c.reply();
  return {};
}

// ---- Targets -----------------------------------------------------------------------------

void failed_entries(JsonWriter& json, const std::vector<eb::events::TargetFailure>& failures) {
  json.begin_object().member("FailedEntryCount", static_cast<std::int64_t>(failures.size()));
  json.key("FailedEntries").begin_array();
  for (const auto& f : failures) {
    json.begin_object()
        .member("TargetId", f.target_id)
        .member("ErrorCode", f.error_code)
        .member("ErrorMessage", f.error_message)
        .end_object();
  }
  json.end_array().end_object();
}

Result<void> check_entry_count(std::string_view member, std::size_t count) {
  if (count == 0) {
    return fail(Errc::kValidationError,
                fmt::format("1 validation error detected: Value '[]' at '{}' failed to satisfy "
                            "constraint: Member must have length greater than or equal to 1",
                            member));
  }
  if (count > kMaxTargetsPerCall) {
    return fail(Errc::kValidationError,
                fmt::format("1 validation error detected: Value at '{}' failed to satisfy "
                            "constraint: Member must have length less than or equal to 10",
                            member));
  }
  return {};
}

Result<void> put_targets(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto rule, r.required_string("Rule", "rule"));
  EB_ASSIGN_OR_RETURN(auto bus, r.string("EventBusName"));
  if (!r.has("Targets")) return std::unexpected(missing_member("targets"));
  EB_ASSIGN_OR_RETURN(auto items, r.objects("Targets"));
  EB_TRY(check_entry_count("targets", items.size()));
  std::vector<eb::events::TargetSpec> targets;
  int position = 0;
  for (const JsonRequest& item : items) {
    EB_ASSIGN_OR_RETURN(auto spec, eb::events::parse_target(item.json(), ++position));
    targets.push_back(std::move(spec));
  }
  EB_ASSIGN_OR_RETURN(auto failures, c.buses.put_targets(bus, rule, std::move(targets)));
  failed_entries(c.json, failures);
  c.reply();
  return {};
}

Result<void> remove_targets(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto rule, r.required_string("Rule", "rule"));
  EB_ASSIGN_OR_RETURN(auto bus, r.string("EventBusName"));
  if (!r.has("Ids")) return std::unexpected(missing_member("ids"));
  EB_ASSIGN_OR_RETURN(auto ids, r.strings("Ids"));
  EB_TRY(check_entry_count("ids", ids.size()));
  EB_ASSIGN_OR_RETURN(auto force, r.boolean("Force"));
  EB_ASSIGN_OR_RETURN(auto failures, c.buses.remove_targets(bus, rule, ids, force.value_or(false)));
  failed_entries(c.json, failures);
  c.reply();
  return {};
}

Result<void> list_targets_by_rule(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto in, list_input(r));
  EB_ASSIGN_OR_RETURN(auto rule, r.required_string("Rule", "rule"));
  EB_ASSIGN_OR_RETURN(auto bus, r.string("EventBusName"));
  EB_ASSIGN_OR_RETURN(auto page, c.buses.list_targets_by_rule(bus, rule, in));
  c.json.begin_object().key("Targets").begin_array();
  for (const auto& target : page.items) c.json.raw(target.json);
  c.json.end_array();
  next_token(c.json, page.next_token);
  c.json.end_object();
  c.reply();
  return {};
}

// ---- Tags --------------------------------------------------------------------------------

Result<void> list_tags_for_resource(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto arn, r.required_string("ResourceARN", "resourceARN"));
  EB_ASSIGN_OR_RETURN(auto tags, c.buses.list_tags(arn));
  c.json.begin_object().key("Tags").begin_array();
  for (const auto& [k, v] : tags)
    c.json.begin_object().member("Key", k).member("Value", v).end_object();
  c.json.end_array().end_object();
  c.reply();
  return {};
}

Result<void> tag_resource(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto arn, r.required_string("ResourceARN", "resourceARN"));
  if (!r.has("Tags")) return std::unexpected(missing_member("tags"));
  EB_ASSIGN_OR_RETURN(auto tags, r.tags("Tags"));
  EB_TRY(c.buses.tag_resource(arn, tags));
  c.reply_empty();
  return {};
}

Result<void> untag_resource(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto arn, r.required_string("ResourceARN", "resourceARN"));
  if (!r.has("TagKeys")) return std::unexpected(missing_member("tagKeys"));
  EB_ASSIGN_OR_RETURN(auto keys, r.strings("TagKeys"));
  EB_TRY(c.buses.untag_resource(arn, keys));
  c.reply_empty();
  return {};
}

// ---- Events ------------------------------------------------------------------------------

Result<void> put_events(Call& c, const JsonRequest& r) {
  if (!r.has("Entries")) return std::unexpected(missing_member("entries"));
  EB_ASSIGN_OR_RETURN(auto items, r.objects("Entries"));
  std::vector<eb::events::PutEventsEntry> entries;
  entries.reserve(items.size());
  for (const JsonRequest& item : items) {
    eb::events::PutEventsEntry e;
    EB_ASSIGN_OR_RETURN(e.source, item.string("Source"));
    EB_ASSIGN_OR_RETURN(e.detail_type, item.string("DetailType"));
    EB_ASSIGN_OR_RETURN(e.detail, item.string("Detail"));
    EB_ASSIGN_OR_RETURN(e.bus, item.string("EventBusName"));
    EB_ASSIGN_OR_RETURN(e.resources, item.strings("Resources"));
    EB_ASSIGN_OR_RETURN(e.time, item.timestamp("Time"));
    EB_ASSIGN_OR_RETURN(e.trace_header, item.string("TraceHeader"));
    entries.push_back(std::move(e));
  }
  EB_ASSIGN_OR_RETURN(auto result, c.buses.put_events(entries));
  put_events_answer(c.json, result);
  c.reply();
  return {};
}

Result<void> test_event_pattern(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto pattern, r.required_string("EventPattern", "eventPattern"));
  EB_ASSIGN_OR_RETURN(auto event, r.required_string("Event", "event"));
  EB_ASSIGN_OR_RETURN(const bool matched, c.buses.test_event_pattern(pattern, event));
  c.json.begin_object().key("Result").boolean(matched).end_object();
  c.reply();
  return {};
}

}  // namespace

void add_bus_actions(ActionTable& table) {
  table.insert({
      {"CreateEventBus", &create_event_bus},
      {"DeleteEventBus", &delete_event_bus},
      {"DescribeEventBus", &describe_event_bus},
      {"UpdateEventBus", &update_event_bus},
      {"ListEventBuses", &list_event_buses},
      {"PutPermission", &put_permission},
      {"RemovePermission", &remove_permission},
      {"PutRule", &put_rule},
      {"DeleteRule", &delete_rule},
      {"DescribeRule", &describe_rule},
      {"EnableRule", &enable_rule},
      {"DisableRule", &disable_rule},
      {"ListRules", &list_rules},
      {"ListRuleNamesByTarget", &list_rule_names_by_target},
      {"PutTargets", &put_targets},
      {"RemoveTargets", &remove_targets},
      {"ListTargetsByRule", &list_targets_by_rule},
      {"ListTagsForResource", &list_tags_for_resource},
      {"TagResource", &tag_resource},
      {"UntagResource", &untag_resource},
      {"PutEvents", &put_events},
      {"TestEventPattern", &test_event_pattern},
  });
}

}  // namespace eb::api::events
