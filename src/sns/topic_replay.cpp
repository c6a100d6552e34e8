#include "sns/topic_replay.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "core/encoding.hpp"
#include "sns/publish.hpp"
#include "sns/rules.hpp"

namespace eb::sns {
namespace {

// Stored with the topic's attributes, under a name SetTopicAttributes cannot set.
constexpr const char* kArchiveStart = "BeginningArchiveTime";

// What a replay publishes again: the archived message under its original id and time.
Published republished(ArchivedMessage& a, const std::string& topic_arn, const std::string& nonce) {
  Published p;
  p.message_id = std::move(a.message_id);
  p.timestamp = a.timestamp;
  p.timestamp_text = utc_timestamp(a.timestamp);
  p.replayed = true;
  p.copy_dedup_id = nonce + "-" + p.message_id;
  p.input.topic_arn = topic_arn;
  p.input.message = std::move(a.message);
  if (!a.subject.empty()) p.input.subject = std::move(a.subject);
  p.input.attributes = std::move(a.attributes);
  if (!a.group_id.empty()) p.input.group_id = std::move(a.group_id);
  if (!a.deduplication_id.empty()) p.input.deduplication_id = std::move(a.deduplication_id);
  return p;
}

}  // namespace

void note_archive_start(Topic& t, Millis now) {
  const std::string policy = topic_attribute(t, "ArchivePolicy");
  auto days =
      policy.empty() ? Result<std::optional<int>>(std::nullopt) : parse_archive_policy(policy);
  if (!days || !*days) {
    t.attributes.erase(kArchiveStart);
  } else if (!t.attributes.contains(kArchiveStart)) {
    t.attributes[kArchiveStart] = std::to_string(now);
  }
}

Millis archive_begins(const Topic& t, Millis now) {
  auto start = t.attributes.find(kArchiveStart);
  const std::string policy = topic_attribute(t, "ArchivePolicy");
  if (start == t.attributes.end() || policy.empty()) return 0;
  auto days = parse_archive_policy(policy);
  if (!days || !*days) return 0;
  constexpr Millis kDay = Millis{24} * 60 * 60 * 1000;
  return std::max<Millis>(std::atoll(start->second.c_str()), now - **days * kDay);
}

Result<void> TopicReplays::check(const Topic& topic, const std::string& policy) const {
  EB_ASSIGN_OR_RETURN(const ReplayWindow window, parse_replay_policy(policy));
  const Millis now = clock_.now_ms();
  const Millis begins = archive_begins(topic, now);
  if (!topic.fifo || begins == 0) {
    return fail(
        Errc::kInvalidParameterValue,
        "Invalid parameter: ReplayPolicy Reason: the topic has no ArchivePolicy to replay from");
  }
  if (window.from < begins - 999) {  // the attribute shows whole-second precision and less
    return fail(
        Errc::kInvalidParameterValue,
        fmt::format("Invalid parameter: ReplayPolicy Reason: StartingPoint is before the topic's "
                    "BeginningArchiveTime {}",
                    utc_timestamp(begins)));
  }
  if (window.from > now) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: ReplayPolicy Reason: StartingPoint is in the future");
  }
  return {};
}

bool TopicReplays::replay(const Topic& topic, const Subscription& subscription) const {
  auto policy = subscription.attributes.find("ReplayPolicy");
  if (!topic.fifo || policy == subscription.attributes.end() || !archive_reader_) return false;
  auto window = parse_replay_policy(policy->second);
  if (!window) return false;
  // Live publishes wait meanwhile, so the subscriber gets the archive, then what follows.
  std::lock_guard fifo_lock(topic.fifo_state->mu);
  const Millis now = clock_.now_ms();
  const Millis from = std::max(window->from, archive_begins(topic, now));
  auto archived = archive_reader_(topic.arn, from, window->to.value_or(now));
  if (!archived) return false;
  // A replay's copies get deduplication ids of their own: the queue may still hold the
  // originals' ids in its window, and a replay must deliver every selected message.
  const std::string nonce = random_uuid();
  std::vector<Published> published;
  published.reserve(archived->size());
  for (ArchivedMessage& a : *archived) published.push_back(republished(a, topic.arn, nonce));
  return publisher_.redeliver_locked(topic, subscription, published).has_value();
}

}  // namespace eb::sns
