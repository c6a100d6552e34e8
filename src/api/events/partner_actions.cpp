// EventBridge's partner event source actions: the partner's (Create/Delete/Describe/
// ListPartnerEventSource(s), ListPartnerEventSourceAccounts, PutPartnerEvents) and the
// customer's (Activate/Deactivate/Describe/ListEventSource(s)): decode, one
// events::PartnerSources call, encode. PutPartnerEvents makes a second call, EventBuses'
// put_events, for the entries PartnerSources routes to partner buses.
#include "api/events/call.hpp"
#include "events/event_buses.hpp"
#include "events/partner_sources.hpp"

namespace eb::api::events {
namespace {

using eb::events::EventSourceDescription;

// ---- The partner's ----------------------------------------------------------------------

Result<void> create_partner_event_source(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(auto account, r.required_string("Account", "account"));
  EB_ASSIGN_OR_RETURN(auto arn,
                      c.domains.partner_sources.create_partner_event_source(name, account));
  c.json.begin_object().member("EventSourceArn", arn).end_object();
  c.reply();
  return {};
}

Result<void> delete_partner_event_source(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(auto account, r.required_string("Account", "account"));
  EB_TRY(c.domains.partner_sources.delete_partner_event_source(name, account));
  c.reply_empty();
  return {};
}

Result<void> describe_partner_event_source(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(auto source, c.domains.partner_sources.describe_partner_event_source(name));
  c.json.begin_object().member("Arn", source.arn).member("Name", source.name).end_object();
  c.reply();
  return {};
}

Result<void> list_partner_event_sources(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto in, list_input(r));
  EB_ASSIGN_OR_RETURN(auto page, c.domains.partner_sources.list_partner_event_sources(in));
  c.json.begin_object().key("PartnerEventSources").begin_array();
  for (const auto& source : page.items) {
    c.json.begin_object().member("Arn", source.arn).member("Name", source.name).end_object();
  }
  c.json.end_array();
  next_token(c.json, page.next_token);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> list_partner_event_source_accounts(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("EventSourceName", "eventSourceName"));
  EB_ASSIGN_OR_RETURN(auto in, list_input(r));
  EB_ASSIGN_OR_RETURN(auto page,
                      c.domains.partner_sources.list_partner_event_source_accounts(name, in));
  c.json.begin_object().key("PartnerEventSourceAccounts").begin_array();
  for (const auto& source : page.items) {
    c.json.begin_object().member("Account", source.account);
    seconds(c.json, "CreationTime", source.created);
    c.json.member("State", source.state).end_object();
  }
  c.json.end_array();
  next_token(c.json, page.next_token);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> put_partner_events(Call& c, const JsonRequest& r) {
  if (!r.has("Entries")) return std::unexpected(missing_member("entries"));
  EB_ASSIGN_OR_RETURN(auto items, r.objects("Entries"));
  std::vector<eb::events::PutEventsEntry> entries;
  entries.reserve(items.size());
  for (const JsonRequest& item : items) {
    eb::events::PutEventsEntry e;
    EB_ASSIGN_OR_RETURN(e.source, item.string("Source"));
    EB_ASSIGN_OR_RETURN(e.detail_type, item.string("DetailType"));
    EB_ASSIGN_OR_RETURN(e.detail, item.string("Detail"));
    EB_ASSIGN_OR_RETURN(e.resources, item.strings("Resources"));
    EB_ASSIGN_OR_RETURN(e.time, item.timestamp("Time"));
    entries.push_back(std::move(e));
  }
  EB_ASSIGN_OR_RETURN(auto plan, c.domains.partner_sources.plan_partner_events(entries));
  std::vector<eb::events::PutEventsOutput> answers;
  for (const auto& batch : plan.batches) {
    EB_ASSIGN_OR_RETURN(auto answer, c.buses.put_events(batch));
    answers.push_back(std::move(answer));
  }
  const auto result = std::move(plan).finish(answers);
  put_events_answer(c.json, result);
  c.reply();
  return {};
}

// ---- The customer's ---------------------------------------------------------------------

void event_source_members(JsonWriter& json, const EventSourceDescription& source) {
  json.member("Arn", source.arn).member("CreatedBy", source.created_by);
  seconds(json, "CreationTime", source.created);
  json.member("Name", source.name).member("State", source.state);
}

Result<void> activate_event_source(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_TRY(c.domains.partner_sources.activate_event_source(name));
  c.reply_empty();
  return {};
}

Result<void> deactivate_event_source(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_TRY(c.domains.partner_sources.deactivate_event_source(name));
  c.reply_empty();
  return {};
}

Result<void> describe_event_source(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto name, r.required_string("Name", "name"));
  EB_ASSIGN_OR_RETURN(auto source, c.domains.partner_sources.describe_event_source(name));
  c.json.begin_object();
  event_source_members(c.json, source);
  c.json.end_object();
  c.reply();
  return {};
}

Result<void> list_event_sources(Call& c, const JsonRequest& r) {
  EB_ASSIGN_OR_RETURN(auto in, list_input(r));
  EB_ASSIGN_OR_RETURN(auto page, c.domains.partner_sources.list_event_sources(in));
  c.json.begin_object().key("EventSources").begin_array();
  for (const auto& source : page.items) {
    c.json.begin_object();
    event_source_members(c.json, source);
    c.json.end_object();
  }
  c.json.end_array();
  next_token(c.json, page.next_token);
  c.json.end_object();
  c.reply();
  return {};
}

}  // namespace

void add_partner_actions(ActionTable& table) {
  table.insert({
      {"CreatePartnerEventSource", &create_partner_event_source},
      {"DeletePartnerEventSource", &delete_partner_event_source},
      {"DescribePartnerEventSource", &describe_partner_event_source},
      {"ListPartnerEventSources", &list_partner_event_sources},
      {"ListPartnerEventSourceAccounts", &list_partner_event_source_accounts},
      {"PutPartnerEvents", &put_partner_events},
      {"ActivateEventSource", &activate_event_source},
      {"DeactivateEventSource", &deactivate_event_source},
      {"DescribeEventSource", &describe_event_source},
      {"ListEventSources", &list_event_sources},
  });
}

}  // namespace eb::api::events
