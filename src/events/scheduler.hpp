#pragma once
// EventBridge Scheduler (AWS service `scheduler`): schedule groups and the schedules in them,
// their tags, and their firing. Each enabled schedule keeps one timer armed on the injected
// Timers for its next invocation (with --clock manual, POST /v1/clock/advance fires them); an
// invocation delivers the target's Input to an SQS queue, an SNS topic or an EventBridge bus, or
// records it in the outbox for any other target type. Groups and schedules are records in family
// kEventBuses ("g/" groups, "h/" schedules), so they survive a restart and are re-armed by
// recover(). A failed invocation is retried by the target's RetryPolicy (exponential backoff
// with jitter on the same Timers, retry_policy.hpp) while its schedule exists, then sent to the
// target's dead-letter queue; retries are not recorded, so a restart drops them.
// Thread-safe: any thread may call any method; one mutex guards the state and the timers'
// bookkeeping, and deliveries run outside it.
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "events/delivery.hpp"
#include "events/retry_policy.hpp"
#include "events/schedule.hpp"
#include "events/time_zone.hpp"
#include "events/types.hpp"
#include "storage/engine.hpp"

namespace eb::sqs {
class Queues;
}  // namespace eb::sqs

namespace eb::events {

class EventBuses;

struct ScheduleTarget {
  std::string arn;
  std::string role_arn;
  std::optional<std::string> input;
  int maximum_event_age_seconds = kDefaultMaximumEventAgeSeconds;  // RetryPolicy
  int maximum_retry_attempts = kDefaultMaximumRetryAttempts;
  std::string dead_letter_arn;
  std::optional<std::string> sqs_message_group_id;
  std::optional<std::string> detail_type;  // EventBridgeParameters
  std::optional<std::string> source;
  // The target's other parameters (EcsParameters, KinesisParameters,
  // SageMakerPipelineParameters), as a JSON object of those members; "" when none. Kept so they
  // read back as given; not acted on.
  std::string other_parameters;
};

struct ScheduleInput {
  std::string name;
  std::optional<std::string> group;  // absent: "default"
  std::string expression;
  std::string timezone;  // empty: UTC
  std::optional<Millis> start_date;
  std::optional<Millis> end_date;
  std::string description;
  std::string state = "ENABLED";
  std::string flexible_mode = "OFF";
  std::optional<int> flexible_window_minutes;
  std::string action_after_completion = "NONE";
  std::string kms_key_arn;
  std::string client_token;
  ScheduleTarget target;
};

struct Schedule {
  ScheduleInput spec;  // group always set
  std::string arn;
  Millis created = 0;
  Millis modified = 0;
  // Compiled from the spec on create, update and recovery.
  std::optional<ScheduleExpression> expression;
  TimeZone zone;

  const std::string& group() const { return *spec.group; }
};

struct ScheduleGroup {
  std::string name;
  std::string arn;
  Millis created = 0;
  Millis modified = 0;
  Tags tags;
  std::string client_token;
};

struct ListSchedulesInput {
  std::optional<std::string> group;
  std::optional<std::string> name_prefix;
  std::optional<std::string> state;
  std::optional<std::string> next_token;
  std::optional<int> max_results;
};

struct ListGroupsInput {
  std::optional<std::string> name_prefix;
  std::optional<std::string> next_token;
  std::optional<int> max_results;
};

// What the Scheduler counts of its invocations (for /metrics), since the daemon started.
enum class ScheduleCount : std::uint8_t {
  kDelivered,     // invocations that reached their target
  kFailed,        // invocations that failed for good (a permanent error, or retries ran out)
  kRetried,       // retries armed
  kDeadLettered,  // failed invocations sent to the target's dead-letter queue
  kDropped,       // failed invocations nothing took, and retries of deleted schedules
  kEnd,
};
using ScheduleCounts = Counts<ScheduleCount>;

class Scheduler {
 public:
  static constexpr std::string_view kDefaultGroup = "default";

  // `buses` receives the events of EventBridge bus targets.
  Scheduler(const Clock& clock, Timers& timers, storage::Engine& engine, sqs::Queues& queues,
            EventBuses& buses, EventsOptions options = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // SNS topics and the outbox; set once at wiring, before recover().
  void set_target_services(TargetServices services) { services_ = services; }
  // Where zone files are read (tests); default /usr/share/zoneinfo.
  void set_zoneinfo_root(std::string root) { zoneinfo_root_ = std::move(root); }
  void when_durable(std::function<void()> done);
  // The base of the queue URLs in dead-letter events ("http://host:port"); any time.
  void set_base_url(std::string base_url);

  // Loads groups and schedules and arms the enabled ones; creates the default group on first
  // start. Called once, before any request.
  Result<void> recover();

  // -> the schedule ARN. A repeated create with the same ClientToken answers as the first did.
  Result<std::string> create_schedule(ScheduleInput input);
  Result<std::string> update_schedule(ScheduleInput input);
  Result<Schedule> get_schedule(const std::optional<std::string>& group,
                                const std::string& name) const;
  Result<void> delete_schedule(const std::optional<std::string>& group, const std::string& name);
  // Drops every schedule group and schedule in one write and brings back an empty default
  // group (POST /v1/reset); armed timers and pending retries are cancelled (a firing already
  // running finds its schedule gone). -> the number of schedules dropped.
  Result<std::size_t> reset();
  Result<Page<Schedule>> list_schedules(const ListSchedulesInput& input) const;

  Result<std::string> create_group(const std::string& name, const Tags& tags,
                                   const std::string& client_token);
  Result<ScheduleGroup> get_group(const std::string& name) const;
  // Deletes the group and every schedule in it. The default group cannot be deleted.
  Result<void> delete_group(const std::string& name);
  Result<Page<ScheduleGroup>> list_groups(const ListGroupsInput& input) const;

  // Tags of a schedule group ARN (schedules carry none).
  Result<Tags> list_tags(const std::string& arn) const;
  Result<void> tag_resource(const std::string& arn, const Tags& tags);
  Result<void> untag_resource(const std::string& arn, const std::vector<std::string>& keys);

  std::string group_arn(std::string_view group) const;
  // Invocation counts since the daemon started (any thread, no lock).
  ScheduleCounts counts() const { return counters_.read(); }
  std::string schedule_arn(std::string_view group, std::string_view name) const;

 private:
  struct GroupEntry {
    ScheduleGroup group;
    std::map<std::string, Schedule> schedules;  // by name
  };
  // A schedule's armed timer. A firing whose generation is not the entry's does nothing.
  struct Armed {
    Timers::Id timer = 0;
    std::uint64_t generation = 0;
    Millis nominal = 0;  // the expression's time; the timer may be later (flexible window)
  };
  using Key = std::pair<std::string, std::string>;  // group, schedule

  Result<Schedule> compile(ScheduleInput input, Millis now) const;
  Result<void> write_schedule(const Schedule& schedule);
  Result<void> write_group(const ScheduleGroup& group);
  Result<const GroupEntry*> find_group_locked(const std::string& name) const;
  // The name of the group `arn` names, if it exists.
  Result<std::string> group_of_arn_locked(const std::string& arn) const;
  // Under mu_: (re)arms `schedule` for its first invocation after `after`, or disarms it.
  void arm_locked(const Schedule& schedule, Millis after);
  void disarm_locked(const Key& key);
  // One invocation of a schedule: every attempt of it shares the execution id.
  struct Invocation {
    Schedule schedule;  // as it was when it fired
    Millis nominal = 0;
    std::string execution_id;
    int attempts = 0;
    bool last = false;  // its schedule's last invocation: ActionAfterCompletion applies after it
  };
  // Why an attempt failed; `retryable` as the target's service answers.
  struct Failure {
    std::string code;
    std::string message;
    bool retryable = false;
  };
  void fire(const Key& key, std::uint64_t generation);
  // Makes one attempt of `invocation` (no lock held), then ends it or arms its retry.
  void attempt(Invocation invocation);
  // Delivers to the target; nullopt when delivered.
  std::optional<Failure> invoke(const Invocation& invocation);
  void retry(std::uint64_t id);
  // After the invocation's final attempt: ActionAfterCompletion DELETE after the last one.
  void complete(const Invocation& invocation);
  void dead_letter(const Invocation& invocation, const Failure& failure,
                   std::string_view exhausted);
  // Whether the schedule `invocation` came from still exists (not deleted, nor re-created).
  bool exists_locked(const Invocation& invocation) const;

  const Clock& clock_;
  Timers& timers_;
  storage::Engine& engine_;
  sqs::Queues& queues_;
  EventBuses& buses_;
  TargetServices services_;
  const EventsOptions options_;
  std::string zoneinfo_root_ = "/usr/share/zoneinfo";

  mutable std::mutex mu_;
  std::map<std::string, GroupEntry> groups_;  // by name
  std::map<Key, Armed> armed_;
  std::uint64_t next_generation_ = 0;
  // Invocations waiting for a retry, by their own id; each holds its timer.
  struct Retry {
    Timers::Id timer = 0;
    Invocation invocation;
  };
  std::map<std::uint64_t, Retry> retries_;
  std::uint64_t next_retry_ = 0;
  std::string base_url_ = "http://localhost:4566";
  std::mt19937_64 random_;  // flexible windows, retry jitter, execution ids
  CounterSet<ScheduleCount> counters_;
};

// Records (family kEventBuses): "g/" + group; "h/" + group + "\0" + schedule.
std::string schedule_group_key(std::string_view group);
std::string schedule_key(std::string_view group, std::string_view name);
std::string encode_schedule_group(const ScheduleGroup& group);
std::optional<ScheduleGroup> decode_schedule_group(std::string_view bytes);
std::string encode_schedule(const Schedule& schedule);
// The schedule as stored, not compiled.
std::optional<Schedule> decode_schedule(std::string_view bytes);

}  // namespace eb::events
