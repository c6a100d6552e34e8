#pragma once
// The declared topology (config/topology.hpp) applied to the broker, and the live topology
// exported in the same form. Free functions over the broker's public API, called from the
// thread that starts the daemon or handles SIGHUP; the broker's own locking makes them safe
// next to requests, but two applies must not run at once.
#include <string>
#include <vector>

#include "config/topology.hpp"
#include "core/errors.hpp"
#include "sns/topics.hpp"
#include "sqs/queues.hpp"

namespace eb::app {

// What an apply changed, one "kind name" entry per item ("queue order-events-queue",
// "subscription portfolio-events -> sqs:order-events-queue").
struct ApplyReport {
  std::vector<std::string> created;
  std::vector<std::string> updated;
  std::vector<std::string> deleted;

  bool changed() const { return !created.empty() || !updated.empty() || !deleted.empty(); }
  // One line for the log: "topology: 3 created (queue a, ...), 0 updated, 0 deleted".
  std::string summary() const;
};

// Makes the broker match `topology`: creates missing queues, topics and subscriptions,
// updates the attributes and tags the topology names where they differ (others are left as
// they are), and with `prune` deletes the queues, topics and subscriptions it does not
// declare. Idempotent: a second apply changes nothing. Everything that can be checked
// without changing anything is checked first (names, attributes, filter policies,
// references), and every problem found is reported, one per line, each naming its item:
// "queue order-events-queue: InvalidAttributeValue: ...". An error from the broker later on
// stops the apply and says what had been changed before it.
Result<ApplyReport> apply_topology(sqs::Queues& broker, sns::Topics& topics,
                                   const config::Topology& topology);

// The live queues, topics and subscriptions as a Topology (prune false): settable
// attributes that differ from their defaults, tags, RedrivePolicy as `redrive`, local
// queues and topics by name. Subscriptions are sorted by topic, protocol and endpoint, so
// two brokers with the same topology export the same text.
config::Topology export_topology(const sqs::Queues& broker, const sns::Topics& topics);

}  // namespace eb::app
