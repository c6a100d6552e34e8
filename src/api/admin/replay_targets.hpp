#pragma once
// Replay delivery into the broker: the eventlog::ReplayTarget the application gives Replays.
// Targets are SQS queue URLs (http://host:port/000000000000/NAME), queue ARNs
// (arn:aws:sqs:REGION:ACCOUNT:NAME) or bare queue names. Topic ARNs are refused until the
// broker has topics.
#include "eventlog/replay.hpp"

namespace eb::broker {
class Broker;
}

namespace eb::api::admin {

// The queue name a target names, or kInvalidAddress.
Result<std::string> replay_queue_name(const std::string& target);

// `broker` must outlive the returned functions.
eventlog::ReplayTarget broker_replay_target(broker::Broker& broker);

}  // namespace eb::api::admin
