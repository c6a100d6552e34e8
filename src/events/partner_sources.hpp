#pragma once
// EventBridge partner event sources: a SaaS partner offers `aws.partner/<partner>/<name>` to one
// customer account (CreatePartnerEventSource); the customer sees it as an event source, PENDING
// until CreateEventBus(Name = EventSourceName = the source) makes it ACTIVE; PutPartnerEvents
// then puts the partner's events on that bus.
//
// This daemon is one account playing both parts. The partner calls (Create/Delete/Describe/
// ListPartnerEventSource(s), ListPartnerEventSourceAccounts, PutPartnerEvents) see every source;
// the customer calls (Describe/ListEventSources, Activate/DeactivateEventSource, CreateEventBus)
// see only the sources offered to this daemon's account. A source offered to another account
// can be written to, but its events have nowhere to go here: they are accepted and dropped, as
// are the events of a source with no active bus.
//
// States: PENDING (no bus, or deactivated), ACTIVE (its bus exists and receives), DELETED (the
// partner deleted it while the customer's bus still exists; only the customer sees it, until
// that bus is deleted too).
//
// Owns the sources (records "s/<name>" in family event_buses). Thread-safe: any thread may call
// any method; one mutex guards the map and is held across each record's write. Lock order:
// EventBuses' write lock, then this one (claim/release are called under the former); this class
// calls nothing while holding its lock.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "events/event_source_lookup.hpp"
#include "events/types.hpp"
#include "storage/engine.hpp"

namespace eb::events {

struct EventSourceDescription {
  std::string name;
  std::string arn;
  std::string account;     // the customer account
  std::string created_by;  // the partner: the name's second segment
  std::string state;       // PENDING, ACTIVE, DELETED
  Millis created = 0;
};

// PutPartnerEvents sorted out: the entries to put (each on its source's partner bus, through
// EventBuses::put_events, one call per batch) and the answers already known (failed or dropped
// entries).
struct PartnerEventsPlan {
  PutEventsOutput output;  // one answer per request entry; those to put left empty
  // With `bus` set to the partner bus; each batch within PutEvents' 10 entries (PutPartnerEvents
  // takes 20).
  std::vector<std::vector<PutEventsEntry>> batches;
  std::vector<std::size_t> positions;  // the i-th entry of the batches answers output.entries[i]

  // The answer to PutPartnerEvents, given put_events' answers for `batches`, in order.
  PutEventsOutput finish(const std::vector<PutEventsOutput>& answers) &&;
};

class PartnerSources final : public EventSourceLookup {
 public:
  PartnerSources(const Clock& clock, storage::Engine& engine, EventsOptions options = {});
  PartnerSources(const PartnerSources&) = delete;
  PartnerSources& operator=(const PartnerSources&) = delete;

  // Loads the sources. Called once, before any request.
  Result<void> recover();
  // Drops every partner event source in one write (POST /v1/reset) -> how many.
  Result<std::size_t> reset();

  // The partner's calls.
  Result<std::string> create_partner_event_source(const std::string& name,
                                                  const std::string& account);  // -> ARN
  Result<void> delete_partner_event_source(const std::string& name, const std::string& account);
  Result<EventSourceDescription> describe_partner_event_source(const std::string& name) const;
  // `input.name_prefix` is required by the model.
  Result<Page<EventSourceDescription>> list_partner_event_sources(const ListInput& input) const;
  Result<Page<EventSourceDescription>> list_partner_event_source_accounts(
      const std::string& name, const ListInput& input) const;
  Result<PartnerEventsPlan> plan_partner_events(const std::vector<PutEventsEntry>& entries) const;

  // The customer's calls.
  Result<void> activate_event_source(const std::string& name);
  Result<void> deactivate_event_source(const std::string& name);
  Result<EventSourceDescription> describe_event_source(const std::string& name) const;
  Result<Page<EventSourceDescription>> list_event_sources(const ListInput& input) const;

  // EventSourceLookup: CreateEventBus and DeleteEventBus of a partner bus.
  Result<void> claim_event_source(const std::string& name) override;
  void release_event_source(const std::string& name) override;

  std::string source_arn(std::string_view name) const;

 private:
  struct Source {
    std::string name;
    std::string account;
    std::string state;
    bool has_bus = false;  // the customer's partner bus exists
    Millis created = 0;
  };

  EventSourceDescription describe(const Source& source) const;
  bool ours(const Source& source) const { return source.account == options_.account_id; }
  // Under mu_: the source as the customer (this account) sees it, or ResourceNotFound.
  Result<Source*> customer_source(const std::string& name);
  // Under mu_: writes `source`, then keeps it.
  Result<void> store(Source source);
  Result<void> erase(const std::string& name);

  const Clock& clock_;
  storage::Engine& engine_;
  const EventsOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Source> sources_;  // by name; guarded by mu_
};

}  // namespace eb::events
