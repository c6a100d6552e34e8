#include "storage/store.hpp"

namespace eb::storage {

Status MemoryStore::put_queue(const QueueRecord& record) {
  std::lock_guard lock(mu_);
  queues_[record.name] = record;
  return Ok{};
}

Status MemoryStore::delete_queue(std::string_view name) {
  std::lock_guard lock(mu_);
  if (auto it = queues_.find(name); it != queues_.end()) queues_.erase(it);
  return Ok{};
}

std::vector<QueueRecord> MemoryStore::load_queues() const {
  std::lock_guard lock(mu_);
  std::vector<QueueRecord> out;
  out.reserve(queues_.size());
  for (const auto& [name, record] : queues_) out.push_back(record);
  return out;
}

}  // namespace eb::storage
