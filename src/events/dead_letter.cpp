#include "events/dead_letter.hpp"

#include <simdjson.h>

#include <utility>

#include "core/log.hpp"
#include "sqs/queue.hpp"
#include "sqs/queues.hpp"

namespace eb::events {
namespace {

// The "id" of an EventBridge event; empty when it has none (or is no JSON).
std::string event_id(std::string_view event) {
  simdjson::dom::parser parser;
  std::string_view id;
  if (parser.parse(event.data(), event.size())["id"].get(id) != simdjson::SUCCESS) return {};
  return std::string(id);
}

}  // namespace

bool send_dead_letter(sqs::Queues& queues, const std::string& sender_id,
                      const DeadLetterEvent& letter) {
  // The event's id is read from it only for a line that is written.
  auto warn = [&](std::string_view text, std::string_view error) {
    if (!log::enabled(log::Level::kWarn)) return;
    const std::string id = event_id(letter.event);
    log::warn(text,
              {{"rule", letter.rule_arn},
               {"target", letter.target_arn},
               {"deadLetterQueue", letter.dead_letter_arn},
               {"errorCode", letter.error_code},
               {"error", error}},
              log::MessageRef{id, letter.event});
  };
  warn("EventBridge delivery failed", letter.error_message);
  if (letter.dead_letter_arn.empty()) return false;
  auto queue = queues.find_by_arn_any_account(std::string(letter.dead_letter_arn));
  if (!queue) {
    warn("dead-letter queue does not exist; the event is dropped", {});
    return false;
  }
  sqs::SendInput in;
  in.body = std::string(letter.event);
  in.sender_id = sender_id;
  auto attribute = [&](std::string name, std::string_view value) {
    in.attributes.emplace(std::move(name), MessageAttributeValue{"String", std::string(value), {}});
  };
  attribute("RULE_ARN", letter.rule_arn);
  attribute("TARGET_ARN", letter.target_arn);
  attribute("ERROR_CODE", letter.error_code);
  attribute("ERROR_MESSAGE", letter.error_message);
  attribute("RETRY_ATTEMPTS", std::to_string(letter.retry_attempts));
  if (!letter.exhausted_condition.empty()) {
    attribute("EXHAUSTED_RETRY_CONDITION", letter.exhausted_condition);
  }
  if (auto sent = queue->send(std::move(in)); !sent) {
    warn("dead-letter queue refused the event; it is dropped", sent.error().message);
    return false;
  }
  return true;
}

}  // namespace eb::events
