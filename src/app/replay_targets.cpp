#include "app/replay_targets.hpp"

#include <fmt/format.h>

#include <array>

#include "core/encoding.hpp"
#include "sns/topics.hpp"
#include "sqs/queues.hpp"

namespace eb::app {

Result<std::string> replay_queue_name(const std::string& target) {
  std::string_view t = target;
  if (t.starts_with("arn:")) {
    // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
    std::array<std::string_view, 6> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i < 5; ++i) {
      const auto colon = t.find(':', start);
      if (colon == std::string_view::npos) {
        return fail(Errc::kInvalidAddress, fmt::format("{} is not a valid ARN", target));
      }
      parts[i] = t.substr(start, colon - start);
      start = colon + 1;
    }
    parts[5] = t.substr(start);
    if (parts[2] == "sqs" && !parts[5].empty() && parts[5].find(':') == std::string_view::npos) {
      return std::string(parts[5]);
    }
    return fail(Errc::kInvalidAddress, fmt::format("{} is not a queue ARN", target));
  }
  if (t.starts_with("http://") || t.starts_with("https://")) {
    t = t.substr(0, t.find_first_of("?#"));
    while (t.ends_with('/')) t.remove_suffix(1);
    const auto slash = t.rfind('/');
    const std::string_view name = t.substr(slash + 1);
    if (slash < t.find("://") + 3 || name.empty()) {
      return fail(Errc::kInvalidAddress, fmt::format("{} is not a queue URL", target));
    }
    return std::string(name);
  }
  if (t.empty() || t.find_first_of("/: ") != std::string_view::npos) {
    return fail(Errc::kInvalidAddress,
                fmt::format("{} is not a queue URL, queue ARN or topic ARN", target));
  }
  return target;
}

bool is_topic_arn(const std::string& target) { return target.starts_with("arn:aws:sns:"); }

namespace {

std::vector<Result<void>> to_results(std::size_t count,
                                     const Result<std::vector<Result<sns::PublishOutput>>>& out) {
  std::vector<Result<void>> results;
  if (!out) {
    results.assign(count, std::unexpected(out.error()));
    return results;
  }
  results.reserve(out->size());
  for (const auto& r : *out) {
    results.push_back(r ? Result<void>{} : Result<void>(std::unexpected(r.error())));
  }
  return results;
}

// The group of replayed copies whose original had none, for FIFO targets.
constexpr std::string_view kReplayGroup = "eventbroker-replay";

std::vector<Result<void>> publish_replayed(sns::Topics& topics, const std::string& topic_arn,
                                           std::vector<eventlog::ReplayMessage> messages) {
  std::vector<sns::PublishInput> inputs;
  inputs.reserve(messages.size());
  const bool fifo = topic_arn.ends_with(".fifo");
  for (auto& m : messages) {
    sns::PublishInput in;
    in.message = std::move(m.body);
    in.attributes = std::move(m.attributes);
    if (fifo) {
      in.group_id = m.group_id.empty() ? std::string(kReplayGroup) : std::move(m.group_id);
      in.deduplication_id = random_uuid();
    }
    inputs.push_back(std::move(in));
  }
  const std::size_t count = inputs.size();
  return to_results(count, topics.publish_many(topic_arn, std::move(inputs)));
}

}  // namespace

eventlog::ReplayTarget replay_target(sqs::Queues& queues, sns::Topics* topics) {
  eventlog::ReplayTarget target;
  target.validate = [&queues, topics](const std::string& t) -> Result<void> {
    if (is_topic_arn(t)) {
      if (topics == nullptr) {
        return fail(Errc::kInvalidAddress, fmt::format("{} is not a queue ARN", t));
      }
      // As for a missing queue: the caller named a target that is not there (400, not 500).
      if (auto topic = topics->get_topic_attributes(t); !topic) {
        if (topic.error().code != Errc::kNotFound) return std::unexpected(topic.error());
        return fail(Errc::kInvalidAddress, fmt::format("Topic {} does not exist", t));
      }
      return {};
    }
    EB_ASSIGN_OR_RETURN(const std::string name, replay_queue_name(t));
    EB_TRY(queues.get_queue(name));
    return {};
  };
  target.deliver = [&queues, topics](
                       const std::string& t,
                       std::vector<eventlog::ReplayMessage> messages) -> std::vector<Result<void>> {
    if (topics != nullptr && is_topic_arn(t))
      return publish_replayed(*topics, t, std::move(messages));
    std::vector<Result<void>> results;
    results.reserve(messages.size());
    auto name = replay_queue_name(t);
    if (!name) {
      results.assign(messages.size(), std::unexpected(name.error()));
      return results;
    }
    std::vector<sqs::SendInput> inputs;
    inputs.reserve(messages.size());
    for (auto& m : messages) {
      sqs::SendInput input;
      input.body = std::move(m.body);
      input.attributes = std::move(m.attributes);
      input.sender_id = "eventbroker-replay";
      if (name->ends_with(".fifo")) {
        // FIFO queues need a group (the original's when it had one, so groups keep their
        // order); a fresh deduplication id keeps every copy.
        input.group_id = m.group_id.empty() ? std::string(kReplayGroup) : std::move(m.group_id);
        input.deduplication_id = random_uuid();
      } else if (!m.group_id.empty()) {
        input.group_id = std::move(m.group_id);  // a fair queue's tenant
      }
      inputs.push_back(std::move(input));
    }
    auto sent = queues.send_messages(*name, std::move(inputs));
    if (!sent) {
      results.assign(messages.size(), std::unexpected(sent.error()));
      return results;
    }
    for (auto& r : *sent) {
      results.push_back(r ? Result<void>{} : Result<void>(std::unexpected(r.error())));
    }
    return results;
  };
  return target;
}

}  // namespace eb::app
