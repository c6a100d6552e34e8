#include "events/dead_letter.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include "sqs/queue.hpp"
#include "sqs/queues.hpp"

namespace eb::events {

bool send_dead_letter(sqs::Queues& queues, const std::string& sender_id,
                      const DeadLetterEvent& letter) {
  spdlog::warn("rule {}: target {}: {} ({})", letter.rule_arn, letter.target_arn,
               letter.error_message, letter.error_code);
  if (letter.dead_letter_arn.empty()) return false;
  auto queue = queues.find_by_arn_any_account(std::string(letter.dead_letter_arn));
  if (!queue) {
    spdlog::warn("rule {}: dead-letter queue {} does not exist; the event is dropped",
                 letter.rule_arn, letter.dead_letter_arn);
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
    spdlog::warn("rule {}: dead-letter queue {} refused the event: {}", letter.rule_arn,
                 letter.dead_letter_arn, sent.error().message);
    return false;
  }
  return true;
}

}  // namespace eb::events
