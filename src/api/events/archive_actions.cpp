// EventBridge's archive and replay actions: decode, one Archives call, encode.
#include "api/events/call.hpp"
#include "events/archives.hpp"

namespace eb::api::events {
namespace {

using eb::events::ArchiveDescription;
using eb::events::ReplayDescription;

Result<void> create_archive(Call& c, const JsonRequest& r) {
  eb::events::CreateArchiveInput in;
  EB_ASSIGN_OR_RETURN(in.name, r.required_string("ArchiveName", "archiveName"));
  EB_ASSIGN_OR_RETURN(in.source_arn, r.required_string("EventSourceArn", "eventSourceArn"));
  EB_ASSIGN_OR_RETURN(in.description, r.string("Description"));
  EB_ASSIGN_OR_RETURN(in.event_pattern, r.string("EventPattern"));
  EB_ASSIGN_OR_RETURN(in.retention_days, r.integer("RetentionDays"));
  EB_ASSIGN_OR_RETURN(in.kms_key_identifier, r.string("KmsKeyIdentifier"));
  EB_ASSIGN_OR_RETURN(auto a, c.domains.archives.create_archive(in));
  c.json.begin_object().member("ArchiveArn", a.arn).member("State", a.state);
  seconds(c.json, "CreationTime", a.created);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> delete_archive(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("ArchiveName", "archiveName"));
  EB_TRY(c.domains.archives.delete_archive(name));
  c.reply_empty();
  return {};
}

// The members ListArchives and DescribeArchive share.
void archive_summary(JsonWriter& json, const ArchiveDescription& a) {
  json.member("ArchiveName", a.name).member("EventSourceArn", a.source_arn);
  json.member("State", a.state);
  optional_member(json, "StateReason", a.state_reason);
  json.key("RetentionDays").number(a.retention_days);
  json.key("SizeBytes").number(a.size_bytes);
  json.key("EventCount").number(a.event_count);
  seconds(json, "CreationTime", a.created);
}

Result<void> describe_archive(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("ArchiveName", "archiveName"));
  EB_ASSIGN_OR_RETURN(auto a, c.domains.archives.describe_archive(name));
  c.json.begin_object().member("ArchiveArn", a.arn);
  archive_summary(c.json, a);
  optional_member(c.json, "Description", a.description);
  optional_member(c.json, "EventPattern", a.event_pattern);
  optional_member(c.json, "KmsKeyIdentifier", a.kms_key_identifier);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> update_archive(Call& c, const JsonRequest& r) {
  eb::events::UpdateArchiveInput in;
  EB_ASSIGN_OR_RETURN(in.name, r.required_string("ArchiveName", "archiveName"));
  EB_ASSIGN_OR_RETURN(in.description, r.string("Description"));
  EB_ASSIGN_OR_RETURN(in.event_pattern, r.string("EventPattern"));
  EB_ASSIGN_OR_RETURN(in.retention_days, r.integer("RetentionDays"));
  EB_ASSIGN_OR_RETURN(in.kms_key_identifier, r.string("KmsKeyIdentifier"));
  EB_ASSIGN_OR_RETURN(auto a, c.domains.archives.update_archive(in));
  c.json.begin_object().member("ArchiveArn", a.arn).member("State", a.state);
  optional_member(c.json, "StateReason", a.state_reason);
  seconds(c.json, "CreationTime", a.created);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> list_archives(Call& c, const JsonRequest& r) {
  eb::events::ArchiveListInput in;
  EB_ASSIGN_OR_RETURN(in.name_prefix, r.string("NamePrefix"));
  EB_ASSIGN_OR_RETURN(in.source_arn, r.string("EventSourceArn"));
  EB_ASSIGN_OR_RETURN(in.state, r.string("State"));
  EB_ASSIGN_OR_RETURN(in.next_token, r.string("NextToken"));
  EB_ASSIGN_OR_RETURN(in.limit, r.integer("Limit"));
  EB_ASSIGN_OR_RETURN(auto page, c.domains.archives.list_archives(in));
  c.json.begin_object().key("Archives").begin_array();
  for (const auto& a : page.items) {
    c.json.begin_object();
    archive_summary(c.json, a);
    c.json.end_object();
  }
  c.json.end_array();
  next_token(c.json, page.next_token);
  c.json.end_object();
  c.reply();
  return {};
}

// The members ListReplays and DescribeReplay share.
void replay_summary(JsonWriter& json, const ReplayDescription& d) {
  json.member("ReplayName", d.name).member("EventSourceArn", d.source_arn);
  json.member("State", d.state);
  optional_member(json, "StateReason", d.state_reason);
  seconds(json, "EventStartTime", d.start);
  seconds(json, "EventEndTime", d.end);
  if (d.last_replayed) seconds(json, "EventLastReplayedTime", *d.last_replayed);
  seconds(json, "ReplayStartTime", d.replay_start);
  if (d.replay_end) seconds(json, "ReplayEndTime", *d.replay_end);
}

Result<void> start_replay(Call& c, const JsonRequest& r) {
  eb::events::StartReplayInput in;
  EB_ASSIGN_OR_RETURN(in.name, r.required_string("ReplayName", "replayName"));
  EB_ASSIGN_OR_RETURN(in.description, r.string("Description"));
  EB_ASSIGN_OR_RETURN(in.source_arn, r.required_string("EventSourceArn", "eventSourceArn"));
  EB_ASSIGN_OR_RETURN(auto start, r.timestamp("EventStartTime"));
  EB_ASSIGN_OR_RETURN(auto end, r.timestamp("EventEndTime"));
  if (!start) return std::unexpected(missing_member("eventStartTime"));
  if (!end) return std::unexpected(missing_member("eventEndTime"));
  in.start = *start;
  in.end = *end;
  EB_ASSIGN_OR_RETURN(auto destination, r.object("Destination"));
  if (!destination) return std::unexpected(missing_member("destination"));
  EB_ASSIGN_OR_RETURN(in.destination_arn, destination->required_string("Arn", "destination.arn"));
  EB_ASSIGN_OR_RETURN(in.filter_arns, destination->strings("FilterArns"));
  EB_ASSIGN_OR_RETURN(auto d, c.domains.archives.start_replay(in));
  c.json.begin_object().member("ReplayArn", d.arn).member("State", d.state);
  optional_member(c.json, "StateReason", d.state_reason);
  seconds(c.json, "ReplayStartTime", d.replay_start);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> cancel_replay(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("ReplayName", "replayName"));
  EB_ASSIGN_OR_RETURN(auto d, c.domains.archives.cancel_replay(name));
  c.json.begin_object().member("ReplayArn", d.arn).member("State", d.state);
  optional_member(c.json, "StateReason", d.state_reason);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> describe_replay(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("ReplayName", "replayName"));
  EB_ASSIGN_OR_RETURN(auto d, c.domains.archives.describe_replay(name));
  c.json.begin_object().member("ReplayArn", d.arn);
  replay_summary(c.json, d);
  optional_member(c.json, "Description", d.description);
  c.json.key("Destination").begin_object().member("Arn", d.destination_arn);
  if (!d.filter_arns.empty()) {
    c.json.key("FilterArns").begin_array();
    for (const auto& f : d.filter_arns) c.json.string(f);
    c.json.end_array();
  }
  c.json.end_object().end_object();
  c.reply();
  return {};
}

Result<void> list_replays(Call& c, const JsonRequest& r) {
  eb::events::ReplayListInput in;
  EB_ASSIGN_OR_RETURN(in.name_prefix, r.string("NamePrefix"));
  EB_ASSIGN_OR_RETURN(in.source_arn, r.string("EventSourceArn"));
  EB_ASSIGN_OR_RETURN(in.state, r.string("State"));
  EB_ASSIGN_OR_RETURN(in.next_token, r.string("NextToken"));
  EB_ASSIGN_OR_RETURN(in.limit, r.integer("Limit"));
  EB_ASSIGN_OR_RETURN(auto page, c.domains.archives.list_replays(in));
  c.json.begin_object().key("Replays").begin_array();
  for (const auto& d : page.items) {
    c.json.begin_object();
    replay_summary(c.json, d);
    c.json.end_object();
  }
  c.json.end_array();
  next_token(c.json, page.next_token);
  c.json.end_object();
  c.reply();
  return {};
}

}  // namespace

void add_archive_actions(ActionTable& table) {
  table.insert({
      {"CreateArchive", &create_archive},
      {"DeleteArchive", &delete_archive},
      {"DescribeArchive", &describe_archive},
      {"UpdateArchive", &update_archive},
      {"ListArchives", &list_archives},
      {"StartReplay", &start_replay},
      {"CancelReplay", &cancel_replay},
      {"DescribeReplay", &describe_replay},
      {"ListReplays", &list_replays},
  });
}

}  // namespace eb::api::events
