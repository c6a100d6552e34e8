#pragma once
// What ReceiveMessage returns about a stored message: the system attributes its scheduling
// state answers (SentTimestamp, ApproximateReceiveCount, ...) and the fields that come from
// what was sent (id, body, MD5s, the selected message attributes). Pure functions, callable
// from any thread.
#include "sqs/message.hpp"
#include "sqs/types.hpp"

namespace eb::sqs {

// The selected system attributes that the message's state answers; `fifo` adds SequenceNumber.
void describe_state(ReceivedMessage& out, const StoredMessage& m, bool fifo,
                    const NameSelection& system);
// The fields that come from the payload: id, body, its MD5, the selected system attributes
// kept with it (SenderId, AWSTraceHeader, MessageGroupId, ...) and the selected message
// attributes with the MD5 over just those.
void describe_payload(ReceivedMessage& out, const Payload& p, const NameSelection& system,
                      const NameSelection& user);

}  // namespace eb::sqs
