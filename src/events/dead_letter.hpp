#pragma once
// An event EventBridge could not deliver to a target, sent to the target's dead-letter queue
// with the attributes AWS puts on it. Shared by the synchronous deliveries (DeliveryBatch) and
// the retried ones (ApiDestinationDeliveries). Any thread.
#include <string>
#include <string_view>

#include "events/retry_policy.hpp"

namespace eb::sqs {
class Queues;
}  // namespace eb::sqs

namespace eb::events {

struct DeadLetterEvent {
  std::string_view rule_arn;
  std::string_view target_arn;
  std::string_view dead_letter_arn;  // empty: the target has no dead-letter queue
  std::string_view event;            // the event as it entered the bus
  std::string_view error_code;
  std::string_view error_message;
  int retry_attempts = 0;
  std::string_view exhausted_condition;  // empty unless the retries ran out
};

// Logs the failure and sends the event to its dead-letter queue (of any account `queues` reaches)
// with RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS and, when set,
// EXHAUSTED_RETRY_CONDITION. Returns whether the queue took it: false when there is no queue, it
// does not exist or it refused the event (the event is then dropped, as EventBridge drops it).
bool send_dead_letter(sqs::Queues& queues, const std::string& sender_id,
                      const DeadLetterEvent& letter);

}  // namespace eb::events
