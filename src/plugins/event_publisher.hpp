#pragma once
// Publishes events to one topic as the design's EventBus.publish does (envelope.hpp): the
// envelope's JSON as the message, eventType and correlationId as message attributes. It goes
// through Topics::publish like any client's publish, so filter policies route it, it is in the
// event log and in /v1/trace. Thread-safe (Topics is).
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "plugins/envelope.hpp"

namespace eb::sns {
class Topics;
}

namespace eb::plugins {

// What a plugin says; the publisher fills in the rest of the envelope.
struct Outgoing {
  std::string type;
  std::string data = "{}";  // JSON
  std::string correlation_id;
  std::string causation_id;     // the id of the event this one answers
  std::string metadata = "{}";  // JSON object
  std::string id;               // empty: a new UUID
  // Non-empty: the event also joins this event-log stream, in the same write as the publish
  // (the aggregateId message attribute, eventlog/event_log.hpp).
  std::string stream;
  // Envelopes (JSON) appended to `stream` just before this event, in the same write.
  std::vector<std::string> stream_first;
};

class EventPublisher {
 public:
  // `source` is the envelope's source ("inventory-service").
  EventPublisher(sns::Topics& topics, const Clock& clock, std::string topic_arn, std::string source)
      : topics_(topics),
        clock_(clock),
        topic_arn_(std::move(topic_arn)),
        source_(std::move(source)) {}

  const std::string& topic_arn() const { return topic_arn_; }
  // The envelope `event` becomes, stamped now.
  Envelope envelope(Outgoing event) const;
  // Publishes it; the envelope as published, or the topic's error.
  [[nodiscard]] Result<Envelope> publish(Outgoing event) const;

 private:
  sns::Topics& topics_;
  const Clock& clock_;
  const std::string topic_arn_;
  const std::string source_;
};

}  // namespace eb::plugins
