#pragma once
// The mapping between a queue's messages and their records in the engine (records.hpp):
// written by sends and moves, read back by receives, move tasks and Queue::restore (which
// lives beside these in queue_recovery.cpp). Pure functions, callable from any thread.
#include <memory>

#include "sqs/message.hpp"
#include "sqs/records.hpp"

namespace eb::sqs {

// The record of a message whose payload is loaded.
MessageRecord to_record(const StoredMessage& m);
std::unique_ptr<Payload> payload_from(MessageRecord&& r);
MessageState::Kind kind_of(StoredMessage::State s);

}  // namespace eb::sqs
