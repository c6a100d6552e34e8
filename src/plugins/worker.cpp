#include "plugins/worker.hpp"

#include "sns/topics.hpp"

namespace eb::plugins {

Worker::Worker(config::PluginSpec spec, const Services& services)
    : Plugin(std::move(spec)),
      services_(services),
      publisher_(services.topics, services.clock, services.topics.topic_arn(this->spec().topic),
                 this->spec().source) {}

// Derived workers call stop() in their destructors, so no handler runs into a half-destroyed
// object; this one only covers a worker that never started.
Worker::~Worker() {
  if (consumer_) consumer_->stop();
}

Result<void> Worker::start() {
  {
    const std::lock_guard lock(mu_);
    EB_TRY(replay_history());
    on_recovered();
  }
  consumer_ = std::make_unique<QueueConsumer>(
      services_.queues, services_.timers, services_.clock, services_.executor, spec().queue,
      [this](const ConsumedMessage& message) { return on_message(message); });
  consumer_->start();
  return {};
}

void Worker::stop() {
  if (consumer_) consumer_->stop();
  on_stop();
}

PluginCounters Worker::counters() const {
  PluginCounters out;
  if (consumer_) {
    const ConsumerCounters c = consumer_->counters();
    out.received = c.received;
    out.handled = c.handled;
    out.failed = c.failed;
  }
  out.ignored = ignored_.load();
  out.published = published_.load();
  return out;
}

Result<void> Worker::ignored() {
  ignored_.fetch_add(1);
  return {};
}

Result<Envelope> Worker::answer(const Envelope& request, std::string type, std::string data,
                                std::string metadata, std::string stream) {
  return publish({.type = std::move(type),
                  .data = std::move(data),
                  .correlation_id = request.correlation_id,
                  .causation_id = request.id,
                  .metadata = std::move(metadata),
                  .stream = std::move(stream)});
}

Result<Envelope> Worker::publish(Outgoing event) {
  EB_ASSIGN_OR_RETURN(Envelope published, publisher_.publish(std::move(event)));
  published_.fetch_add(1);
  return published;
}

Result<Envelope> Worker::record(const std::string& stream, std::string type, std::string data) {
  Envelope e = publisher_.envelope({.type = std::move(type), .data = std::move(data)});
  EB_ASSIGN_OR_RETURN(
      const eventlog::AppendResult appended,
      services_.events.append(stream, eventlog::ExpectedVersion::any(), {encode(e)}));
  if (appended.outcome != eventlog::AppendResult::Outcome::kAppended) {
    return fail(Errc::kInternalError, "the event log did not append to " + stream);
  }
  return e;
}

Result<void> Worker::replay_history() {
  eventlog::EventFilter filter;
  filter.source = spec().source;
  std::uint64_t after = 0;
  for (;;) {
    EB_ASSIGN_OR_RETURN(eventlog::EventPage page,
                        services_.events.read(after, eventlog::kMaxPageSize, filter));
    for (const eventlog::Event& logged : page.events) {
      // Replayed copies repeat an original that is in the log already.
      if (logged.attributes.contains(std::string(eventlog::kReplayAttribute))) continue;
      auto event = decode(logged.body);
      if (event && event->source == spec().source) recover(*event);
    }
    if (!page.next) return {};
    after = *page.next;
  }
}

Result<void> Worker::on_message(const ConsumedMessage& message) {
  EB_ASSIGN_OR_RETURN(const Envelope event, decode(message.body));
  const std::lock_guard lock(mu_);
  return on_event(event);
}

}  // namespace eb::plugins
