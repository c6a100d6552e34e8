#pragma once
// The on-disk Engine: one RocksDB database in the data dir, one column family per Family.
// Every write goes to the write-ahead log before it is acknowledged (a process crash loses
// nothing). With Durability::kFsync, when_durable() also waits for an fsync of the log;
// a single sync thread batches all writes made since the previous fsync into one
// (group commit), so concurrent requests share it and no I/O thread ever blocks on disk.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "storage/engine.hpp"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace eb::storage {

enum class Durability { kWal, kFsync };

struct RocksDbOptions {
  std::filesystem::path dir;
  Durability durability = Durability::kWal;
  std::size_t block_cache_bytes = 32u << 20;
  std::size_t write_buffer_bytes = 64u << 20;  // all column families' memtables together
  // Writes are refused (kServiceUnavailable) while the data dir's file system has less than
  // this free, so RocksDB itself never runs out of space mid-write (its recovery from a
  // failed log append is fragile) and flushes and compactions keep room to finish.
  std::uint64_t min_free_bytes = 64u << 20;
};

// Opening failures (directory locked by another process, unwritable, corrupt, written by a
// newer release) throw StartupError with a message meant for the operator.
struct StartupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class RocksDbEngine final : public Engine {
 public:
  explicit RocksDbEngine(const RocksDbOptions& options);
  ~RocksDbEngine() override;
  RocksDbEngine(const RocksDbEngine&) = delete;
  RocksDbEngine& operator=(const RocksDbEngine&) = delete;

  bool durable() const override { return true; }
  Result<void> write(const Batch& batch) override;
  Result<std::optional<std::string>> get(Family family, std::string_view key) const override;
  Result<std::vector<std::optional<std::string>>> multi_get(
      Family family, const std::vector<std::string>& keys) const override;
  Result<void> scan(Family family, std::string_view from, std::string_view to, const Visit& visit,
                    bool reverse = false) const override;
  void when_durable(std::function<void()> done) override;
  EngineStats stats() const override;

 private:
  rocksdb::ColumnFamilyHandle* handle(Family f) const {
    return handles_[static_cast<std::size_t>(f)];
  }
  void sync_loop();
  // Whether there is room to write, from a statvfs at most every few ms or every few MiB.
  Result<void> check_space(std::size_t bytes);

  const RocksDbOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // indexed by Family
  LatencyHistogram write_latency_;
  std::mutex space_mu_;
  std::chrono::steady_clock::time_point next_space_check_{};
  std::uint64_t bytes_since_check_ = 0;
  std::uint64_t free_bytes_ = 0;
  std::mutex resume_mu_;
  std::atomic<bool> failed_{false};  // last write failed: try Resume() before the next

  // Group commit (kFsync only). Tickets count successful writes; a thread remembers the
  // ticket of its last write so when_durable() knows what it must wait for.
  std::atomic<std::uint64_t> written_{0};
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::deque<std::pair<std::uint64_t, std::function<void()>>> sync_waiters_;
  std::uint64_t synced_ = 0;
  bool stopping_ = false;
  std::thread sync_thread_;
};

}  // namespace eb::storage
