#include "sqs/fifo_dedup.hpp"

#include <fmt/format.h>

#include "core/encoding.hpp"

namespace eb::sqs {

std::string DedupWindow::key(DedupScope scope, std::string_view group, std::string_view dedup_id) {
  if (scope == DedupScope::kQueue) return fmt::format("q:{}", dedup_id);
  return fmt::format("g{}:{}{}", group.size(), group, dedup_id);
}

std::string DedupWindow::content_id(std::string_view body) { return sha256_hex(body); }

const DedupEntry* DedupWindow::find(const std::string& key, Millis now) {
  expire(now);
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

bool DedupWindow::insert(const std::string& key, DedupEntry entry, Millis now) {
  if (find(key, now)) return false;
  put(key, std::move(entry));
  return true;
}

void DedupWindow::insert_absent(const std::string& key, DedupEntry entry) {
  put(key, std::move(entry));
}

void DedupWindow::confirm(const std::string& key) {
  if (auto it = entries_.find(key); it != entries_.end()) it->second.pending = false;
}

void DedupWindow::erase(const std::string& key) { entries_.erase(key); }

void DedupWindow::restore(std::string key, DedupEntry entry) {
  put(std::move(key), std::move(entry));
}

std::vector<DedupWindow::Listed> DedupWindow::live(Millis now) {
  expire(now);
  std::vector<Listed> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) out.push_back({key, entry});
  return out;
}

void DedupWindow::expire(Millis now, std::vector<std::string>* expired) {
  while (!deadlines_.empty() && deadlines_.top().at <= now) {
    const Deadline& due = deadlines_.top();
    auto it = entries_.find(due.key);
    // Only the deadline of the entry as it is now removes it; older ones are leftovers.
    if (it != entries_.end() && it->second.sent + interval_ == due.at) {
      if (expired) expired->push_back(it->first);
      entries_.erase(it);
    }
    deadlines_.pop();
  }
}

void DedupWindow::put(std::string key, DedupEntry entry) {
  const Millis at = entry.sent + interval_;
  entries_.insert_or_assign(key, std::move(entry));
  deadlines_.push({at, std::move(key)});
}

}  // namespace eb::sqs
