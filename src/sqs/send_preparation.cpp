#include "sqs/send_preparation.hpp"

#include <fmt/format.h>

#include "sqs/message_rules.hpp"
#include "sqs/queue_config.hpp"
#include "sqs/queue_recovery.hpp"
#include "sqs/records.hpp"

namespace eb::sqs {
namespace {

Result<void> validate(const SendInput& input, bool fifo) {
  if (input.delay_seconds &&
      (*input.delay_seconds < 0 || *input.delay_seconds > kMaxDelaySeconds)) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("Value {} for parameter DelaySeconds is invalid. Reason: DelaySeconds "
                            "must be >= 0 and <= 900.",
                            *input.delay_seconds));
  }
  if (input.body.empty()) {
    return fail(Errc::kMissingParameter, "The request must contain the parameter MessageBody.");
  }
  EB_TRY(validate_text(input.body, "message body"));
  EB_TRY(validate_attributes(input.attributes, false));
  EB_TRY(validate_attributes(input.system_attributes, true));
  if (fifo) {
    if (!input.group_id) {
      return fail(Errc::kMissingParameter,
                  "The request must contain the parameter MessageGroupId.");
    }
    if (input.delay_seconds && *input.delay_seconds != 0) {
      // A FIFO queue's delay is the queue's DelaySeconds alone.
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("Value {} for parameter DelaySeconds is invalid. Reason: The "
                              "request include parameter that is not valid for this queue type.",
                              *input.delay_seconds));
    }
    if (input.deduplication_id && !is_valid_fifo_token(*input.deduplication_id)) {
      return std::unexpected(invalid_fifo_token("MessageDeduplicationId", *input.deduplication_id));
    }
  } else if (input.deduplication_id) {
    return fail(Errc::kInvalidParameterValue,
                "The request include parameter that is not valid for this queue type");
  }
  // On a standard queue a group makes it a fair queue.
  if (input.group_id && !is_valid_fifo_token(*input.group_id)) {
    return std::unexpected(invalid_fifo_token("MessageGroupId", *input.group_id));
  }
  return {};
}

}  // namespace

Result<PreparedSend> prepare_send(SendInput input, SendTarget target, Millis now) {
  EB_TRY(validate(input, target.fifo));
  PreparedSend p;
  p.size = message_size(input.body, input.attributes);
  p.delay_seconds = input.delay_seconds;
  if (input.group_id) p.group_id = std::move(*input.group_id);
  p.sender_id = std::move(input.sender_id);
  StoredMessage& m = p.message;
  m.sent = now;
  m.payload = std::make_unique<Payload>();
  Payload& payload = *m.payload;
  payload.id = random_uuid_bytes();
  payload.md5_of_body = md5(input.body);
  payload.signature_deferred = input.signature_deferred;
  SendOutput& out = p.output;
  out.message_id = uuid_text(payload.id);
  out.md5_of_body = to_hex(payload.md5_of_body.data(), payload.md5_of_body.size());
  out.md5_of_attributes = md5_of_attributes(input.attributes);
  out.md5_of_system_attributes = md5_of_attributes(input.system_attributes);
  if (!input.attributes.empty() || !input.system_attributes.empty() || !p.group_id.empty()) {
    MessageExtras& extras = payload.extra();
    extras.md5_of_attributes = out.md5_of_attributes;
    extras.attributes = std::move(input.attributes);
    extras.system_attributes = std::move(input.system_attributes);
    extras.group_id = p.group_id;
    if (target.fifo) {
      // Content-based when none was given; whether the queue allows that is checked when
      // staged, under the lock that guards its configuration.
      p.explicit_dedup = input.deduplication_id.has_value();
      extras.deduplication_id =
          p.explicit_dedup ? std::move(*input.deduplication_id) : sha256_hex(input.body);
    }
  }
  payload.body = std::move(input.body);
  if (target.durable) {
    MessageRecord record = to_record(m);
    record.sender_id = p.sender_id;
    p.record = encode(record);
  }
  return p;
}

}  // namespace eb::sqs
