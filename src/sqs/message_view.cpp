#include "sqs/message_view.hpp"

#include <algorithm>
#include <string>

#include "sqs/sequence_number.hpp"

namespace eb::sqs {

bool NameSelection::matches(const std::string& name) const {
  if (all) return true;
  if (std::find(names.begin(), names.end(), name) != names.end()) return true;
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return name.starts_with(p); });
}

void describe_state(ReceivedMessage& r, const StoredMessage& m, bool fifo,
                    const NameSelection& sys) {
  if (sys.empty()) return;
  if (sys.matches("SentTimestamp"))
    r.attributes.emplace_back("SentTimestamp", std::to_string(m.sent));
  if (sys.matches("ApproximateReceiveCount")) {
    r.attributes.emplace_back("ApproximateReceiveCount", std::to_string(m.receive_count));
  }
  if (sys.matches("ApproximateFirstReceiveTimestamp")) {
    r.attributes.emplace_back("ApproximateFirstReceiveTimestamp", std::to_string(m.first_receive));
  }
  if (fifo && sys.matches("SequenceNumber")) {
    r.attributes.emplace_back("SequenceNumber", sequence_number_text(m.seq));
  }
}

void describe_payload(ReceivedMessage& r, const Payload& p, const NameSelection& sys,
                      const NameSelection& user) {
  r.message_id = uuid_text(p.id);
  r.body = p.body;
  r.md5_of_body = to_hex(p.md5_of_body.data(), p.md5_of_body.size());
  r.signature_deferred = p.signature_deferred;
  if (!sys.empty()) {
    if (sys.matches("SenderId") && p.sender_id) r.attributes.emplace_back("SenderId", *p.sender_id);
    if (p.extras) {
      const auto& system = p.extras->system_attributes;
      if (auto t = system.find("AWSTraceHeader");
          t != system.end() && sys.matches("AWSTraceHeader")) {
        r.attributes.emplace_back("AWSTraceHeader", t->second.string_value);
      }
    }
    if (!p.dead_letter_source_arn().empty() && sys.matches("DeadLetterQueueSourceArn")) {
      r.attributes.emplace_back("DeadLetterQueueSourceArn", p.dead_letter_source_arn());
    }
    if (p.extras && !p.extras->group_id.empty()) {
      if (sys.matches("MessageGroupId")) r.attributes.emplace_back("MessageGroupId", p.group_id());
      if (!p.extras->deduplication_id.empty() && sys.matches("MessageDeduplicationId")) {
        r.attributes.emplace_back("MessageDeduplicationId", p.extras->deduplication_id);
      }
    }
  }
  if (!user.empty() && p.extras && !p.extras->attributes.empty()) {
    if (user.all) {
      r.message_attributes = p.extras->attributes;
      r.md5_of_attributes = p.extras->md5_of_attributes;
    } else {
      for (const auto& [k, v] : p.extras->attributes) {
        if (user.matches(k)) r.message_attributes.emplace(k, v);
      }
      r.md5_of_attributes = md5_of_attributes(r.message_attributes);
    }
  }
}

}  // namespace eb::sqs
