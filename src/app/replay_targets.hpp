#pragma once
// Replay delivery into queues and topics: the eventlog::ReplayTarget the application gives Replays.
// Targets are SQS queue URLs (http://host:port/000000000000/NAME), queue ARNs
// (arn:aws:sqs:REGION:ACCOUNT:NAME), bare queue names, or SNS topic ARNs
// (arn:aws:sns:REGION:ACCOUNT:NAME), whose copies are published and fan out as any publish.
#include "eventlog/replay.hpp"

namespace eb::sqs {
class Queues;
}
namespace eb::sns {
class Topics;
}

namespace eb::app {

// The queue name a target names, or kInvalidAddress (also for topic ARNs).
Result<std::string> replay_queue_name(const std::string& target);
bool is_topic_arn(const std::string& target);

// `queues` and `topics` must outlive the returned functions; without `topics`, topic ARNs are
// refused.
eventlog::ReplayTarget replay_target(sqs::Queues& queues, sns::Topics* topics = nullptr);

}  // namespace eb::app
