#include "sqs/receive_attempts.hpp"

namespace eb::sqs {

void ReceiveAttempts::remember(const std::string& attempt_id, std::vector<AttemptMessage> messages,
                               Millis now) {
  expire(now);
  drop(attempt_id);
  for (const AttemptMessage& m : messages) invalidate(m.seq);
  const std::uint64_t serial = next_serial_++;
  for (const AttemptMessage& m : messages) attempt_of_[m.seq] = attempt_id;
  attempts_[attempt_id] = Attempt{std::move(messages), now, serial};
  deadlines_.push({now + interval_, serial, attempt_id});
}

std::vector<ReceiveAttempts::Listed> ReceiveAttempts::live(Millis now) {
  expire(now);
  std::vector<Listed> out;
  out.reserve(attempts_.size());
  for (const auto& [id, attempt] : attempts_)
    out.push_back({id, attempt.messages, attempt.received});
  return out;
}

void ReceiveAttempts::restore(Listed attempt) {
  remember(attempt.attempt_id, std::move(attempt.messages), attempt.received);
}

const std::vector<AttemptMessage>* ReceiveAttempts::find(const std::string& attempt_id,
                                                         Millis now) {
  expire(now);
  auto it = attempts_.find(attempt_id);
  return it == attempts_.end() ? nullptr : &it->second.messages;
}

void ReceiveAttempts::invalidate(std::uint64_t seq) {
  auto it = attempt_of_.find(seq);
  if (it == attempt_of_.end()) return;
  const std::string attempt_id = it->second;  // copied: drop() erases the map entry
  drop(attempt_id);
}

void ReceiveAttempts::expire(Millis now) {
  while (!deadlines_.empty() && deadlines_.top().at <= now) {
    const Deadline& due = deadlines_.top();
    auto it = attempts_.find(due.attempt_id);
    if (it != attempts_.end() && it->second.serial == due.serial) drop(due.attempt_id);
    deadlines_.pop();
  }
}

void ReceiveAttempts::drop(const std::string& attempt_id) {
  auto it = attempts_.find(attempt_id);
  if (it == attempts_.end()) return;
  for (const AttemptMessage& m : it->second.messages) {
    auto owner = attempt_of_.find(m.seq);
    if (owner != attempt_of_.end() && owner->second == attempt_id) attempt_of_.erase(owner);
  }
  attempts_.erase(it);
}

}  // namespace eb::sqs
