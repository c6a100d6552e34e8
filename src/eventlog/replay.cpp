#include "eventlog/replay.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/encoding.hpp"
#include "eventbroker/codec.hpp"
#include "eventbroker/v1/events.pb.h"
#include "storage/keys.hpp"

namespace eb::eventlog {
namespace {

namespace pb = eventbroker::v1;
using storage::Family;

constexpr std::uint32_t kRecordFormat = 1;
constexpr std::string_view kKeyPrefix = "replay/";
constexpr std::size_t kUnpacedBatch = 500;

std::string task_key(std::string_view id) { return std::string(kKeyPrefix) + std::string(id); }

// Events per batch and the pause between batches for a rate: ten batches a second at most,
// so a fast rate does not mean a timer per event.
std::pair<std::size_t, Millis> pacing(double rate) {
  if (rate <= 0) return {kUnpacedBatch, 0};
  const auto batch =
      static_cast<std::size_t>(std::clamp(std::floor(rate / 10), 1.0, double(kUnpacedBatch)));
  return {batch, static_cast<Millis>(std::ceil(1000.0 * static_cast<double>(batch) / rate))};
}

bool selected(const ReplaySpec& spec, const Event& e) {
  if (spec.types.empty()) return true;
  if (!e.envelope) return false;
  return std::find(spec.types.begin(), spec.types.end(), e.envelope->type) != spec.types.end();
}

EventFilter filter_of(const ReplaySpec& spec) {
  EventFilter filter;
  filter.source = spec.source;
  if (spec.types.size() == 1) filter.type = spec.types.front();
  return filter;
}

pb::ReplayRecord::State to_proto(ReplayState s) {
  switch (s) {
    case ReplayState::kRunning:
      return pb::ReplayRecord::RUNNING;
    case ReplayState::kCompleted:
      return pb::ReplayRecord::COMPLETED;
    case ReplayState::kCancelled:
      return pb::ReplayRecord::CANCELLED;
    case ReplayState::kFailed:
      return pb::ReplayRecord::FAILED;
  }
  return pb::ReplayRecord::FAILED;
}

ReplayState from_proto(pb::ReplayRecord::State s) {
  switch (s) {
    case pb::ReplayRecord::RUNNING:
      return ReplayState::kRunning;
    case pb::ReplayRecord::COMPLETED:
      return ReplayState::kCompleted;
    case pb::ReplayRecord::CANCELLED:
      return ReplayState::kCancelled;
    default:
      return ReplayState::kFailed;
  }
}

}  // namespace

std::string_view to_string(ReplayState state) {
  switch (state) {
    case ReplayState::kRunning:
      return "running";
    case ReplayState::kCompleted:
      return "completed";
    case ReplayState::kCancelled:
      return "cancelled";
    case ReplayState::kFailed:
      return "failed";
  }
  return "failed";
}

struct Replays::Task {
  std::mutex mu;  // guards status and cursor
  ReplayStatus status;
  std::uint64_t cursor = 0;  // every seq at or below it has been handled
  Timers::Id timer = 0;
  // Held across encoding and writing the record, so the last write always carries the
  // latest state (a cancel never gets overwritten by a batch that finished just before).
  std::mutex persist_mu;
};

Replays::Replays(EventLog& log, storage::Engine& engine, const Clock& clock, Timers& timers,
                 ReplayTarget target)
    : log_(log),
      engine_(engine),
      clock_(clock),
      timers_(timers),
      target_(std::move(target)),
      guard_(std::make_shared<Guard>()) {
  guard_->replays = this;
}

Replays::~Replays() {
  {
    std::unique_lock lock(guard_->mu);
    guard_->replays = nullptr;
  }
  std::lock_guard lock(mu_);
  for (auto& [id, task] : tasks_) {
    std::lock_guard task_lock(task->mu);
    if (task->timer != 0) timers_.cancel(task->timer);
  }
}

Result<void> Replays::recover() {
  std::string end(kKeyPrefix);
  end.back() += 1;
  std::vector<std::shared_ptr<Task>> loaded;
  auto scanned =
      engine_.scan(Family::kTasks, kKeyPrefix, end, [&](std::string_view, std::string_view value) {
        auto parsed = proto::parse<pb::ReplayRecord>(value);
        if (!parsed) return true;
        const pb::ReplayRecord& r = *parsed;
        auto task = std::make_shared<Task>();
        ReplayStatus& s = task->status;
        s.id = r.id();
        s.state = from_proto(r.state());
        s.total = r.total();
        s.replayed = r.replayed();
        s.spec.from_seq = r.from_seq();
        s.spec.to_seq = r.to_seq();
        s.spec.types.assign(r.types().begin(), r.types().end());
        s.spec.source = r.source();
        s.spec.target = r.target();
        s.spec.rate_per_second = r.rate_per_second();
        s.created = r.created_ms();
        s.updated = r.updated_ms();
        s.error = r.error();
        task->cursor = r.cursor();
        loaded.push_back(std::move(task));
        return true;
      });
  if (!scanned) {
    return fail(scanned.error().code,
                fmt::format("replays: cannot read saved replays: {}", scanned.error().message));
  }
  {
    std::lock_guard lock(mu_);
    for (const auto& task : loaded) tasks_.emplace(task->status.id, task);
  }
  // schedule() skips the finished ones.
  for (const auto& task : loaded) schedule(task, clock_.now_ms());
  return {};
}

Result<void> Replays::persist(Task& task) {
  std::lock_guard persist_lock(task.persist_mu);
  pb::ReplayRecord r;
  {
    std::lock_guard lock(task.mu);
    const ReplayStatus& s = task.status;
    r.set_format_version(kRecordFormat);
    r.set_id(s.id);
    r.set_from_seq(s.spec.from_seq);
    r.set_to_seq(s.spec.to_seq.value_or(0));
    for (const auto& t : s.spec.types) r.add_types(t);
    r.set_source(s.spec.source);
    r.set_target(s.spec.target);
    r.set_rate_per_second(s.spec.rate_per_second);
    r.set_state(to_proto(s.state));
    r.set_total(s.total);
    r.set_replayed(s.replayed);
    r.set_cursor(task.cursor);
    r.set_created_ms(s.created);
    r.set_updated_ms(s.updated);
    r.set_error(s.error);
  }
  storage::Batch batch;
  batch.put(Family::kTasks, task_key(r.id()), r.SerializeAsString());
  return engine_.write(batch);
}

Result<std::uint64_t> Replays::count(const ReplaySpec& spec) const {
  std::uint64_t total = 0;
  std::uint64_t after = spec.from_seq == 0 ? 0 : spec.from_seq - 1;
  if (spec.types.empty() && spec.source.empty()) {
    // Everything in the range is selected: count the records' keys (a seq each, as in
    // event_records.hpp) instead of decoding every record, a tenth of an unfiltered replay into
    // a queue. to_seq is at or below the watermark, so every key in range is visible.
    if (after >= *spec.to_seq) return total;
    EB_TRY(engine_.scan(Family::kEvents, storage::u64_key(after + 1),
                        storage::u64_key(*spec.to_seq + 1),
                        [&](std::string_view key, std::string_view) {
                          if (key.size() == 8) ++total;
                          return true;
                        }));
    return total;
  }
  const EventFilter filter = filter_of(spec);
  for (;;) {
    EB_ASSIGN_OR_RETURN(const EventPage page, log_.read(after, kMaxPageSize, filter));
    for (const Event& e : page.events) {
      if (e.seq > *spec.to_seq) return total;
      if (selected(spec, e)) ++total;
    }
    if (!page.next || *page.next >= *spec.to_seq) return total;
    after = *page.next;
  }
}

Result<ReplayStatus> Replays::start(ReplaySpec spec) {
  if (spec.target.empty()) return fail(Errc::kMissingParameter, "target is required");
  if (!std::isfinite(spec.rate_per_second) || spec.rate_per_second < 0 ||
      spec.rate_per_second > kMaxReplayRate) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("ratePerSecond must be a positive number up to {}", kMaxReplayRate));
  }
  if (spec.to_seq && *spec.to_seq < spec.from_seq) {
    return fail(Errc::kInvalidParameterValue, "toSeq must not be below fromSeq");
  }
  const std::uint64_t watermark = log_.visible_through();
  spec.to_seq = std::min(spec.to_seq.value_or(watermark), watermark);
  if (target_.validate) EB_TRY(target_.validate(spec.target));
  {
    std::lock_guard lock(mu_);
    std::size_t running = 0;
    for (const auto& [id, task] : tasks_) {
      std::lock_guard task_lock(task->mu);
      if (task->status.state == ReplayState::kRunning) ++running;
    }
    if (running >= kMaxRunningReplays) {
      return fail(Errc::kOverLimit,
                  fmt::format("{} replays are running already; wait or cancel one", running));
    }
  }
  EB_ASSIGN_OR_RETURN(const std::uint64_t total, count(spec));

  auto task = std::make_shared<Task>();
  ReplayStatus& s = task->status;
  s.id = random_uuid();
  s.total = total;
  s.created = s.updated = clock_.now_ms();
  s.spec = std::move(spec);
  task->cursor = s.spec.from_seq == 0 ? 0 : s.spec.from_seq - 1;
  if (s.total == 0 || task->cursor >= *s.spec.to_seq) s.state = ReplayState::kCompleted;
  EB_TRY(persist(*task));
  ReplayStatus snapshot = s;
  {
    std::lock_guard lock(mu_);
    tasks_.emplace(snapshot.id, task);
  }
  if (snapshot.state == ReplayState::kRunning) schedule(task, clock_.now_ms());
  return snapshot;
}

Result<ReplayStatus> Replays::get(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = tasks_.find(id);
  if (it == tasks_.end()) {
    return fail(Errc::kResourceNotFound, fmt::format("Replay {} does not exist", id));
  }
  std::lock_guard task_lock(it->second->mu);
  return it->second->status;
}

std::vector<ReplayStatus> Replays::list() const {
  std::lock_guard lock(mu_);
  std::vector<ReplayStatus> out;
  out.reserve(tasks_.size());
  for (const auto& [id, task] : tasks_) {
    std::lock_guard task_lock(task->mu);
    out.push_back(task->status);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.created < b.created; });
  return out;
}

Result<ReplayStatus> Replays::cancel(const std::string& id) {
  std::shared_ptr<Task> task;
  {
    std::lock_guard lock(mu_);
    auto it = tasks_.find(id);
    if (it == tasks_.end()) {
      return fail(Errc::kResourceNotFound, fmt::format("Replay {} does not exist", id));
    }
    task = it->second;
  }
  Timers::Id timer = 0;
  {
    std::lock_guard task_lock(task->mu);
    if (task->status.state != ReplayState::kRunning) return task->status;
    task->status.state = ReplayState::kCancelled;
    task->status.updated = clock_.now_ms();
    timer = std::exchange(task->timer, 0);
  }
  if (timer != 0) timers_.cancel(timer);
  EB_TRY(persist(*task));
  std::lock_guard task_lock(task->mu);
  return task->status;
}

void Replays::schedule(const std::shared_ptr<Task>& task, Millis at) {
  std::weak_ptr<Task> weak = task;
  std::lock_guard task_lock(task->mu);
  if (task->status.state != ReplayState::kRunning) return;
  task->timer = timers_.schedule_at(at, [guard = guard_, weak] {
    std::shared_lock lock(guard->mu);
    auto task = weak.lock();
    if (guard->replays == nullptr || !task) return;
    guard->replays->step(task);
  });
}

void Replays::step(const std::shared_ptr<Task>& task) {
  ReplaySpec spec;
  std::uint64_t cursor = 0;
  {
    std::lock_guard lock(task->mu);
    task->timer = 0;
    if (task->status.state != ReplayState::kRunning) return;
    spec = task->status.spec;
    cursor = task->cursor;
  }
  const auto [batch_size, pause] = pacing(spec.rate_per_second);
  const std::uint64_t to_seq = *spec.to_seq;
  std::string error;
  std::uint64_t delivered = 0;
  bool done = false;

  auto page = log_.read(cursor, batch_size, filter_of(spec));
  if (!page) {
    error = fmt::format("reading the log: {}", page.error().message);
  } else {
    std::vector<ReplayMessage> batch;
    batch.reserve(page->events.size());
    std::uint64_t batch_last = cursor;
    for (Event& e : page->events) {
      if (e.seq > to_seq) {
        done = true;
        break;
      }
      if (selected(spec, e)) {
        MessageAttributes attributes = std::move(e.attributes);
        attributes[std::string(kReplayAttribute)] = {"String", task->status.id, {}};
        batch.push_back({std::move(e.body), std::move(attributes), std::move(e.group_id)});
      }
      batch_last = e.seq;
    }
    {
      std::lock_guard lock(task->mu);
      if (task->status.state != ReplayState::kRunning) return;  // cancelled meanwhile
    }
    const std::size_t selected_count = batch.size();
    if (selected_count > 0) {
      auto results = target_.deliver(spec.target, std::move(batch));
      for (std::size_t i = 0; i < results.size(); ++i) {
        if (results[i]) {
          ++delivered;
        } else if (error.empty()) {
          error = fmt::format("delivering a copy: {}", results[i].error().message);
        }
      }
      if (results.size() != selected_count && error.empty()) {
        error = "the target answered for fewer messages than it was given";
      }
    }
    cursor = batch_last;
    if (error.empty() && !done) {
      done = !page->next || cursor >= to_seq;
      if (done) cursor = std::max(cursor, std::min(page->scanned_through, to_seq));
    }
  }

  {
    std::lock_guard lock(task->mu);
    ReplayStatus& s = task->status;
    s.replayed += delivered;
    task->cursor = std::max(task->cursor, cursor);
    s.updated = clock_.now_ms();
    if (s.state == ReplayState::kRunning) {
      if (!error.empty()) {
        s.state = ReplayState::kFailed;
        s.error = std::move(error);
      } else if (done) {
        s.state = ReplayState::kCompleted;
      }
    }
  }
  // Dropped on purpose: memory holds the truth while the daemon runs, the next batch saves
  // again, and a restart from an older save only resends a batch (delivery is at least once).
  (void)persist(*task);
  schedule(task, clock_.now_ms() + pause);
}

}  // namespace eb::eventlog
