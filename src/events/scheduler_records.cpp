// EventBridge Scheduler's records (bus_records.proto: ScheduleGroupRecord, ScheduleRecord).
#include "eventbroker/codec.hpp"
#include "eventbroker/v1/bus_records.pb.h"
#include "events/scheduler.hpp"

namespace eb::events {
namespace {

constexpr std::uint32_t kRecordVersion = 1;

}  // namespace

std::string schedule_group_key(std::string_view group) { return "g/" + std::string(group); }

std::string schedule_key(std::string_view group, std::string_view name) {
  std::string key = "h/";
  key.append(group).push_back('\0');
  return key.append(name);
}

std::string encode_schedule_group(const ScheduleGroup& group) {
  eventbroker::v1::ScheduleGroupRecord p;
  p.set_format_version(kRecordVersion);
  p.set_name(group.name);
  p.mutable_tags()->insert(group.tags.begin(), group.tags.end());
  p.set_created_ms(group.created);
  p.set_modified_ms(group.modified);
  p.set_client_token(group.client_token);
  return p.SerializeAsString();
}

std::optional<ScheduleGroup> decode_schedule_group(std::string_view bytes) {
  auto p = proto::parse<eventbroker::v1::ScheduleGroupRecord>(bytes);
  if (!p) return std::nullopt;
  ScheduleGroup group;
  group.name = p->name();
  group.tags.insert(p->tags().begin(), p->tags().end());
  group.created = p->created_ms();
  group.modified = p->modified_ms();
  group.client_token = p->client_token();
  return group;
}

std::string encode_schedule(const Schedule& schedule) {
  const ScheduleInput& s = schedule.spec;
  eventbroker::v1::ScheduleRecord p;
  p.set_format_version(kRecordVersion);
  p.set_group(schedule.group());
  p.set_name(s.name);
  p.set_expression(s.expression);
  p.set_timezone(s.timezone);
  p.set_has_start_date(s.start_date.has_value());
  p.set_start_date_ms(s.start_date.value_or(0));
  p.set_has_end_date(s.end_date.has_value());
  p.set_end_date_ms(s.end_date.value_or(0));
  p.set_description(s.description);
  p.set_state(s.state);
  p.set_flexible_mode(s.flexible_mode);
  p.set_flexible_window_minutes(s.flexible_window_minutes.value_or(0));
  p.set_action_after_completion(s.action_after_completion);
  p.set_kms_key_arn(s.kms_key_arn);
  p.set_client_token(s.client_token);
  p.set_created_ms(schedule.created);
  p.set_modified_ms(schedule.modified);
  const ScheduleTarget& t = s.target;
  auto* target = p.mutable_target();
  target->set_arn(t.arn);
  target->set_role_arn(t.role_arn);
  target->set_has_input(t.input.has_value());
  target->set_input(t.input.value_or(""));
  target->set_maximum_event_age_seconds(t.maximum_event_age_seconds);
  target->set_maximum_retry_attempts(t.maximum_retry_attempts);
  target->set_dead_letter_arn(t.dead_letter_arn);
  target->set_has_sqs_message_group_id(t.sqs_message_group_id.has_value());
  target->set_sqs_message_group_id(t.sqs_message_group_id.value_or(""));
  target->set_has_eventbridge_parameters(t.detail_type.has_value());
  target->set_detail_type(t.detail_type.value_or(""));
  target->set_source(t.source.value_or(""));
  target->set_other_parameters(t.other_parameters);
  return p.SerializeAsString();
}

std::optional<Schedule> decode_schedule(std::string_view bytes) {
  auto p = proto::parse<eventbroker::v1::ScheduleRecord>(bytes);
  if (!p) return std::nullopt;
  Schedule schedule;
  ScheduleInput& s = schedule.spec;
  s.group = p->group();
  s.name = p->name();
  s.expression = p->expression();
  s.timezone = p->timezone();
  if (p->has_start_date()) s.start_date = p->start_date_ms();
  if (p->has_end_date()) s.end_date = p->end_date_ms();
  s.description = p->description();
  s.state = p->state();
  s.flexible_mode = p->flexible_mode();
  if (p->flexible_window_minutes() > 0) s.flexible_window_minutes = p->flexible_window_minutes();
  s.action_after_completion = p->action_after_completion();
  s.kms_key_arn = p->kms_key_arn();
  s.client_token = p->client_token();
  schedule.created = p->created_ms();
  schedule.modified = p->modified_ms();
  const auto& t = p->target();
  ScheduleTarget& target = s.target;
  target.arn = t.arn();
  target.role_arn = t.role_arn();
  if (t.has_input()) target.input = t.input();
  target.maximum_event_age_seconds = t.maximum_event_age_seconds();
  target.maximum_retry_attempts = t.maximum_retry_attempts();
  target.dead_letter_arn = t.dead_letter_arn();
  if (t.has_sqs_message_group_id()) target.sqs_message_group_id = t.sqs_message_group_id();
  if (t.has_eventbridge_parameters()) {
    target.detail_type = t.detail_type();
    target.source = t.source();
  }
  target.other_parameters = t.other_parameters();
  return schedule;
}

}  // namespace eb::events
