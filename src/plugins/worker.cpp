#include "plugins/worker.hpp"

#include <spdlog/spdlog.h>

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
  {
    const std::lock_guard lock(mu_);
    save_changed();
  }
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
  std::uint64_t after = 0;
  tag_ = services_.snapshot_every > 0 ? snapshot_tag() : std::string();
  if (!tag_.empty()) {
    EB_ASSIGN_OR_RETURN(const auto header, services_.events.snapshot_header(spec().name));
    std::size_t unreadable = 0;
    if (header && header->tag == tag_) {
      expect_entries(header->entries);
      EB_TRY(services_.events.visit_snapshot(spec().name,
                                             [&](std::string_view key, std::string_view value) {
                                               if (!restore_entry(key, value)) ++unreadable;
                                             }));
    }
    if (header && header->tag == tag_ && unreadable == 0) {
      after = header->through;
    } else {
      if (unreadable > 0) {
        spdlog::warn("plugin {}: {} unreadable entries in its snapshot; folding the whole log",
                     spec().name, unreadable);
        clear_state();
      }
      if (header) EB_TRY(services_.events.drop_snapshot(spec().name));  // another tag's
    }
  }
  eventlog::EventFilter filter;
  filter.source = spec().source;
  EB_TRY(services_.events.visit(after, filter, [this](eventlog::Event&& logged) {
    // Replayed copies repeat an original that is in the log already.
    if (logged.attributes.contains(std::string(eventlog::kReplayAttribute))) return true;
    auto event = decode(logged.body);
    if (event && event->source == spec().source) recover(*event);
    return true;
  }));
  // What the events after the snapshot changed (everything, without one) is saved now, so the
  // next start folds none of them again.
  save_changed();
  return {};
}

void Worker::changed(const std::string& key) {
  if (tag_.empty()) return;
  changed_.insert(key);
  ++changes_;
}

void Worker::maybe_snapshot() {
  if (!tag_.empty() && changes_ >= services_.snapshot_every) save_changed();
}

void Worker::save_changed() {
  if (changed_.empty()) return;
  if (auto saved = save_snapshot(); !saved) {
    // The entries stay changed: the next save tries them again, and a restart meanwhile only
    // folds more of the log.
    spdlog::warn("plugin {}: cannot save its snapshot: {}", spec().name, saved.error().message);
  }
}

Result<void> Worker::save_snapshot() {
  // Under mu_, every event this instance wrote has been applied (it writes under mu_ and
  // applies after the write), and none of its events above the watermark can appear later.
  const eventlog::EventLog::SnapshotHeader header{tag_, services_.events.visible_through(),
                                                  entry_count()};
  eventlog::EventLog::SnapshotEntries entries;
  entries.reserve(changed_.size());
  for (const std::string& key : changed_) entries.emplace_back(key, encode_entry(key));
  EB_TRY(services_.events.save_snapshot(spec().name, header, entries));
  changed_.clear();
  changes_ = 0;
  return {};
}

Result<void> Worker::on_message(const ConsumedMessage& message) {
  EB_ASSIGN_OR_RETURN(const Envelope event, decode(message.body));
  const std::lock_guard lock(mu_);
  auto handled = on_event(event);
  maybe_snapshot();
  return handled;
}

}  // namespace eb::plugins
