#include "storage/memory_engine.hpp"

#include <algorithm>

namespace eb::storage {

std::string_view family_name(Family family) {
  switch (family) {
    case Family::kMeta:
      return "meta";
    case Family::kQueues:
      return "queues";
    case Family::kMessages:
      return "messages";
    case Family::kStates:
      return "states";
    case Family::kEvents:
      return "events";
    case Family::kIndexes:
      return "indexes";
    case Family::kTasks:
      return "tasks";
    case Family::kTopics:
      return "topics";
    case Family::kSubscriptions:
      return "subscriptions";
    case Family::kEventBuses:
      return "event_buses";
  }
  return "unknown";
}

void MemoryEngine::fail_writes(bool fail) {
  std::lock_guard lock(mu_);
  fail_writes_ = fail;
}

void MemoryEngine::fail_writes_to(std::optional<Family> family) {
  std::lock_guard lock(mu_);
  fail_family_ = family;
}

std::size_t MemoryEngine::writes() const {
  std::lock_guard lock(mu_);
  return writes_;
}

Result<void> MemoryEngine::write(const Batch& batch) {
  std::lock_guard lock(mu_);
  ++writes_;
  const auto touched = [&](Family f) {
    return std::any_of(batch.ops().begin(), batch.ops().end(),
                       [f](const Batch::Op& op) { return op.family == f; });
  };
  if (fail_writes_ || (fail_family_ && touched(*fail_family_))) {
    return fail(Errc::kServiceUnavailable, "No space left on device (simulated).");
  }
  for (const auto& op : batch.ops()) {
    if (op.kind == Batch::Kind::kEraseRange && op.family == Family::kIndexes) {
      return fail(Errc::kInternalError, "storage: the index family is never erased by range");
    }
  }
  for (const auto& op : batch.ops()) {
    Map& m = map(op.family);
    switch (op.kind) {
      case Batch::Kind::kPut:
        m.insert_or_assign(op.key, op.value);
        break;
      case Batch::Kind::kErase:
        if (auto it = m.find(op.key); it != m.end()) m.erase(it);
        break;
      case Batch::Kind::kEraseRange:
        m.erase(m.lower_bound(op.key), m.lower_bound(op.value));
        break;
    }
  }
  return {};
}

Result<std::optional<std::string>> MemoryEngine::get(Family family, std::string_view key) const {
  std::lock_guard lock(mu_);
  const Map& m = map(family);
  auto it = m.find(key);
  if (it == m.end()) return std::optional<std::string>{};
  return std::optional<std::string>{it->second};
}

Result<std::vector<std::optional<std::string>>> MemoryEngine::multi_get(
    Family family, const std::vector<std::string>& keys) const {
  std::lock_guard lock(mu_);
  const Map& m = map(family);
  std::vector<std::optional<std::string>> out;
  out.reserve(keys.size());
  for (const auto& k : keys) {
    auto it = m.find(k);
    out.push_back(it == m.end() ? std::nullopt : std::optional<std::string>{it->second});
  }
  return out;
}

Result<void> MemoryEngine::scan(Family family, std::string_view from, std::string_view to,
                                const Visit& visit, bool reverse) const {
  // Entries are copied out a chunk at a time so `visit` runs unlocked and may call back
  // into the engine; each chunk resumes after the last key seen.
  constexpr std::size_t kChunk = 256;
  std::string lo(from);
  std::string hi(to);
  bool first = true;
  for (;;) {
    std::vector<std::pair<std::string, std::string>> chunk;
    {
      std::lock_guard lock(mu_);
      const Map& m = map(family);
      auto begin = m.lower_bound(lo);
      auto end = hi.empty() ? m.end() : m.lower_bound(hi);
      if (!reverse) {
        if (!first && begin != end && begin->first == lo) ++begin;
        for (auto it = begin; it != end && chunk.size() < kChunk; ++it) chunk.emplace_back(*it);
      } else {
        for (auto it = end; it != begin && chunk.size() < kChunk;) {
          --it;
          chunk.emplace_back(*it);
        }
      }
    }
    for (const auto& [k, v] : chunk) {
      if (!visit(k, v)) return {};
    }
    if (chunk.size() < kChunk) return {};
    if (reverse) {
      hi = chunk.back().first;  // exclusive bound: resumes strictly below
    } else {
      lo = chunk.back().first;  // inclusive bound: skipped on the next round
    }
    first = false;
  }
}

}  // namespace eb::storage
