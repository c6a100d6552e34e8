#pragma once
// The EventBridge domain: buses, rules, targets and PutEvents. Thread-safe: any thread may call
// any method. PutEvents reads an immutable Registry snapshot without a lock; control operations
// serialise on one mutex, write their records, then swap in a changed snapshot.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "events/delivery.hpp"
#include "events/event_source_lookup.hpp"
#include "events/names.hpp"
#include "events/registry.hpp"
#include "events/types.hpp"

#include "storage/engine.hpp"

namespace eb::storage {
class EventSink;
}  // namespace eb::storage

namespace eb::sqs {
class Queues;
}  // namespace eb::sqs

namespace eb::events {

class EventBuses {
 public:
  // `events`, when given, receives every accepted event (source: the bus ARN) in the write
  // that delivers it to its SQS targets.
  // Scheduled rules fire on `timers` at the times `clock` gives (a ManualClock under --clock
  // manual).
  EventBuses(const Clock& clock, Timers& timers, storage::Engine& engine, sqs::Queues& queues,
             EventsOptions options = {}, storage::EventSink* events = nullptr);
  ~EventBuses();
  EventBuses(const EventBuses&) = delete;
  EventBuses& operator=(const EventBuses&) = delete;

  const EventsOptions& options() const { return options_; }
  const ArnContext& arns() const { return arns_; }

  // Where SNS, Lambda and other non-SQS targets go; set once at wiring, before recover().
  void set_target_services(TargetServices services) { services_ = services; }
  // The other accounts' buses, by account id (null: no such account), for bus targets of
  // another account; set once at wiring, before serving. Without it such events are dropped.
  using OtherAccounts = std::function<EventBuses*(std::string_view account_id)>;
  void set_other_accounts(OtherAccounts other_accounts) {
    other_accounts_ = std::move(other_accounts);
  }
  // Partner event sources, for CreateEventBus with an EventSourceName; set once at wiring.
  // Without one, every EventSourceName is unknown (ResourceNotFoundException).
  void set_event_sources(EventSourceLookup* sources) { sources_ = sources; }

  // Runs `done` once this thread's writes are as durable as the daemon promises.
  void when_durable(std::function<void()> done);

  // Loads buses and rules; creates the default bus on first start. Called once, before any
  // request.
  Result<void> recover();
  // Makes the deliveries a previous run accepted but did not finish (PendingDeliveries), once
  // every target service has recovered; how many there were.
  Result<std::size_t> resume_deliveries();

  // Buses.
  Result<BusDescription> create_event_bus(const CreateBusInput& input);
  Result<void> delete_event_bus(const std::string& name);
  // Drops every bus and rule in one write and brings back an empty default bus (POST
  // /v1/reset); the dropped scheduled rules' timers are cancelled. -> the buses dropped.
  Result<std::size_t> reset();
  Result<BusDescription> describe_event_bus(const std::optional<std::string>& name_or_arn) const;
  Result<BusDescription> update_event_bus(const UpdateBusInput& input);
  Result<Page<BusDescription>> list_event_buses(const ListInput& input) const;

  // The bus's resource policy: one statement per PutPermission (or a whole policy), removed by
  // statement id or all at once. DescribeEventBus shows it as Policy.
  Result<void> put_permission(const PutPermissionInput& input);
  Result<void> remove_permission(const std::optional<std::string>& bus,
                                 const std::optional<std::string>& statement_id, bool remove_all);

  // Rules. `bus` is a name or an ARN; absent means the default bus.
  Result<std::string> put_rule(const PutRuleInput& input);  // -> rule ARN
  Result<void> delete_rule(const std::optional<std::string>& bus, const std::string& name,
                           bool force);
  Result<RuleDescription> describe_rule(const std::optional<std::string>& bus,
                                        const std::string& name) const;
  Result<void> set_rule_enabled(const std::optional<std::string>& bus, const std::string& name,
                                bool enabled);
  Result<Page<RuleDescription>> list_rules(const std::optional<std::string>& bus,
                                           const ListInput& input) const;
  Result<Page<std::string>> list_rule_names_by_target(const std::optional<std::string>& bus,
                                                      const std::string& target_arn,
                                                      const ListInput& input) const;

  // Managed rules: rules a service keeps on a bus for its own use (an archive's), which
  // ListRules and DescribeRule show with ManagedBy. Users cannot change them (PutRule,
  // PutTargets, EnableRule, DisableRule, TagResource and UntagResource answer
  // ManagedRuleException); DeleteRule and RemoveTargets need Force. A managed rule with no
  // targets is a record only: PutEvents does not match events against it.
  // Creates or replaces the rule `name` on `bus` (name or ARN) with `pattern` (which must
  // compile); a rule of that name the user made is left alone (ResourceAlreadyExists).
  Result<std::string> put_managed_rule(const std::string& bus, const std::string& name,
                                       const std::string& pattern, std::string_view managed_by);
  // Deletes it; a bus or rule already gone is success.
  Result<void> delete_managed_rule(const std::string& bus, const std::string& name);

  // Targets.
  Result<std::vector<TargetFailure>> put_targets(const std::optional<std::string>& bus,
                                                 const std::string& rule,
                                                 std::vector<TargetSpec> targets);
  Result<std::vector<TargetFailure>> remove_targets(const std::optional<std::string>& bus,
                                                    const std::string& rule,
                                                    const std::vector<std::string>& ids,
                                                    bool force);
  Result<Page<TargetSpec>> list_targets_by_rule(const std::optional<std::string>& bus,
                                                const std::string& rule,
                                                const ListInput& input) const;

  // Tags of a bus or rule ARN.
  Result<Tags> list_tags(const std::string& arn) const;
  Result<void> tag_resource(const std::string& arn, const Tags& tags);
  Result<void> untag_resource(const std::string& arn, const std::vector<std::string>& keys);

  // The admin API's read-only view (bus_view.cpp), each from one registry snapshot: every bus
  // by name with its counts, and one bus (name or ARN; kResourceNotFound as DescribeEventBus)
  // with its rules and their targets.
  std::vector<BusSummary> bus_summaries() const;
  Result<BusView> bus_view(const std::string& name_or_arn) const;

  // Events.
  Result<PutEventsOutput> put_events(const std::vector<PutEventsEntry>& entries);
  Result<bool> test_event_pattern(std::string_view pattern, std::string_view event) const;
  // A replayed event (its envelope carries "replay-name") on bus `bus_name`: delivered to the
  // bus's enabled rules that match it (only those in `rule_arns` when it is not empty) and
  // logged under the bus again.
  Result<void> replay_event(const std::string& bus_name, const std::string& event_id,
                            const std::string& envelope, const std::vector<std::string>& rule_arns);
  // An event another account's rule forwards to bus `bus_name` of this account (its envelope
  // keeps the source account): matched against the bus's enabled rules without following their
  // bus targets, logged under the bus and written through this account's engine.
  // kResourceNotFound when there is no such bus; another error when the write failed.
  Result<void> receive_forwarded(const std::string& bus_name, const std::string& event_id,
                                 const std::string& envelope);

  // For /metrics: every bus's counts, and `other`: those of buses deleted since the daemon
  // started and of events that reached no bus (put on a bus that does not exist).
  struct Stats {
    std::vector<BusStats> buses;
    BusCounts other;
  };
  Stats stats();

 private:
  struct ArnTarget {
    std::shared_ptr<const Bus> bus;
    std::shared_ptr<const Rule> rule;  // null for a bus
  };

  std::shared_ptr<const Registry> snapshot() const { return registry_.load(); }
  Result<std::shared_ptr<const Bus>> find_bus(const std::shared_ptr<const Registry>& registry,
                                              const std::optional<std::string>& name_or_arn) const;
  Result<std::shared_ptr<const Rule>> find_rule(const Bus& bus, const std::string& name) const;
  Result<ArnTarget> find_arn(const std::shared_ptr<const Registry>& registry,
                             const std::string& arn) const;
  // Under write_mu_: writes `batch`, then publishes `next`.
  Result<void> commit(std::shared_ptr<Registry> next, storage::Batch batch);
  // A copy of the registry with `bus` replaced (or removed when null), for commit().
  static std::shared_ptr<Registry> with_bus(const Registry& current, const std::string& name,
                                            std::shared_ptr<const Bus> bus);
  // Writes `rule` (replacing its namesake) into its bus, under write_mu_.
  Result<void> store_rule(const Registry& current, const Bus& bus,
                          std::shared_ptr<const Rule> rule);

  // A scheduled rule of the default bus, armed for its next firing. A firing whose generation
  // is no longer the entry's (the rule changed or went) does nothing.
  struct Armed {
    std::shared_ptr<const Rule> rule;
    Timers::Id timer = 0;
    std::uint64_t generation = 0;
  };
  // Under write_mu_: a deleted bus's counters go to the totals of deleted ones.
  void retire_locked(std::shared_ptr<BusCounters> counters);
  // Under write_mu_: the deleted buses' counts; the counters nothing else holds any more are
  // folded into deleted_counts_.
  BusCounts deleted_counts_locked();
  // Under write_mu_, after each commit: arms the default bus's enabled scheduled rules that
  // are new or changed and cancels the timers of those gone or disabled.
  void sync_schedules();
  // Under schedule_mu_: arms `armed` for its rule's first firing after `after`.
  void arm_locked(const std::string& name, Armed& armed, Millis after);
  // A timer's callback: delivers the Scheduled Event to the rule's targets, then re-arms.
  void fire(const std::string& name, std::uint64_t generation, Millis deadline);

  // Delivers `deliveries` (a batch that is not itself forwarded) and then the events its bus
  // targets forward, each matched against its bus's rules.
  Result<void> deliver(DeliveryBatch& deliveries, std::span<const storage::IncomingMessage> logged);
  // Delivers an event forwarded to `bus` (bus targets not followed) and logs it there; erases
  // the forward's PendingDeliveries record `pending_key` (empty: none) in the same write.
  Result<void> deliver_forwarded(const Bus& bus, const std::string& event_id,
                                 const std::string& envelope, const std::string& pending_key);
  // Hands a forward to its account's buses; false when that failed and the forward's record must
  // stay for a restart to try again.
  bool forward_to_account(const Forward& forward);

  const Clock& clock_;
  Timers& timers_;
  TargetServices services_;
  EventSourceLookup* sources_ = nullptr;  // outlives this; called under write_mu_
  OtherAccounts other_accounts_;
  storage::Engine& engine_;
  sqs::Queues& queues_;
  const EventsOptions options_;
  const ArnContext arns_;
  storage::EventSink* const events_;
  PendingDeliveries pending_;
  std::mutex write_mu_;
  std::atomic<std::shared_ptr<const Registry>> registry_;
  // Events that reached no bus count here (folded into Stats::other).
  const std::shared_ptr<BusCounters> unattributed_ = std::make_shared<BusCounters>();
  // Deleted buses' counters that a delivery under way (an API destination's retries) or an
  // older snapshot may still bump; guarded by write_mu_, as deleted_counts_.
  std::vector<std::shared_ptr<BusCounters>> retired_;
  BusCounts deleted_counts_;
  std::mutex schedule_mu_;  // after write_mu_; guards armed_ and next_generation_
  std::map<std::string, Armed> armed_;
  std::uint64_t next_generation_ = 0;
};

}  // namespace eb::events
