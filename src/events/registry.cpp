#include "events/registry.hpp"

#include "eventbroker/codec.hpp"
#include "eventbroker/v1/bus_records.pb.h"

namespace eb::events {
namespace {

constexpr std::uint32_t kRecordVersion = 1;

}  // namespace

RuleDescription Rule::describe() const {
  return RuleDescription{.name = name,
                         .arn = arn,
                         .bus_name = bus_name,
                         .event_pattern = event_pattern,
                         .schedule_expression = schedule_expression,
                         .state = state,
                         .description = description,
                         .role_arn = role_arn,
                         .managed_by = managed_by,
                         .created_by = created_by};
}

void Bus::reindex() {
  auto set = std::make_shared<matching::EventPatternSet>();
  matchable.clear();
  for (const auto& [name, rule] : rules) {
    if (!rule->enabled() || !rule->pattern) continue;
    // A managed rule with no targets (an archive's) is a record: the archive reads the event
    // log itself, so matching events against it would only cost time.
    if (!rule->managed_by.empty() && rule->targets.empty()) continue;
    set->add(matchable.size(), *rule->pattern);
    matchable.push_back(rule);
  }
  patterns = std::move(set);
}

std::string bus_key(std::string_view bus) { return "b/" + std::string(bus); }

std::string rule_prefix(std::string_view bus) {
  std::string key = "r/";
  key.append(bus).push_back('\0');
  return key;
}

std::string rule_key(std::string_view bus, std::string_view rule) {
  return rule_prefix(bus).append(rule);
}

bool is_bus_key(std::string_view key) { return key.starts_with("b/"); }

std::string encode_bus(const Bus& bus) {
  const BusDescription& d = bus.description;
  eventbroker::v1::EventBusRecord p;
  p.set_format_version(kRecordVersion);
  p.set_name(d.name);
  p.set_description(d.description);
  p.set_policy(d.policy);
  p.set_kms_key_identifier(d.kms_key_identifier);
  p.set_dead_letter_arn(d.dead_letter_arn);
  p.mutable_tags()->insert(bus.tags.begin(), bus.tags.end());
  p.set_created_ms(d.created);
  p.set_modified_ms(d.modified);
  return p.SerializeAsString();
}

std::optional<Bus> decode_bus(std::string_view bytes) {
  auto p = proto::parse<eventbroker::v1::EventBusRecord>(bytes);
  if (!p) return std::nullopt;
  Bus bus;
  BusDescription& d = bus.description;
  d.name = p->name();
  d.description = p->description();
  d.policy = p->policy();
  d.kms_key_identifier = p->kms_key_identifier();
  d.dead_letter_arn = p->dead_letter_arn();
  d.created = p->created_ms();
  d.modified = p->modified_ms();
  bus.tags.insert(p->tags().begin(), p->tags().end());
  return bus;
}

std::string encode_rule(const Rule& rule) {
  eventbroker::v1::EventRuleRecord p;
  p.set_format_version(kRecordVersion);
  p.set_bus_name(rule.bus_name);
  p.set_name(rule.name);
  p.set_event_pattern(rule.event_pattern);
  p.set_schedule_expression(rule.schedule_expression);
  p.set_state(rule.state);
  p.set_description(rule.description);
  p.set_role_arn(rule.role_arn);
  p.set_managed_by(rule.managed_by);
  p.set_created_by(rule.created_by);
  p.mutable_tags()->insert(rule.tags.begin(), rule.tags.end());
  p.set_created_ms(rule.created);
  for (const Target& t : rule.targets) {
    auto* target = p.add_targets();
    target->set_id(t.spec.id);
    target->set_arn(t.spec.arn);
    target->set_json(t.spec.json);
  }
  return p.SerializeAsString();
}

std::optional<Rule> decode_rule(std::string_view bytes) {
  auto p = proto::parse<eventbroker::v1::EventRuleRecord>(bytes);
  if (!p) return std::nullopt;
  Rule rule;
  rule.bus_name = p->bus_name();
  rule.name = p->name();
  rule.event_pattern = p->event_pattern();
  rule.schedule_expression = p->schedule_expression();
  rule.state = p->state();
  rule.description = p->description();
  rule.role_arn = p->role_arn();
  rule.managed_by = p->managed_by();
  rule.created_by = p->created_by();
  rule.tags.insert(p->tags().begin(), p->tags().end());
  rule.created = p->created_ms();
  for (const auto& t : p->targets()) {
    rule.targets.push_back(Target{TargetSpec{.id = t.id(), .arn = t.arn(), .json = t.json()}});
  }
  return rule;
}

}  // namespace eb::events
