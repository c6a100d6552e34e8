#include "plugins/event_publisher.hpp"

#include "core/encoding.hpp"
#include "eventlog/event_log.hpp"
#include "sns/topics.hpp"

namespace eb::plugins {

Envelope EventPublisher::envelope(Outgoing event) const {
  Envelope e;
  e.id = event.id.empty() ? random_uuid() : std::move(event.id);
  e.type = std::move(event.type);
  e.timestamp = utc_timestamp(clock_.now_ms());
  e.source = source_;
  e.correlation_id = std::move(event.correlation_id);
  e.causation_id = std::move(event.causation_id);
  e.metadata = std::move(event.metadata);
  e.data = std::move(event.data);
  return e;
}

Result<Envelope> EventPublisher::publish(Outgoing event) const {
  std::string stream = std::move(event.stream);
  std::vector<std::string> stream_first = std::move(event.stream_first);
  Envelope e = envelope(std::move(event));
  sns::PublishInput in;
  in.topic_arn = topic_arn_;
  in.message = encode(e);
  in.attributes = event_attributes(e);
  in.stream_first = {stream, std::move(stream_first)};  // refused without a stream
  if (!stream.empty()) {
    in.attributes.emplace(std::string(eventlog::kAggregateAttribute),
                          MessageAttributeValue{"String", std::move(stream), {}});
  }
  EB_TRY(topics_.publish(std::move(in)));
  return e;
}

}  // namespace eb::plugins
