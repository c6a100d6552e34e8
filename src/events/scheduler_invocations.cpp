// Scheduler's invocations: a firing schedule's target invoked (SQS, SNS, a bus, the outbox),
// retried by its RetryPolicy on the timers, dead-lettered, and ActionAfterCompletion applied.
// The rest of Scheduler (resources, validation, arming) is in scheduler.cpp.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/encoding.hpp"
#include "core/json_writer.hpp"
#include "core/log.hpp"
#include "events/event_buses.hpp"
#include "events/retry_policy.hpp"
#include "events/scheduler.hpp"
#include "events/targets.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/topics.hpp"
#include "sqs/message_rules.hpp"
#include "sqs/queues.hpp"

namespace eb::events {
namespace {
std::string execution_id(std::mt19937_64& random) { return fmt::format("{:016x}", random()); }

bool is_bus_target(std::string_view arn) {
  return arn_service(arn) == "events" && arn.find(":event-bus/") != std::string_view::npos;
}

// Faults of the target's service rather than of the request: worth another attempt.
bool service_fault(Errc code) {
  return code == Errc::kInternalError || code == Errc::kServiceUnavailable ||
         code == Errc::kRequestThrottled;
}

std::string_view sqs_error_code(Errc code) {
  switch (code) {
    case Errc::kInvalidMessageContents:
      return "InvalidMessageContents";
    case Errc::kMissingParameter:
      return "MissingParameter";
    case Errc::kRequestThrottled:
      return "RequestThrottled";
    case Errc::kInternalError:
    case Errc::kServiceUnavailable:
      return "InternalError";
    default:
      return "InvalidParameterValue";
  }
}

// TARGET_ARN of a dead-letter event: the API the target calls, in the universal target's form
// ("arn:aws:scheduler:::aws-sdk:sqs:sendMessage"); a universal target's own ARN as it is.
std::string api_target_arn(std::string_view arn) {
  const std::string_view service = arn_service(arn);
  if (service == "sqs") return "arn:aws:scheduler:::aws-sdk:sqs:sendMessage";
  if (service == "sns") return "arn:aws:scheduler:::aws-sdk:sns:publish";
  if (is_bus_target(arn)) return "arn:aws:scheduler:::aws-sdk:eventbridge:putEvents";
  return std::string(arn);
}

// The body of a dead-letter event: the parameters of the request made to the target's API
// (SendMessage, Publish, PutEvents); for other targets, their Input.
std::string target_request(const Schedule& schedule, Millis nominal, std::string_view base_url,
                           const EventsOptions& options) {
  const ScheduleTarget& target = schedule.spec.target;
  const std::string input = target.input.value_or("{}");
  const std::string_view service = arn_service(target.arn);
  std::string out;
  JsonWriter json(out);
  if (service == "sqs") {
    const std::string_view name = std::string_view(target.arn).substr(target.arn.rfind(':') + 1);
    json.begin_object().member("MessageBody", input);
    json.member("QueueUrl", fmt::format("{}/{}/{}", base_url, options.account_id, name));
    if (target.sqs_message_group_id) json.member("MessageGroupId", *target.sqs_message_group_id);
    json.end_object();
  } else if (service == "sns") {
    json.begin_object().member("Message", input).member("TopicArn", target.arn).end_object();
  } else if (is_bus_target(target.arn)) {
    json.begin_object().key("Entries").begin_array().begin_object();
    json.member("Detail", input)
        .member("DetailType", target.detail_type.value_or("Scheduled Event"))
        .member("EventBusName", target.arn);
    json.key("Resources").begin_array().string(schedule.arn).end_array();
    json.member("Source", target.source.value_or("aws.scheduler"))
        .member("Time", event_time(nominal));
    json.end_object().end_array().end_object();
  } else {
    out = input;
  }
  return out;
}

// A warning about one invocation of `schedule`: its schedule, target and execution id, the
// correlation id of the target's input when it has one, and `fields`.
void warn_invocation(std::string_view text, const Schedule& schedule, std::string_view execution_id,
                     log::Fields fields) {
  if (!log::enabled(log::Level::kWarn)) return;
  const ScheduleTarget& target = schedule.spec.target;
  std::vector<log::Field> all = {
      {"schedule", schedule.arn}, {"target", target.arn}, {"executionId", execution_id}};
  all.insert(all.end(), fields);
  const std::string correlation = log::correlation_id(target.input.value_or(""), nullptr);
  if (!correlation.empty()) all.push_back({"correlationId", correlation});
  log::write(log::Level::kWarn, text, all);
}

}  // namespace

void Scheduler::fire(const Key& key, std::uint64_t generation) {
  Invocation invocation;
  {
    std::lock_guard lock(mu_);
    auto armed = armed_.find(key);
    if (armed == armed_.end() || armed->second.generation != generation) return;
    invocation.nominal = armed->second.nominal;
    armed_.erase(armed);
    auto group = groups_.find(key.first);
    if (group == groups_.end()) return;
    auto it = group->second.schedules.find(key.second);
    if (it == group->second.schedules.end()) return;
    invocation.schedule = it->second;
    invocation.execution_id = execution_id(random_);
    arm_locked(it->second, invocation.nominal);
    invocation.last = !armed_.contains(key);
  }
  attempt(std::move(invocation));
}

// What is retried, from the user guide's "Configuring a schedule's dead-letter queue"
// (configuring-schedule-dlq.html, "Retrieve the dead-letter event"): a dead-letter event carries
// EXHAUSTED_RETRY_CONDITION only when the target's error is retryable, not permanent, and its
// example (a queue that does not exist) is retried until a RetryPolicy limit. So a missing
// target and the target service's own faults are retried; a request the target refuses as
// invalid is permanent and goes to the dead-letter queue after its first attempt.
void Scheduler::attempt(Invocation invocation) {
  ++invocation.attempts;
  const std::optional<Failure> failure = invoke(invocation);
  if (!failure) {
    counters_.add(ScheduleCount::kDelivered);
    return complete(invocation);
  }
  const ScheduleTarget& target = invocation.schedule.spec.target;
  warn_invocation("schedule invocation failed", invocation.schedule, invocation.execution_id,
                  {{"attempt", invocation.attempts},
                   {"retryable", failure->retryable ? "true" : "false"},
                   {"errorCode", failure->code},
                   {"error", failure->message}});
  if (!failure->retryable) {
    dead_letter(invocation, *failure, {});
    return complete(invocation);
  }
  // The event's age counts from its scheduled time (RetryPolicy.MaximumEventAgeInSeconds).
  const RetryLimits limits{.maximum_retry_attempts = target.maximum_retry_attempts,
                           .maximum_event_age_seconds = target.maximum_event_age_seconds};
  std::unique_lock lock(mu_);
  const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  const NextRetry next =
      next_retry(limits, invocation.attempts - 1, invocation.nominal, clock_.now_ms(), jitter);
  if (!next.exhausted.empty()) {
    lock.unlock();
    dead_letter(invocation, *failure, next.exhausted);
    return complete(invocation);
  }
  const std::uint64_t id = ++next_retry_;
  Retry& slot = retries_[id];
  slot.invocation = std::move(invocation);
  slot.timer = timers_.schedule_at(next.at, [this, id] { retry(id); });
  counters_.add(ScheduleCount::kRetried);
}

void Scheduler::retry(std::uint64_t id) {
  Invocation invocation;
  {
    std::lock_guard lock(mu_);
    auto it = retries_.find(id);
    if (it == retries_.end()) return;
    invocation = std::move(it->second.invocation);
    retries_.erase(it);
    if (!exists_locked(invocation)) {
      spdlog::info("schedule {}: deleted; its invocation {} is not retried",
                   invocation.schedule.arn, invocation.execution_id);
      counters_.add(ScheduleCount::kFailed);
      counters_.add(ScheduleCount::kDropped);
      return;
    }
  }
  attempt(std::move(invocation));
}

bool Scheduler::exists_locked(const Invocation& invocation) const {
  auto group = groups_.find(invocation.schedule.group());
  if (group == groups_.end()) return false;
  auto it = group->second.schedules.find(invocation.schedule.spec.name);
  return it != group->second.schedules.end() && it->second.created == invocation.schedule.created;
}

void Scheduler::complete(const Invocation& invocation) {
  if (!invocation.last || invocation.schedule.spec.action_after_completion != "DELETE") return;
  const Key key{invocation.schedule.group(), invocation.schedule.spec.name};
  std::lock_guard lock(mu_);
  // Updated meanwhile into a schedule with invocations to come: kept.
  if (!exists_locked(invocation) || armed_.contains(key)) return;
  storage::Batch batch;
  batch.erase(storage::Family::kEventBuses, schedule_key(key.first, key.second));
  if (auto written = engine_.write(batch); !written) {
    spdlog::warn("schedule {}: could not be deleted after completion: {}", invocation.schedule.arn,
                 written.error().message);
    return;
  }
  groups_.at(key.first).schedules.erase(key.second);
}

std::optional<Scheduler::Failure> Scheduler::invoke(const Invocation& invocation) {
  const Schedule& schedule = invocation.schedule;
  const ScheduleTarget& target = schedule.spec.target;
  // Templated targets get Input as it is; without one, an empty JSON object.
  const std::string body = target.input.value_or("{}");
  const std::string_view service = arn_service(target.arn);
  if (service == "sqs") {
    auto queue = queues_.find_by_arn_any_account(target.arn);
    if (!queue) {
      return Failure{.code = "AWS.SimpleQueueService.NonExistentQueue",
                     .message = "The specified queue does not exist for this wsdl version.",
                     .retryable = true};
    }
    sqs::SendInput in;
    in.body = body;
    in.sender_id = options_.account_id;
    if (queue->fifo()) {
      in.group_id = target.sqs_message_group_id;
      in.deduplication_id = invocation.execution_id;
    }
    if (auto sent = queue->send(std::move(in)); !sent) {
      return Failure{.code = std::string(sqs_error_code(sent.error().code)),
                     .message = sent.error().message,
                     .retryable = service_fault(sent.error().code)};
    }
    return std::nullopt;
  }
  if (service == "sns") {
    if (services_.topics == nullptr) return std::nullopt;
    sns::PublishInput in;
    in.topic_arn = target.arn;
    in.message = body;
    if (auto published = services_.topics->publish(std::move(in)); !published) {
      const Errc code = published.error().code;
      return Failure{.code = code == Errc::kNotFound ? "NotFound"
                             : service_fault(code)   ? "InternalError"
                                                     : "InvalidParameter",
                     .message = published.error().message,
                     .retryable = code == Errc::kNotFound || service_fault(code)};
    }
    return std::nullopt;
  }
  if (is_bus_target(target.arn)) {
    PutEventsEntry entry;
    entry.source = target.source.value_or("aws.scheduler");
    entry.detail_type = target.detail_type.value_or("Scheduled Event");
    entry.detail = body;
    entry.bus = target.arn;
    entry.resources = {schedule.arn};
    entry.time = invocation.nominal;
    auto put = buses_.put_events({entry});
    if (!put) {
      return Failure{
          .code = "InternalException", .message = put.error().message, .retryable = true};
    }
    if (put->failed_entry_count > 0 && !put->entries.empty()) {
      const PutEventsResultEntry& failed = put->entries.front();
      return Failure{.code = failed.error_code,
                     .message = failed.error_message,
                     .retryable = failed.error_code == "InternalException" ||
                                  failed.error_code == "ThrottlingException"};
    }
    return std::nullopt;
  }
  if (services_.outbox != nullptr) {
    services_.outbox->deliver(sns::EndpointMessage{
        .subscription_arn = schedule.arn,
        .topic_arn = group_arn(schedule.group()),
        .protocol = std::string(service),
        .endpoint = target.arn,
        .message_type = "Scheduler",
        .message_id = invocation.execution_id,
        .body = body,
        .timestamp = invocation.nominal,
    });
  }
  return std::nullopt;
}

void Scheduler::set_base_url(std::string base_url) {
  std::lock_guard lock(mu_);
  base_url_ = std::move(base_url);
}

// The dead-letter event as the user guide's "Retrieve the dead-letter event" shows it: the body
// is the request made to the target's API, the attributes say why and when.
void Scheduler::dead_letter(const Invocation& invocation, const Failure& failure,
                            std::string_view exhausted) {
  const Schedule& schedule = invocation.schedule;
  const ScheduleTarget& target = schedule.spec.target;
  counters_.add(ScheduleCount::kFailed);
  if (target.dead_letter_arn.empty()) {
    warn_invocation("schedule invocation failed and has no dead-letter queue; it is dropped",
                    schedule, invocation.execution_id, {});
    counters_.add(ScheduleCount::kDropped);
    return;
  }
  auto queue = queues_.find_by_arn_any_account(target.dead_letter_arn);
  if (!queue) {
    warn_invocation("dead-letter queue does not exist; the invocation is dropped", schedule,
                    invocation.execution_id, {{"deadLetterQueue", target.dead_letter_arn}});
    counters_.add(ScheduleCount::kDropped);
    return;
  }
  std::string base_url;
  {
    std::lock_guard lock(mu_);
    base_url = base_url_;
  }
  sqs::SendInput in;
  in.body = target_request(schedule, invocation.nominal, base_url, options_);
  in.sender_id = options_.account_id;
  auto attribute = [&](std::string name, std::string_view value) {
    in.attributes.insert_or_assign(std::move(name),
                                   MessageAttributeValue{"String", std::string(value), {}});
  };
  attribute("ERROR_CODE", failure.code);
  attribute("ERROR_MESSAGE", failure.message);
  attribute("EXECUTION_ID", invocation.execution_id);
  if (!exhausted.empty()) attribute("EXHAUSTED_RETRY_CONDITION", exhausted);
  attribute("IS_PAYLOAD_TRUNCATED", "false");
  attribute("RETRY_ATTEMPTS", std::to_string(invocation.attempts - 1));
  attribute("SCHEDULED_TIME", event_time(invocation.nominal));
  attribute("SCHEDULE_ARN", schedule.arn);
  attribute("TARGET_ARN", api_target_arn(target.arn));
  // A body that does not fit the queue is cut to fit (at a character boundary) and says so.
  const auto limit = static_cast<std::size_t>(queue->config().maximum_message_size);
  const std::size_t size = sqs::message_size(in.body, in.attributes);
  if (size > limit) {
    std::size_t keep = in.body.size() - std::min(in.body.size(), size - limit);
    while (keep > 0 && (static_cast<unsigned char>(in.body[keep]) & 0xC0) == 0x80) --keep;
    in.body.resize(keep);
    attribute("IS_PAYLOAD_TRUNCATED", "true");
  }
  if (auto sent = queue->send(std::move(in)); !sent) {
    warn_invocation("dead-letter queue refused the invocation; it is dropped", schedule,
                    invocation.execution_id,
                    {{"deadLetterQueue", target.dead_letter_arn}, {"error", sent.error().message}});
    counters_.add(ScheduleCount::kDropped);
    return;
  }
  counters_.add(ScheduleCount::kDeadLettered);
}

}  // namespace eb::events
