#include "sqs/queues.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <random>
#include <set>

#include "core/account_id.hpp"
#include "core/encoding.hpp"
#include "sqs/message_rules.hpp"
#include "sqs/move_task.hpp"
#include "sqs/queue.hpp"
#include "sqs/records.hpp"
#include "storage/engine.hpp"
#include "storage/keys.hpp"

namespace eb::sqs {
namespace {

constexpr std::array kMessageSystemAttributeNames = {
    "All",
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
};

constexpr std::array kPermissionActions = {
    "*",
    "SendMessage",
    "ReceiveMessage",
    "DeleteMessage",
    "ChangeMessageVisibility",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "PurgeQueue",
};

// A queue's record, its messages, their states and its sequence and dedup records.
void erase_queue_records(storage::Batch& batch, const std::string& name, std::uint64_t uid) {
  batch.erase(storage::Family::kQueues, name);
  const std::string begin = queue_range_begin(uid);
  const std::string end = queue_range_end(uid);
  batch.erase_range(storage::Family::kMessages, begin, end);
  batch.erase_range(storage::Family::kStates, begin, end);
  batch.erase_range(storage::Family::kMeta, next_seq_key(uid), next_seq_range_end(uid));
  batch.erase_range(storage::Family::kMeta, dedup_range_begin(uid), dedup_range_end(uid));
}

std::uint64_t new_queue_uid() {
  static std::mutex mu;
  static std::mt19937_64 gen{std::random_device{}()};
  std::lock_guard lock(mu);
  // Message and state keys start with the big-endian uid. All ones would make them start with
  // storage::kAccountSpace, where other accounts' keys live (storage/account_engine.hpp): the
  // default account would neither scan nor erase them.
  std::uint64_t uid = 0;
  while (uid == 0 || uid == ~std::uint64_t{0}) uid = gen();
  return uid;
}

Error invalid_value(std::string_view parameter, std::string_view value, std::string_view reason) {
  return Error{
      Errc::kInvalidParameterValue,
      fmt::format("Value {} for parameter {} is invalid. Reason: {}", value, parameter, reason)};
}

// Pages through sorted names; the token is the last name returned, base64-encoded.
Result<ListQueuesOutput> page(std::vector<std::string> names, const ListQueuesInput& input) {
  std::sort(names.begin(), names.end());
  if (input.max_results && (*input.max_results < 1 || *input.max_results > 1000)) {
    return std::unexpected(invalid_value("MaxResults", std::to_string(*input.max_results),
                                         "MaxResults must be an integer between 1 and 1000."));
  }
  auto begin = names.begin();
  if (!input.next_token.empty()) {
    auto after = base64_decode(input.next_token);
    if (!after || after->empty())
      return fail(Errc::kInvalidParameterValue, "Invalid NextToken value.");
    begin = std::upper_bound(names.begin(), names.end(), *after);
  }
  const std::size_t limit = input.max_results ? static_cast<std::size_t>(*input.max_results) : 1000;
  ListQueuesOutput out;
  for (auto it = begin; it != names.end() && out.names.size() < limit; ++it)
    out.names.push_back(*it);
  const bool more = begin + static_cast<std::ptrdiff_t>(out.names.size()) != names.end();
  if (more && input.max_results) out.next_token = base64_encode(out.names.back());
  return out;
}

template <class T>
Result<void> check_batch(const std::vector<BatchEntry<T>>& entries, std::string_view entry_name) {
  if (entries.empty()) {
    return fail(Errc::kEmptyBatchRequest,
                fmt::format("There should be at least one {} in the request.", entry_name));
  }
  if (entries.size() > kMaxBatchEntries) {
    return fail(Errc::kTooManyEntriesInBatchRequest,
                fmt::format("Maximum number of entries per request are 10. You have sent {}.",
                            entries.size()));
  }
  std::set<std::string_view> seen;
  for (const auto& e : entries) {
    if (!is_valid_batch_entry_id(e.id)) {
      return fail(Errc::kInvalidBatchEntryId,
                  "A batch entry id can only contain alphanumeric characters, hyphens and "
                  "underscores. It can be at most 80 letters long.");
    }
    if (!seen.insert(e.id).second) {
      return fail(Errc::kBatchEntryIdsNotDistinct, fmt::format("Id {} repeated.", e.id));
    }
  }
  return {};
}

}  // namespace

Queues::Queues(const Clock& clock, Timers& timers, storage::Engine& engine, QueuesOptions options,
               storage::EventSink* events)
    : clock_(clock),
      timers_(timers),
      engine_(engine),
      events_(events),
      options_(std::move(options)),
      registry_(std::make_shared<const Registry>()),
      observers_(std::make_shared<const Observers>()) {}

std::uint64_t Queues::add_dead_letter_observer(DeadLetterObserver observer) {
  const std::lock_guard lock(observers_mu_);
  auto next = std::make_shared<Observers>(*observers_.load());
  const std::uint64_t id = next_observer_id_++;
  next->emplace_back(id, std::make_shared<const DeadLetterObserver>(std::move(observer)));
  observers_.store(std::move(next));
  return id;
}

void Queues::remove_dead_letter_observer(std::uint64_t id) {
  const std::lock_guard lock(observers_mu_);
  auto next = std::make_shared<Observers>(*observers_.load());
  std::erase_if(*next, [id](const auto& entry) { return entry.first == id; });
  observers_.store(std::move(next));
}

void Queues::notify_dead_letter(const DeadLetterArrival& arrival) const {
  const auto observers = observers_.load();
  for (const auto& entry : *observers) (*entry.second)(arrival);
}

std::shared_ptr<Queue> Queues::make_queue(const std::string& name, std::uint64_t uid,
                                          QueueConfig config, TagMap tags, Millis created) {
  return std::make_shared<Queue>(
      name, queue_arn(name), uid, std::move(config), std::move(tags), created, clock_, timers_,
      [this](const std::string& arn) { return find_by_arn(arn); }, QueueStorage{engine_, events_},
      [this](const DeadLetterArrival& arrival) { notify_dead_letter(arrival); });
}

Result<void> Queues::recover() {
  std::vector<QueueRecord> records;
  bool corrupt = false;
  EB_TRY(
      engine_.scan(storage::Family::kQueues, "", "", [&](std::string_view, std::string_view value) {
        auto r = decode_queue(value);
        if (!r) {
          corrupt = true;
          return false;
        }
        records.push_back(std::move(*r));
        return true;
      }));
  if (corrupt) return fail(Errc::kInternalError, "unreadable queue record");
  auto registry = std::make_shared<Registry>();
  std::set<std::uint64_t> uids;
  for (auto& r : records) {
    auto config = QueueConfig{}.with(r.attributes, true);
    if (!config) {
      return fail(Errc::kInternalError,
                  fmt::format("stored queue {}: {}", r.name, config.error().message));
    }
    for (auto& p : r.permissions) {
      config->permissions[p.label] =
          PermissionInput{p.label, std::move(p.account_ids), std::move(p.actions)};
    }
    auto queue = make_queue(r.name, r.uid, std::move(*config), std::move(r.tags), r.created);
    queue->restore_last_modified(r.modified);
    EB_TRY(queue->restore());
    uids.insert(r.uid);
    registry->emplace(r.name, std::move(queue));
  }
  // Records of queues deleted while an operation on them was still writing.
  storage::Batch sweep;
  for (auto family : {storage::Family::kMessages, storage::Family::kStates}) {
    std::string from;  // one probe per queue uid present: seek to its first key, then past it
    for (;;) {
      std::optional<std::uint64_t> uid;
      EB_TRY(engine_.scan(family, from, "", [&](std::string_view key, std::string_view) {
        uid = storage::read_u64(key);
        return false;
      }));
      if (!uid) break;
      if (!uids.contains(*uid)) {
        sweep.erase_range(family, queue_range_begin(*uid), queue_range_end(*uid));
      }
      if (*uid == ~std::uint64_t{0}) break;
      from = queue_range_begin(*uid + 1);
    }
  }
  registry_.store(std::move(registry));

  // Move tasks: running ones resume; those of queues that no longer exist are dropped.
  std::vector<MoveTaskRecord> task_records;
  const std::string task_prefix(kMoveTaskPrefix);
  std::string task_end = task_prefix;
  task_end.back() += 1;
  EB_TRY(engine_.scan(storage::Family::kTasks, task_prefix, task_end,
                      [&](std::string_view key, std::string_view value) {
                        if (auto r = decode_move_task(value)) {
                          task_records.push_back(std::move(*r));
                        } else {
                          sweep.erase(storage::Family::kTasks, key);
                        }
                        return true;
                      }));
  std::vector<std::shared_ptr<MoveTask>> resumed;
  {
    std::lock_guard lock(tasks_mu_);
    for (auto& r : task_records) {
      auto source = find_by_arn(r.source_arn);
      if (!source) {
        sweep.erase(storage::Family::kTasks, move_task_key(r.started, r.task_handle));
        continue;
      }
      MoveTaskInfo info{r.task_handle,
                        r.status,
                        r.source_arn,
                        r.destination_arn,
                        r.max_per_second > 0 ? std::optional<int>(r.max_per_second) : std::nullopt,
                        r.moved,
                        r.to_move,
                        r.failure_reason,
                        r.started};
      if (info.status == "CANCELLING") info.status = "CANCELLED";
      auto task =
          std::make_shared<MoveTask>(clock_, timers_, engine_, *this, source, std::move(info));
      if (task->active()) resumed.push_back(task);
      tasks_.push_back(std::move(task));
    }
  }
  EB_TRY(engine_.write(sweep));
  for (auto& task : resumed) task->resume();
  return {};
}

void Queues::when_durable(std::function<void()> done) { engine_.when_durable(std::move(done)); }

Result<void> Queues::persist_locked(const Queue& queue) {
  const QueueConfig config = queue.config();
  QueueRecord record{.name = queue.name(),
                     .uid = queue.uid(),
                     .attributes = config.render(),
                     .tags = queue.tags(),
                     .created = queue.created(),
                     .modified = queue.last_modified()};
  for (const auto& [label, p] : config.permissions) {
    record.permissions.push_back({label, p.account_ids, p.actions});
  }
  storage::Batch batch;
  batch.put(storage::Family::kQueues, record.name, encode(record));
  EB_TRY(engine_.write(batch));
  return {};
}

Queues::~Queues() = default;

std::string Queues::queue_arn(const std::string& name) const {
  return fmt::format("arn:aws:sqs:{}:{}:{}", options_.region, options_.account_id, name);
}

std::shared_ptr<const Queues::Registry> Queues::snapshot() const { return registry_.load(); }

std::shared_ptr<Queue> Queues::find(const std::string& name) const {
  auto reg = snapshot();
  auto it = reg->find(name);
  return it == reg->end() ? nullptr : it->second;
}

Result<std::shared_ptr<Queue>> Queues::require(const std::string& name) const {
  if (auto q = find(name)) return q;
  return fail(Errc::kQueueDoesNotExist, "The specified queue does not exist.");
}

std::shared_ptr<Queue> Queues::find_by_arn(const std::string& arn) const {
  const std::string prefix =
      fmt::format("arn:aws:sqs:{}:{}:", options_.region, options_.account_id);
  if (!arn.starts_with(prefix)) return nullptr;
  return find(arn.substr(prefix.size()));
}

std::shared_ptr<Queue> Queues::find_by_arn_any_account(const std::string& arn) const {
  if (auto own = find_by_arn(arn)) return own;
  if (!other_accounts_) return nullptr;
  const std::string_view account = arn_account(arn);
  if (account.empty() || account == options_.account_id) return nullptr;
  const Queues* other = other_accounts_(account);
  return other == nullptr || other == this ? nullptr : other->find_by_arn(arn);
}

Result<void> Queues::validate_redrive_target(const std::string& source_name,
                                             const AttributeMap& attributes) const {
  auto it = attributes.find("RedrivePolicy");
  if (it == attributes.end() || it->second.empty()) return {};
  EB_ASSIGN_OR_RETURN(const QueueConfig parsed,
                      QueueConfig{}.with({{"RedrivePolicy", it->second}}, false));
  // A non-empty RedrivePolicy that parsed always yields a policy.
  const auto& target_arn = parsed.redrive_policy.value().dead_letter_target_arn;
  auto target = find_by_arn(target_arn);
  if (!target) {
    return std::unexpected(
        invalid_value("RedrivePolicy", it->second, "Dead letter target does not exist."));
  }
  // A FIFO queue's dead letters keep their groups, so its DLQ must be FIFO too; and a
  // standard queue's must be standard.
  if (target->fifo() != source_name.ends_with(".fifo")) {
    return std::unexpected(invalid_value(
        "RedrivePolicy", it->second,
        target->fifo() ? "Dead-letter target must be a standard queue for a standard source."
                       : "Dead-letter target must be a FIFO queue for a FIFO source."));
  }
  auto target_config = target->config();
  const std::string source_arn = queue_arn(source_name);
  if (target_config.redrive_allow_policy &&
      !target_config.redrive_allow_policy->allows(source_arn)) {
    return std::unexpected(
        invalid_value("RedrivePolicy", it->second,
                      fmt::format("Queue {} is not allowed to use {} as a dead letter queue.",
                                  source_arn, target_arn)));
  }
  return {};
}

Result<std::string> Queues::create_queue(const CreateQueueInput& input) {
  const bool wants_fifo =
      input.attributes.contains("FifoQueue") && input.attributes.at("FifoQueue") == "true";
  if (!is_valid_queue_name(input.name) || input.name.ends_with(".fifo") != wants_fifo) {
    if (wants_fifo || input.name.ends_with(".fifo")) {
      return fail(Errc::kInvalidParameterValue,
                  "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                  "underscores, must end with .fifo suffix and be 1 to 80 in length.");
    }
    return fail(Errc::kInvalidParameterValue,
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in "
                "length");
  }
  EB_ASSIGN_OR_RETURN(const QueueConfig config, QueueConfig{}.with(input.attributes, true));
  if (input.tags.size() > 50) {
    return fail(Errc::kInvalidParameterValue, "Too many tags added for queue " + input.name + ".");
  }
  EB_TRY(validate_redrive_target(input.name, input.attributes));

  std::lock_guard lock(write_mu_);
  if (auto existing = find(input.name)) {
    auto current = existing->config();
    for (const auto& [name, value] : input.attributes) {
      if (config.rendered(name) != current.rendered(name)) {
        return fail(Errc::kQueueNameExists,
                    fmt::format("A queue already exists with the same name and a different value "
                                "for attribute {}",
                                name));
      }
    }
    return input.name;
  }
  const Millis now = clock_.now_ms();
  auto queue = make_queue(input.name, new_queue_uid(), config, input.tags, now);
  EB_TRY(persist_locked(*queue));
  auto next = std::make_shared<Registry>(*snapshot());
  next->emplace(input.name, std::move(queue));
  registry_.store(std::move(next));
  return input.name;
}

Result<void> Queues::delete_queue(const std::string& name) {
  std::shared_ptr<Queue> queue;
  {
    std::lock_guard lock(write_mu_);
    queue = find(name);
    if (!queue) return fail(Errc::kQueueDoesNotExist, "The specified queue does not exist.");
    // The queue and all its messages go in one write; the uid is never reused.
    storage::Batch batch;
    erase_queue_records(batch, name, queue->uid());
    EB_TRY(engine_.write(batch));
    auto next = std::make_shared<Registry>(*snapshot());
    next->erase(name);
    registry_.store(std::move(next));
    deleted_counts_ += queue->counts();
  }
  queue->shutdown();
  return {};
}

Queues::Stats Queues::stats() const {
  Stats out;
  std::shared_ptr<const Registry> registry;
  {
    // The registry and the deleted queues' counts as of one moment: a queue is counted once.
    std::lock_guard lock(write_mu_);
    registry = snapshot();
    out.deleted = deleted_counts_;
  }
  out.queues.reserve(registry->size());
  for (const auto& [name, queue] : *registry) out.queues.push_back(queue->stats());
  return out;
}

Result<std::size_t> Queues::reset() {
  std::shared_ptr<const Registry> dropped;
  std::vector<std::shared_ptr<MoveTask>> tasks;
  {
    std::lock_guard lock(write_mu_);
    dropped = snapshot();
    {
      std::lock_guard tasks_lock(tasks_mu_);
      tasks.swap(tasks_);
    }
    // A running task stops at its next tick, which finds its source queue gone; its record
    // goes with the batch below (a record rewritten after it is swept at the next start).
    for (const auto& task : tasks) (void)task->cancel();
    // Every queue's ranges and the move tasks go in one write, as delete_queue does per queue:
    // a crash keeps either everything or nothing.
    storage::Batch batch;
    for (const auto& [name, queue] : *dropped) erase_queue_records(batch, name, queue->uid());
    std::string task_end(kMoveTaskPrefix);
    task_end.back() += 1;
    batch.erase_range(storage::Family::kTasks, std::string(kMoveTaskPrefix), task_end);
    EB_TRY(engine_.write(batch));
    registry_.store(std::make_shared<const Registry>());
    for (const auto& [name, queue] : *dropped) deleted_counts_ += queue->counts();
  }
  for (const auto& [name, queue] : *dropped) queue->shutdown();
  return dropped->size();
}

Result<std::string> Queues::get_queue(const std::string& name) const {
  EB_ASSIGN_OR_RETURN(auto q, require(name));
  return name;
}

Result<ListQueuesOutput> Queues::list_queues(const ListQueuesInput& input) const {
  std::vector<std::string> names;
  for (const auto& [name, q] : *snapshot()) {
    if (name.starts_with(input.prefix)) names.push_back(name);
  }
  return page(std::move(names), input);
}

Result<AttributeMap> Queues::get_queue_attributes(const std::string& name,
                                                  const std::vector<std::string>& names) const {
  EB_ASSIGN_OR_RETURN(auto q, require(name));
  for (const auto& n : names) {
    if (!is_queue_attribute_name(n)) {
      return fail(Errc::kInvalidAttributeName, fmt::format("Unknown Attribute {}.", n));
    }
  }
  if (names.empty()) return AttributeMap{};
  return q->attributes(names);
}

Result<void> Queues::set_queue_attributes(const std::string& name, const AttributeMap& attributes) {
  EB_ASSIGN_OR_RETURN(auto q, require(name));
  EB_ASSIGN_OR_RETURN(QueueConfig config, q->config().with(attributes, false));
  EB_TRY(validate_redrive_target(name, attributes));
  std::lock_guard lock(write_mu_);
  const QueueConfig before = q->config();
  q->set_config(std::move(config));
  if (auto ok = persist_locked(*q); !ok) {
    q->set_config(before);
    return ok;
  }
  return {};
}

Result<void> Queues::purge_queue(const std::string& name) {
  EB_ASSIGN_OR_RETURN(auto q, require(name));
  return q->purge();
}

Result<void> Queues::tag_queue(const std::string& name, const TagMap& tags) {
  EB_ASSIGN_OR_RETURN(auto q, require(name));
  if (tags.empty())
    return fail(Errc::kMissingParameter, "The request must contain the parameter Tags.");
  auto merged = q->tags();
  for (const auto& [k, v] : tags) {
    if (k.empty() || k.size() > 128 || v.size() > 256) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("Tag key must be 1 to 128 characters and value at most 256: {}", k));
    }
    merged[k] = v;
  }
  if (merged.size() > 50) {
    return fail(Errc::kInvalidParameterValue, "Too many tags added for queue " + name + ".");
  }
  std::lock_guard lock(write_mu_);
  const TagMap before = q->tags();
  q->set_tags(tags);
  if (auto ok = persist_locked(*q); !ok) {
    q->replace_tags(before);
    return ok;
  }
  return {};
}

Result<void> Queues::untag_queue(const std::string& name, const std::vector<std::string>& keys) {
  EB_ASSIGN_OR_RETURN(auto q, require(name));
  if (keys.empty())
    return fail(Errc::kMissingParameter, "The request must contain the parameter TagKeys.");
  std::lock_guard lock(write_mu_);
  const TagMap before = q->tags();
  q->remove_tags(keys);
  if (auto ok = persist_locked(*q); !ok) {
    q->replace_tags(before);
    return ok;
  }
  return {};
}

Result<TagMap> Queues::list_queue_tags(const std::string& name) const {
  EB_ASSIGN_OR_RETURN(auto q, require(name));
  return q->tags();
}

Result<ListQueuesOutput> Queues::list_dead_letter_source_queues(
    const std::string& name, const ListQueuesInput& input) const {
  EB_ASSIGN_OR_RETURN(auto q, require(name));
  const std::string& arn = q->arn();
  std::vector<std::string> names;
  for (const auto& [n, other] : *snapshot()) {
    auto config = other->config();
    if (config.redrive_policy && config.redrive_policy->dead_letter_target_arn == arn) {
      names.push_back(n);
    }
  }
  return page(std::move(names), input);
}

Result<void> Queues::add_permission(const std::string& name, const PermissionInput& input) {
  EB_ASSIGN_OR_RETURN(auto q, require(name));
  if (input.label.empty() || input.label.size() > 80 ||
      !std::all_of(input.label.begin(), input.label.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      })) {
    return std::unexpected(invalid_value("Label", input.label,
                                         "Can only include alphanumeric characters, hyphens, or "
                                         "underscores. 1 to 80 in length"));
  }
  if (input.account_ids.empty()) {
    return fail(Errc::kMissingParameter, "The request must contain the parameter AWSAccountIds.");
  }
  if (input.actions.empty()) {
    return fail(Errc::kMissingParameter, "The request must contain the parameter Actions.");
  }
  for (const auto& a : input.actions) {
    if (std::find(kPermissionActions.begin(), kPermissionActions.end(), a) ==
        kPermissionActions.end()) {
      return std::unexpected(invalid_value("ActionName.1", a,
                                           "Please refer to the appropriate "
                                           "WSDL for a list of valid actions."));
    }
  }
  std::lock_guard lock(write_mu_);
  auto config = q->config();
  if (config.permissions.contains(input.label)) {
    return std::unexpected(invalid_value("Label", input.label, "Already exists."));
  }
  const QueueConfig before = config;
  config.permissions[input.label] = input;
  q->set_config(std::move(config));
  if (auto ok = persist_locked(*q); !ok) {
    q->set_config(before);
    return ok;
  }
  return {};
}

Result<void> Queues::remove_permission(const std::string& name, const std::string& label) {
  EB_ASSIGN_OR_RETURN(auto q, require(name));
  std::lock_guard lock(write_mu_);
  auto config = q->config();
  const QueueConfig before = config;
  if (config.permissions.erase(label) == 0) {
    return std::unexpected(invalid_value("Label", label, "can't find label."));
  }
  q->set_config(std::move(config));
  if (auto ok = persist_locked(*q); !ok) {
    q->set_config(before);
    return ok;
  }
  return {};
}

Result<SendOutput> Queues::send_message(const std::string& queue, SendInput input) {
  EB_ASSIGN_OR_RETURN(auto q, require(queue));
  if (input.sender_id.empty()) input.sender_id = options_.account_id;
  return q->send(std::move(input));
}

Result<BatchOutput<SendOutput>> Queues::send_message_batch(
    const std::string& queue, std::vector<BatchEntry<SendInput>> entries) {
  EB_ASSIGN_OR_RETURN(auto q, require(queue));
  EB_TRY(check_batch(entries, "SendMessageBatchRequestEntry"));
  std::size_t total = 0;
  for (const auto& e : entries) total += message_size(e.input.body, e.input.attributes);
  if (total > kMaxBatchBytes) {
    return fail(Errc::kBatchRequestTooLong,
                fmt::format("Batch requests cannot be longer than 1048576 bytes. You have sent {} "
                            "bytes.",
                            total));
  }
  std::vector<SendInput> inputs;
  inputs.reserve(entries.size());
  for (auto& e : entries) {
    if (e.input.sender_id.empty()) e.input.sender_id = options_.account_id;
    inputs.push_back(std::move(e.input));
  }
  auto results = q->send_all(std::move(inputs));
  BatchOutput<SendOutput> out;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i]) {
      out.successful.emplace_back(std::move(entries[i].id), std::move(*results[i]));
    } else {
      // A storage failure is the server's fault, not the sender's.
      const bool sender_fault = results[i].error().code != Errc::kServiceUnavailable;
      out.failed.push_back({std::move(entries[i].id), std::move(results[i].error()), sender_fault});
    }
  }
  return out;
}

Result<std::vector<Result<SendOutput>>> Queues::send_messages(const std::string& queue,
                                                              std::vector<SendInput> inputs) {
  EB_ASSIGN_OR_RETURN(auto q, require(queue));
  for (auto& in : inputs) {
    if (in.sender_id.empty()) in.sender_id = options_.account_id;
  }
  return q->send_all(std::move(inputs));
}

void Queues::receive_message(const std::string& queue, ReceiveInput input, ReceiveCallback done) {
  auto q = require(queue);
  if (!q) return done(std::unexpected(q.error()));
  ReceiveSpec spec;
  if (input.max_messages) {
    if (*input.max_messages < 1 || *input.max_messages > kMaxBatchEntries) {
      return done(
          std::unexpected(invalid_value("MaxNumberOfMessages", std::to_string(*input.max_messages),
                                        "Must be between 1 and 10, if provided.")));
    }
    spec.max_messages = *input.max_messages;
  }
  if (input.visibility_timeout &&
      (*input.visibility_timeout < 0 || *input.visibility_timeout > kMaxVisibilityTimeout)) {
    return done(std::unexpected(invalid_value("VisibilityTimeout",
                                              std::to_string(*input.visibility_timeout),
                                              "Must be between 0 and 43200, if provided.")));
  }
  if (input.wait_seconds && (*input.wait_seconds < 0 || *input.wait_seconds > kMaxWaitSeconds)) {
    return done(
        std::unexpected(invalid_value("WaitTimeSeconds", std::to_string(*input.wait_seconds),
                                      "Must be >= 0 and <= 20, if provided.")));
  }
  if (!input.receive_request_attempt_id.empty() &&
      !is_valid_fifo_token(input.receive_request_attempt_id)) {
    return done(std::unexpected(
        invalid_fifo_token("ReceiveRequestAttemptId", input.receive_request_attempt_id)));
  }
  spec.attempt_id = std::move(input.receive_request_attempt_id);
  spec.visibility_timeout = input.visibility_timeout;
  spec.wait_seconds = shutting_down_ ? std::optional<int>(0) : input.wait_seconds;
  for (const auto& n : input.system_attribute_names) {
    const bool known =
        std::find(kMessageSystemAttributeNames.begin(), kMessageSystemAttributeNames.end(), n) !=
        kMessageSystemAttributeNames.end();
    if (!known && !is_queue_attribute_name(n)) {
      return done(fail(Errc::kInvalidAttributeName, fmt::format("Unknown Attribute {}.", n)));
    }
    if (n == "All") {
      spec.system_attributes.all = true;
    } else {
      spec.system_attributes.names.push_back(n);
    }
  }
  for (const auto& n : input.message_attribute_names) {
    if (n == "All" || n == ".*") {
      spec.message_attributes.all = true;
    } else if (n.ends_with(".*")) {
      spec.message_attributes.prefixes.push_back(n.substr(0, n.size() - 1));
    } else {
      spec.message_attributes.names.push_back(n);
    }
  }
  (*q)->receive(std::move(spec), std::move(done));
}

Result<void> Queues::delete_message(const std::string& queue, const std::string& receipt_handle) {
  EB_ASSIGN_OR_RETURN(auto q, require(queue));
  return q->delete_message(receipt_handle);
}

Result<BatchOutput<NoOutput>> Queues::delete_message_batch(
    const std::string& queue, std::vector<BatchEntry<std::string>> entries) {
  EB_ASSIGN_OR_RETURN(auto q, require(queue));
  EB_TRY(check_batch(entries, "DeleteMessageBatchRequestEntry"));
  std::vector<std::string> handles;
  handles.reserve(entries.size());
  for (auto& e : entries) handles.push_back(std::move(e.input));
  auto results = q->delete_messages(handles);
  BatchOutput<NoOutput> out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (results[i]) {
      out.successful.emplace_back(std::move(entries[i].id), NoOutput{});
    } else {
      out.failed.push_back({std::move(entries[i].id), std::move(results[i].error()), true});
    }
  }
  return out;
}

Result<void> Queues::change_message_visibility(const std::string& queue,
                                               const ChangeVisibilityInput& input) {
  EB_ASSIGN_OR_RETURN(auto q, require(queue));
  if (!input.visibility_timeout) {
    return fail(Errc::kMissingParameter,
                "The request must contain the parameter VisibilityTimeout.");
  }
  return q->change_visibility(input.receipt_handle, *input.visibility_timeout);
}

Result<BatchOutput<NoOutput>> Queues::change_message_visibility_batch(
    const std::string& queue, std::vector<BatchEntry<ChangeVisibilityInput>> entries) {
  EB_ASSIGN_OR_RETURN(auto q, require(queue));
  EB_TRY(check_batch(entries, "ChangeMessageVisibilityBatchRequestEntry"));
  BatchOutput<NoOutput> out;
  for (auto& e : entries) {
    auto r = q->change_visibility(e.input.receipt_handle, e.input.visibility_timeout.value_or(0));
    if (r) {
      out.successful.emplace_back(std::move(e.id), NoOutput{});
    } else {
      out.failed.push_back({std::move(e.id), std::move(r.error()), true});
    }
  }
  return out;
}

Result<std::string> Queues::start_message_move_task(const MoveTaskInput& input) {
  auto source = find_by_arn(input.source_arn);
  if (!source) {
    return fail(Errc::kResourceNotFound,
                "The resource that you specified for the SourceArn parameter doesn't exist.");
  }
  bool is_dead_letter_queue = false;
  for (const auto& [n, other] : *snapshot()) {
    auto config = other->config();
    if (config.redrive_policy &&
        config.redrive_policy->dead_letter_target_arn == input.source_arn) {
      is_dead_letter_queue = true;
      break;
    }
  }
  if (!is_dead_letter_queue) {
    return fail(Errc::kInvalidParameterValue,
                "Source queue must be configured as a Dead Letter Queue.");
  }
  if (!input.destination_arn.empty() && !find_by_arn(input.destination_arn)) {
    return fail(Errc::kResourceNotFound,
                "The resource that you specified for the DestinationArn parameter doesn't exist.");
  }
  if (input.max_per_second && (*input.max_per_second < 1 || *input.max_per_second > 500)) {
    return std::unexpected(invalid_value("MaxNumberOfMessagesPerSecond",
                                         std::to_string(*input.max_per_second),
                                         "Must be between 1 and 500, if provided."));
  }
  std::lock_guard lock(tasks_mu_);
  for (const auto& t : tasks_) {
    if (t->source_arn() == input.source_arn && t->active()) {
      return fail(Errc::kUnsupportedOperation,
                  "There is already a task running. Only one active task is allowed for a source "
                  "queue arn at a given time.");
    }
  }
  MoveTaskInfo info;
  info.task_handle = base64_encode(
      fmt::format(R"({{"taskId":"{}","sourceArn":"{}"}})", random_uuid(), input.source_arn));
  info.status = "RUNNING";
  info.source_arn = input.source_arn;
  info.destination_arn = input.destination_arn;
  info.max_per_second = input.max_per_second;
  info.to_move = static_cast<std::int64_t>(source->approximate_visible());
  info.started = clock_.now_ms();
  auto task = std::make_shared<MoveTask>(clock_, timers_, engine_, *this, source, info);
  tasks_.push_back(task);
  task->start();
  return info.task_handle;
}

Result<std::int64_t> Queues::cancel_message_move_task(const std::string& task_handle) {
  std::lock_guard lock(tasks_mu_);
  for (const auto& t : tasks_) {
    if (t->info().task_handle == task_handle) return t->cancel();
  }
  return fail(Errc::kResourceNotFound, "The task handle you specified doesn't exist.");
}

Result<std::vector<MoveTaskInfo>> Queues::list_message_move_tasks(
    const std::string& source_arn, std::optional<int> max_results) const {
  if (!find_by_arn(source_arn)) {
    return fail(Errc::kResourceNotFound,
                "The resource that you specified for the SourceArn parameter doesn't exist.");
  }
  const int limit = max_results.value_or(1);
  if (limit < 1 || limit > 10) {
    return std::unexpected(invalid_value("MaxResults", std::to_string(limit),
                                         "Must be between 1 and 10, if provided."));
  }
  std::vector<MoveTaskInfo> out;
  std::lock_guard lock(tasks_mu_);
  for (auto it = tasks_.rbegin();
       it != tasks_.rend() && out.size() < static_cast<std::size_t>(limit); ++it) {
    if ((*it)->source_arn() == source_arn) out.push_back((*it)->info());
  }
  return out;
}

void Queues::shutdown() {
  shutting_down_ = true;
  for (const auto& [name, q] : *snapshot()) q->shutdown();
}

}  // namespace eb::sqs
