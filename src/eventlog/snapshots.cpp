// EventLog's snapshot store (see save_snapshot in event_log.hpp). Keys in the meta family:
//   snapshot/{owner}\0h      -> the header: through, entries (8 bytes each, big-endian), tag
//   snapshot/{owner}\0e{key} -> one entry
#include "eventlog/event_log.hpp"
#include "storage/keys.hpp"

namespace eb::eventlog {
namespace {

using storage::Family;

std::string snapshot_prefix(std::string_view owner) {
  std::string k = "snapshot/";
  k.append(owner);
  k.push_back('\0');
  return k;
}

}  // namespace

Result<void> EventLog::save_snapshot(std::string_view owner, const SnapshotHeader& header,
                                     const SnapshotEntries& entries) {
  const std::string prefix = snapshot_prefix(owner);
  storage::Batch batch;
  for (const auto& [key, value] : entries) {
    if (value.empty()) {
      batch.erase(Family::kMeta, prefix + 'e' + key);
    } else {
      batch.put(Family::kMeta, prefix + 'e' + key, value);
    }
  }
  std::string head;
  storage::append_u64(head, header.through);
  storage::append_u64(head, header.entries);
  head.append(header.tag);
  batch.put(Family::kMeta, prefix + 'h', std::move(head));
  return engine_.write(batch);
}

Result<std::optional<EventLog::SnapshotHeader>> EventLog::snapshot_header(
    std::string_view owner) const {
  EB_ASSIGN_OR_RETURN(const auto head, engine_.get(Family::kMeta, snapshot_prefix(owner) + 'h'));
  if (!head || head->size() < 16) return std::optional<SnapshotHeader>();
  return std::optional<SnapshotHeader>(
      SnapshotHeader{head->substr(16), storage::read_u64(*head), storage::read_u64(*head, 8)});
}

Result<void> EventLog::visit_snapshot(
    std::string_view owner,
    const std::function<void(std::string_view key, std::string_view value)>& entry) const {
  const std::string from = snapshot_prefix(owner) + 'e';
  std::string to = from;
  to.back() = 'f';
  return engine_.scan(Family::kMeta, from, to, [&](std::string_view key, std::string_view value) {
    entry(key.substr(from.size()), value);
    return true;
  });
}

Result<void> EventLog::drop_snapshot(std::string_view owner) {
  const std::string prefix = snapshot_prefix(owner);
  storage::Batch batch;
  batch.erase_range(Family::kMeta, prefix, prefix + '\xff');
  return engine_.write(batch);
}

}  // namespace eb::eventlog
