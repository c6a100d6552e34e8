#pragma once
// ReplayPolicy: a subscription of a FIFO topic with an ArchivePolicy asks for the topic's
// archived publishes from a point in time, delivered to it alone before what follows. Also the
// archive's start, which the topic's attributes keep.
#include <functional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "sns/topic_state.hpp"
#include "sns/types.hpp"

namespace eb::sns {

class Publisher;

// A publish of a FIFO topic as the archive (the event log) kept it, for ReplayPolicy.
struct ArchivedMessage {
  std::string message_id;
  Millis timestamp = 0;
  std::string message;
  std::string subject;  // empty: none
  MessageAttributes attributes;
  std::string group_id;
  std::string deduplication_id;
};
// The publishes of `topic_arn` with from <= timestamp <= to, oldest first.
using ArchiveReader = std::function<Result<std::vector<ArchivedMessage>>(
    const std::string& topic_arn, Millis from, Millis to)>;

// Archiving starts when an ArchivePolicy is set on a topic that had none; the start is kept
// until the policy is removed or turned off. Call after the topic's ArchivePolicy changed.
void note_archive_start(Topic& topic, Millis now);
// The earliest publish time a replay may start from: archiving's start, or the retention
// period back from now when that is later. 0 when the topic does not archive.
Millis archive_begins(const Topic& topic, Millis now);

// Runs ReplayPolicy replays, synchronously on the caller's thread. Holds only the archive
// reader, set once before serving; any thread may call the rest.
class TopicReplays {
 public:
  TopicReplays(const Clock& clock, Publisher& publisher) : clock_(clock), publisher_(publisher) {}

  // Without one, replays fail (ReplayStatus Failed).
  void set_archive_reader(ArchiveReader reader) { archive_reader_ = std::move(reader); }

  // A ReplayPolicy's checks against its topic (FIFO, archived, within the archive).
  Result<void> check(const Topic& topic, const std::string& policy) const;
  // Redelivers the archived messages the subscription's ReplayPolicy selects to it alone,
  // holding the topic's FIFO lock so live publishes follow them. True when all were delivered.
  bool replay(const Topic& topic, const Subscription& subscription) const;

 private:
  const Clock& clock_;
  Publisher& publisher_;
  ArchiveReader archive_reader_;
};

}  // namespace eb::sns
