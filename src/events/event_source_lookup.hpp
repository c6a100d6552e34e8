#pragma once
// The seam between EventBuses and the partner event sources (PartnerSources implements it):
// CreateEventBus with an EventSourceName and DeleteEventBus of a partner bus tell the source,
// so EventBuses needs to know nothing else of partners.
#include <string>

#include "core/errors.hpp"

namespace eb::events {

class EventSourceLookup {
 public:
  virtual ~EventSourceLookup() = default;

  // CreateEventBus(Name = EventSourceName = `name`), after the call's own checks and before the
  // bus is written: succeeds when the source exists for this account and has no bus yet, and
  // makes it ACTIVE. Called under EventBuses' write lock; must not call back into EventBuses.
  virtual Result<void> claim_event_source(const std::string& name) = 0;
  // The partner bus `name` is gone (deleted, or its write failed after a claim): its source
  // goes back to PENDING, or away when the partner had deleted it. Unknown names are ignored.
  virtual void release_event_source(const std::string& name) = 0;
};

}  // namespace eb::events
