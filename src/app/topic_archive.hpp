#pragma once
// A FIFO topic's archive is the event log: every publish is recorded there under the topic's
// ARN with its group, deduplication id and subject, so ReplayPolicy reads it back from there
// (retention is the event log's, see --event-retention-*).
#include "eventlog/event_log.hpp"
#include "sns/topics.hpp"

namespace eb::app {

// Reads a topic's publishes in a time window from `log`, which must outlive the reader.
sns::ArchiveReader topic_archive_reader(const eventlog::EventLog& log);

}  // namespace eb::app
