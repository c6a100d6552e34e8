#pragma once
// The key-value engine the domains persist through: ordered keys in a few families (RocksDB
// column families), atomic batches, point reads and range scans. Two implementations share
// this contract: RocksDbEngine (on disk, the default) and MemoryEngine (ordered maps, for
// --in-memory and domain tests). It knows no domain record: each owner encodes its own (sqs/,
// sns/, eventlog/ records) on top of the key helpers in keys.hpp; the engine only moves bytes.
#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"
#include "core/metrics.hpp"

namespace eb::storage {

// One per kind of record. Values are stable: the RocksDB column family names derive from them.
enum class Family : std::uint8_t {
  kMeta,           // format version, counters, keys kept across restarts
  kQueues,         // queue name -> queue record
  kMessages,       // queue uid + seq -> immutable message record (body, attributes)
  kStates,         // queue uid + seq -> mutable delivery state (receives, visibility)
  kEvents,         // global sequence number -> event-log record
  kIndexes,        // secondary indexes of the event log (by source, type, stream, correlation)
  kTasks,          // move tasks, replays
  kTopics,         // SNS topic ARN -> topic record (attributes, tags)
  kSubscriptions,  // SNS subscription ARN -> subscription record
  kEventBuses,     // EventBridge buses and rules with their targets (events/records.hpp)
};
inline constexpr std::size_t kFamilyCount = 10;
// kIndexes keys end in a big-endian number that grows with each insert of the same prefix,
// except those that start with this byte, and kIndexes is never erased by range: RocksDbEngine
// relies on both (memtable insert hints) and refuses a range erase there.
inline constexpr char kUnsequencedIndexTag = 'I';
std::string_view family_name(Family family);

// Writes applied atomically by Engine::write.
class Batch {
 public:
  enum class Kind : std::uint8_t { kPut, kErase, kEraseRange };
  struct Op {
    Kind kind;
    Family family;
    std::string key;
    std::string value;  // kPut: the value; kEraseRange: the exclusive end key
  };

  // Keys and values are anything a std::string can be built from; rvalue strings move in.
  template <class K, class V>
  void put(Family family, K&& key, V&& value) {
    ops_.push_back({Kind::kPut, family, std::string(std::forward<K>(key)),
                    std::string(std::forward<V>(value))});
  }
  template <class K>
  void erase(Family family, K&& key) {
    ops_.push_back({Kind::kErase, family, std::string(std::forward<K>(key)), {}});
  }
  // Erases every key in [begin, end).
  template <class K, class E>
  void erase_range(Family family, K&& begin, E&& end) {
    ops_.push_back({Kind::kEraseRange, family, std::string(std::forward<K>(begin)),
                    std::string(std::forward<E>(end))});
  }
  bool empty() const { return ops_.empty(); }
  std::size_t size() const { return ops_.size(); }
  void clear() { ops_.clear(); }
  void swap(Batch& other) noexcept { ops_.swap(other.ops_); }
  // Moves `other`'s writes after this batch's own; `other` is left empty.
  void append(Batch&& other) {
    if (ops_.empty()) {
      ops_.swap(other.ops_);
    } else {
      ops_.insert(ops_.end(), std::make_move_iterator(other.ops_.begin()),
                  std::make_move_iterator(other.ops_.end()));
    }
    other.ops_.clear();
  }
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
};

// What an engine reports to /metrics.
struct EngineStats {
  std::uint64_t live_data_bytes = 0;  // estimated, RocksDB only
  std::uint64_t sst_files_bytes = 0;
  std::uint64_t memtable_bytes = 0;
  std::uint64_t block_cache_bytes = 0;    // what the shared block cache holds, RocksDB only
  std::uint64_t table_readers_bytes = 0;  // open SST files' indexes and filters, RocksDB only
  std::uint64_t disk_free_bytes = 0;      // in the data dir's file system
  bool disk_full = false;                 // writes are being refused for want of space
  LatencyHistogram::Snapshot write_latency;
};

// Thread-safe: every method may be called from any thread, concurrently.
class Engine {
 public:
  virtual ~Engine() = default;

  // True when writes reach disk. The broker then keeps message bodies out of RAM and reads
  // them back on receive; otherwise it keeps them in memory and writes no message records.
  virtual bool durable() const = 0;

  // Applies every op of `batch` or none. On success the batch is in the write-ahead log: a
  // process crash right after loses nothing. Fails with kServiceUnavailable when the disk
  // is full or failing; writes are retried (and succeed) once the cause is gone.
  virtual Result<void> write(const Batch& batch) = 0;

  virtual Result<std::optional<std::string>> get(Family family, std::string_view key) const = 0;
  // One result per key, in order; nullopt for a missing key.
  virtual Result<std::vector<std::optional<std::string>>> multi_get(
      Family family, const std::vector<std::string>& keys) const = 0;

  // Visits keys in [from, to) in ascending order (descending when `reverse`) until `visit`
  // returns false. An empty `to` means no upper bound.
  using Visit = std::function<bool(std::string_view key, std::string_view value)>;
  virtual Result<void> scan(Family family, std::string_view from, std::string_view to,
                            const Visit& visit, bool reverse = false) const = 0;

  // Runs `done` once every write the calling thread has made so far survives power loss:
  // immediately unless the engine fsyncs (--durability fsync), else after the group commit
  // that covers them, on the engine's sync thread. Never blocks the caller.
  virtual void when_durable(std::function<void()> done) = 0;

  // Sizes and write latency for /metrics; an engine in memory has none.
  virtual EngineStats stats() const { return {}; }
};

}  // namespace eb::storage
