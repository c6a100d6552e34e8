#pragma once
// Inputs and outputs that cross between events/ and api/events. Optional members are the
// ones a request may leave out; strings are as the client sent them (validated by the domain).
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "events/transform.hpp"

namespace eb::events {

using Tags = std::map<std::string, std::string>;

struct EventsOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
};

// ---- Buses ------------------------------------------------------------------------------

struct CreateBusInput {
  std::string name;
  std::optional<std::string> event_source_name;
  std::optional<std::string> description;
  std::optional<std::string> kms_key_identifier;
  std::optional<std::string> dead_letter_arn;
  Tags tags;
};

struct UpdateBusInput {
  std::optional<std::string> name;  // absent: the default bus
  std::optional<std::string> description;
  std::optional<std::string> kms_key_identifier;
  std::optional<std::string> dead_letter_arn;
};

struct BusDescription {
  std::string name;
  std::string arn;
  std::string description;
  std::string policy;
  std::string kms_key_identifier;
  std::string dead_letter_arn;
  Millis created = 0;
  Millis modified = 0;
};

// A page of a list call: `next_token` empty on the last page.
template <class T>
struct Page {
  std::vector<T> items;
  std::string next_token;
};

struct ListInput {
  std::optional<std::string> name_prefix;
  std::optional<std::string> next_token;
  std::optional<int> limit;
};

struct PutPermissionInput {
  std::optional<std::string> bus;  // name; absent: default
  std::optional<std::string> action;
  std::optional<std::string> principal;
  std::optional<std::string> statement_id;
  // Condition {Type, Key, Value}: all three or none.
  std::optional<std::string> condition_type;
  std::optional<std::string> condition_key;
  std::optional<std::string> condition_value;
  std::optional<std::string> policy;  // a whole policy document instead of one statement
};

// ---- Rules ------------------------------------------------------------------------------

struct PutRuleInput {
  std::string name;
  std::optional<std::string> bus;  // name or ARN; absent: default
  std::optional<std::string> event_pattern;
  std::optional<std::string> schedule_expression;
  std::optional<std::string> state;
  std::optional<std::string> description;
  std::optional<std::string> role_arn;
  Tags tags;
};

struct RuleDescription {
  std::string name;
  std::string arn;
  std::string bus_name;
  std::string event_pattern;
  std::string schedule_expression;
  std::string state;
  std::string description;
  std::string role_arn;
  std::string managed_by;
  std::string created_by;
};

// ---- Targets ----------------------------------------------------------------------------

// A target's HttpParameters (PutTargets): what an API destination's invocation adds.
struct TargetHttpParameters {
  std::vector<std::string> path_parameter_values;
  std::map<std::string, std::string> header_parameters;
  std::map<std::string, std::string> query_string_parameters;
};

// A target as PutTargets gives it: the members the broker acts on, decoded, and the whole
// structure as JSON (`json`), which ListTargetsByRule returns as it was put.
struct TargetSpec {
  std::string id;
  std::string arn;
  std::string json;
  TargetInputSpec input_spec;
  std::optional<TargetInput> input;  // compiled from input_spec
  std::optional<std::string> sqs_message_group_id;
  std::optional<int> maximum_retry_attempts;
  std::optional<int> maximum_event_age_seconds;
  std::optional<std::string> dead_letter_arn;
  std::optional<std::string> role_arn;
  std::optional<TargetHttpParameters> http_parameters;
};

struct TargetFailure {
  std::string target_id;
  std::string error_code;
  std::string error_message;
};

// ---- Archives and replays --------------------------------------------------------------

struct CreateArchiveInput {
  std::string name;
  std::string source_arn;  // the bus
  std::optional<std::string> description;
  std::optional<std::string> event_pattern;
  std::optional<int> retention_days;  // 0 or absent: forever
  std::optional<std::string> kms_key_identifier;
};

struct UpdateArchiveInput {
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> event_pattern;
  std::optional<int> retention_days;
  std::optional<std::string> kms_key_identifier;
};

struct ArchiveDescription {
  std::string name;
  std::string arn;
  std::string source_arn;
  std::string description;
  std::string event_pattern;
  std::string state = "ENABLED";
  std::string state_reason;
  std::string kms_key_identifier;
  int retention_days = 0;
  std::int64_t size_bytes = 0;
  std::int64_t event_count = 0;
  Millis created = 0;
};

struct ArchiveListInput {
  std::optional<std::string> name_prefix;
  std::optional<std::string> source_arn;
  std::optional<std::string> state;
  std::optional<std::string> next_token;
  std::optional<int> limit;
};

struct StartReplayInput {
  std::string name;
  std::optional<std::string> description;
  std::string source_arn;  // the archive
  Millis start = 0;
  Millis end = 0;
  std::string destination_arn;           // the archive's bus
  std::vector<std::string> filter_arns;  // rules of that bus; empty: all of them
};

struct ReplayDescription {
  std::string name;
  std::string arn;
  std::string description;
  std::string state;  // STARTING, RUNNING, CANCELLING, COMPLETED, CANCELLED, FAILED
  std::string state_reason;
  std::string source_arn;
  std::string destination_arn;
  std::vector<std::string> filter_arns;
  Millis start = 0;
  Millis end = 0;
  std::optional<Millis> last_replayed;
  Millis replay_start = 0;
  std::optional<Millis> replay_end;
};

struct ReplayListInput {
  std::optional<std::string> name_prefix;
  std::optional<std::string> source_arn;
  std::optional<std::string> state;
  std::optional<std::string> next_token;
  std::optional<int> limit;
};

// ---- Events -----------------------------------------------------------------------------

struct PutEventsEntry {
  std::optional<std::string> source;
  std::optional<std::string> detail_type;
  std::optional<std::string> detail;
  std::optional<std::string> bus;  // name or ARN; absent: default
  std::vector<std::string> resources;
  std::optional<Millis> time;
  std::optional<std::string> trace_header;
};

struct PutEventsResultEntry {
  std::string event_id;  // empty when the entry failed
  std::string error_code;
  std::string error_message;
};

struct PutEventsOutput {
  int failed_entry_count = 0;
  std::vector<PutEventsResultEntry> entries;
};

// ---- The admin API's read-only view (bus_view.cpp) --------------------------------------

struct BusSummary {
  BusDescription bus;
  std::size_t rules = 0;     // every rule, managed ones too, as ListRules counts them
  std::size_t archives = 0;  // the archives recording its events (their managed rules)
};

struct RuleView {
  RuleDescription rule;
  std::vector<TargetSpec> targets;  // in the order they were put
};

struct BusView {
  BusSummary summary;
  std::vector<RuleView> rules;  // by name
};

}  // namespace eb::events
