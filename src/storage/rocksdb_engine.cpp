#include "storage/rocksdb_engine.hpp"

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>
#include <spdlog/spdlog.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <array>
#include <system_error>

#include "storage/keys.hpp"

namespace eb::storage {
namespace {

// Bumped only when a release can no longer read what an older one wrote.
constexpr std::uint64_t kFormatVersion = 1;
constexpr std::string_view kFormatKey = "format_version";

rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

thread_local const void* tls_engine = nullptr;
thread_local std::uint64_t tls_ticket = 0;

Error storage_error(const rocksdb::Status& s) {
  // Disk full and I/O failures are the server's problem and temporary: 503 lets SDKs retry.
  return Error{Errc::kServiceUnavailable,
               fmt::format("The request has failed due to a temporary failure of the server's "
                           "storage: {}",
                           s.ToString())};
}

void check_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw StartupError(fmt::format("cannot create data dir {}: {}", dir.string(), ec.message()));
  }
  if (!std::filesystem::is_directory(dir)) {
    throw StartupError(fmt::format("data dir {} is not a directory", dir.string()));
  }
  if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0) {
    throw StartupError(fmt::format("data dir {} is not writable by this user: {}", dir.string(),
                                   std::generic_category().message(errno)));
  }
}

// The part of a key before its trailing big-endian sequence number. Event-log index keys are
// (kind, value, then a seq that only grows), so each insert lands right after the previous one
// of its prefix: RocksDB's memtable keeps its last position per prefix and starts there instead
// of searching the skip list from the top (a fifth of the CPU of a saga's writes went to those
// searches). Event-id index keys end in a UUID, not a number: left out, or each would cost a
// hint of its own. Only for a family without range erasures: RocksDB 7.8 aborted (a debug
// assertion; undefined without it) on a DeleteRange whose start key was in the hint domain of a
// family, so the message and state families, which queue deletes and purges erase by range,
// get no hints.
class SequenceSuffix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "eb.SequenceSuffix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return {key.data(), key.size() - 8};
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() >= 8 && key[0] != kUnsequencedIndexTag;
  }
};

}  // namespace

RocksDbEngine::RocksDbEngine(const RocksDbOptions& options) : options_(options) {
  check_dir(options_.dir);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options_.write_buffer_bytes);
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.keep_log_file_num = 3;
  // Rarely written families (queues, meta) would otherwise pin every old log file until they
  // flush, and a restart replays all of them: cap the log so they get flushed along.
  db_options.max_total_wal_size = options_.write_buffer_bytes;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
  // Point reads of keys that mostly do not exist (idempotency checks of appended event ids)
  // would otherwise probe every table's index: ~10 bits a key answers most of them in memory.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.write_buffer_size = options_.write_buffer_bytes / 4;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  rocksdb::ColumnFamilyOptions indexes = cf_options;
  indexes.memtable_insert_with_hint_prefix_extractor = std::make_shared<SequenceSuffix>();
  // A stream append first looks up each of its event ids, nearly always absent: a bloom filter
  // over the memtable's whole keys answers those without a skip-list search (the table files
  // have theirs already).
  indexes.memtable_prefix_bloom_size_ratio = 0.05;
  indexes.memtable_whole_key_filtering = true;
  for (std::size_t i = 0; i < kFamilyCount; ++i) {
    const auto family = static_cast<Family>(i);
    descriptors.emplace_back(std::string(family_name(family)),
                             family == Family::kIndexes ? indexes : cf_options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, options_.dir.string(), descriptors, &handles, &raw);
  if (!s.ok()) {
    const std::string what = s.ToString();
    if (s.IsIOError() && what.find("lock") != std::string::npos) {
      throw StartupError(fmt::format(
          "data dir {} is in use by another eventbrokerd (its LOCK file is held); stop that "
          "process or choose another --data-dir ({})",
          options_.dir.string(), what));
    }
    if (s.IsCorruption()) {
      throw StartupError(fmt::format(
          "data dir {} is corrupt and cannot be opened; move it aside to start empty ({})",
          options_.dir.string(), what));
    }
    throw StartupError(fmt::format("cannot open data dir {}: {}", options_.dir.string(), what));
  }
  db_.reset(raw);
  // handles[0] is the default family, which we do not use; close it with the others.
  handles_.assign(handles.begin() + 1, handles.end());
  handles_.push_back(handles.front());

  auto format = get(Family::kMeta, kFormatKey);
  if (!format) throw StartupError(format.error().message);
  if (*format) {
    if (format->value().size() != 8 || read_u64(**format) > kFormatVersion) {
      throw StartupError(fmt::format(
          "data dir {} was written by a newer eventbrokerd (format {}); this release reads "
          "format {} and older",
          options_.dir.string(), format->value().size() == 8 ? read_u64(**format) : 0,
          kFormatVersion));
    }
  } else {
    Batch b;
    b.put(Family::kMeta, kFormatKey, u64_key(kFormatVersion));
    if (auto ok = write(b); !ok) {
      throw StartupError(fmt::format("cannot write to data dir {}: {}", options_.dir.string(),
                                     ok.error().message));
    }
  }
  if (options_.durability == Durability::kFsync) {
    sync_thread_ = std::thread([this] { sync_loop(); });
  }
}

RocksDbEngine::~RocksDbEngine() {
  if (sync_thread_.joinable()) {
    {
      std::lock_guard lock(sync_mu_);
      stopping_ = true;
    }
    sync_cv_.notify_all();
    sync_thread_.join();
  }
  if (db_) {
    db_->FlushWAL(true);
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
  }
}

Result<void> RocksDbEngine::check_space(std::size_t bytes) {
  using namespace std::chrono_literals;
  std::lock_guard lock(space_mu_);
  const auto now = std::chrono::steady_clock::now();
  bytes_since_check_ += bytes;
  if (now >= next_space_check_ || bytes_since_check_ >= options_.min_free_bytes / 8) {
    struct statvfs st {};
    if (::statvfs(options_.dir.c_str(), &st) == 0) {
      free_bytes_ = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
    }
    bytes_since_check_ = 0;
    next_space_check_ = now + (free_bytes_ < 2 * options_.min_free_bytes ? 5ms : 100ms);
  }
  if (free_bytes_ - std::min(free_bytes_, bytes_since_check_) < options_.min_free_bytes) {
    return fail(Errc::kServiceUnavailable,
                fmt::format("The request has failed due to a temporary failure of the server: "
                            "no space left on device ({} MiB free in the data dir, {} MiB "
                            "reserved).",
                            free_bytes_ >> 20, options_.min_free_bytes >> 20));
  }
  return {};
}

Result<void> RocksDbEngine::write(const Batch& batch) {
  if (batch.empty()) return {};
  std::size_t bytes = 0;
  bool puts = false;
  for (const auto& op : batch.ops()) {
    bytes += op.key.size() + op.value.size();
    puts = puts || op.kind == Batch::Kind::kPut;
  }
  // Erasures are tiny and are how space comes back: only growth is refused on a full disk.
  if (puts) {
    EB_TRY(check_space(bytes));
  }
  if (failed_.load(std::memory_order_relaxed)) {
    // A failed write (a full disk) leaves RocksDB read-only until resumed; retry on demand so
    // writes succeed again as soon as space is back.
    std::lock_guard lock(resume_mu_);
    if (failed_.load()) {
      rocksdb::Status r = db_->Resume();
      if (!r.ok()) return std::unexpected(storage_error(r));
      failed_ = false;
      spdlog::info("storage: writes resumed");
    }
  }
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.ops()) {
    rocksdb::Status s;
    switch (op.kind) {
      case Batch::Kind::kPut:
        s = wb.Put(handle(op.family), slice(op.key), slice(op.value));
        break;
      case Batch::Kind::kErase:
        s = wb.Delete(handle(op.family), slice(op.key));
        break;
      case Batch::Kind::kEraseRange:
        if (op.family == Family::kIndexes) {  // see SequenceSuffix
          return fail(Errc::kInternalError, "storage: the index family is never erased by range");
        }
        s = wb.DeleteRange(handle(op.family), slice(op.key), slice(op.value));
        break;
    }
    if (!s.ok()) return std::unexpected(storage_error(s));
  }
  rocksdb::WriteOptions wo;
  wo.sync = false;  // in the WAL (page cache) now; fsync, when asked for, is group-committed
  const auto started = std::chrono::steady_clock::now();
  rocksdb::Status s = db_->Write(wo, &wb);
  write_latency_.observe_us(
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now() - started)
                                     .count()));
  if (!s.ok()) {
    if (!failed_.exchange(true)) spdlog::error("storage: write failed: {}", s.ToString());
    return std::unexpected(storage_error(s));
  }
  if (options_.durability == Durability::kFsync) {
    tls_engine = this;
    tls_ticket = written_.fetch_add(1, std::memory_order_acq_rel) + 1;
  }
  return {};
}

EngineStats RocksDbEngine::stats() const {
  EngineStats out;
  auto property = [&](const rocksdb::Slice& name) {
    std::uint64_t total = 0;
    for (rocksdb::ColumnFamilyHandle* h : handles_) {
      std::uint64_t value = 0;
      if (db_->GetIntProperty(h, name, &value)) total += value;
    }
    return total;
  };
  out.live_data_bytes = property(rocksdb::DB::Properties::kEstimateLiveDataSize);
  out.sst_files_bytes = property(rocksdb::DB::Properties::kTotalSstFilesSize);
  out.memtable_bytes = property(rocksdb::DB::Properties::kCurSizeAllMemTables);
  out.table_readers_bytes = property(rocksdb::DB::Properties::kEstimateTableReadersMem);
  // Every family shares one block cache: summing over them would count it once per family.
  std::uint64_t cache = 0;
  if (db_->GetIntProperty(handles_.front(), rocksdb::DB::Properties::kBlockCacheUsage, &cache)) {
    out.block_cache_bytes = cache;
  }
  struct statvfs st {};
  if (::statvfs(options_.dir.c_str(), &st) == 0) {
    out.disk_free_bytes = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
  }
  out.disk_full =
      failed_.load(std::memory_order_relaxed) || out.disk_free_bytes < options_.min_free_bytes;
  out.write_latency = write_latency_.snapshot();
  return out;
}

void RocksDbEngine::when_durable(std::function<void()> done) {
  if (options_.durability != Durability::kFsync || tls_engine != this) {
    done();
    return;
  }
  const std::uint64_t ticket = tls_ticket;
  {
    std::lock_guard lock(sync_mu_);
    if (ticket <= synced_) {
      // Already covered by an earlier group commit.
    } else {
      sync_waiters_.emplace_back(ticket, std::move(done));
      sync_cv_.notify_one();
      return;
    }
  }
  done();
}

void RocksDbEngine::sync_loop() {
  std::unique_lock lock(sync_mu_);
  for (;;) {
    sync_cv_.wait(lock, [this] { return stopping_ || !sync_waiters_.empty(); });
    if (sync_waiters_.empty() && stopping_) return;
    // Every write that finished before this load is in the log files the sync covers.
    const std::uint64_t target = written_.load(std::memory_order_acquire);
    lock.unlock();
    rocksdb::Status s = db_->SyncWAL();
    if (!s.ok()) spdlog::error("storage: WAL fsync failed: {}", s.ToString());
    lock.lock();
    synced_ = std::max(synced_, target);
    std::vector<std::function<void()>> ready;
    std::deque<std::pair<std::uint64_t, std::function<void()>>> rest;
    for (auto& [ticket, fn] : sync_waiters_) {
      if (ticket <= synced_) {
        ready.push_back(std::move(fn));
      } else {
        rest.emplace_back(ticket, std::move(fn));
      }
    }
    sync_waiters_.swap(rest);
    lock.unlock();
    for (auto& fn : ready) fn();
    lock.lock();
  }
}

Result<std::optional<std::string>> RocksDbEngine::get(Family family, std::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle(family), slice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>{};
  if (!s.ok()) return std::unexpected(storage_error(s));
  return std::optional<std::string>{std::move(value)};
}

Result<std::vector<std::optional<std::string>>> RocksDbEngine::multi_get(
    Family family, const std::vector<std::string>& keys) const {
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (const auto& k : keys) slices.push_back(slice(k));
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), handle(family), keys.size(), slices.data(), values.data(),
                statuses.data());
  std::vector<std::optional<std::string>> out;
  out.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      out.emplace_back();
    } else if (!statuses[i].ok()) {
      return std::unexpected(storage_error(statuses[i]));
    } else {
      out.emplace_back(values[i].ToString());
    }
  }
  return out;
}

Result<void> RocksDbEngine::scan(Family family, std::string_view from, std::string_view to,
                                 const Visit& visit, bool reverse) const {
  // An empty bound (which may be a default string_view with no data) means unbounded.
  rocksdb::ReadOptions ro;
  rocksdb::Slice lower = from.empty() ? rocksdb::Slice() : slice(from);
  rocksdb::Slice upper = to.empty() ? rocksdb::Slice() : slice(to);
  if (!from.empty()) ro.iterate_lower_bound = &lower;
  if (!to.empty()) ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handle(family)));
  if (reverse) {
    if (to.empty()) {
      it->SeekToLast();
    } else {
      it->SeekForPrev(upper);
      if (it->Valid() && it->key() == upper) it->Prev();
    }
    for (; it->Valid(); it->Prev()) {
      if (!visit(std::string_view(it->key().data(), it->key().size()),
                 std::string_view(it->value().data(), it->value().size()))) {
        break;
      }
    }
  } else {
    if (from.empty()) {
      it->SeekToFirst();
    } else {
      it->Seek(lower);
    }
    for (; it->Valid(); it->Next()) {
      if (!visit(std::string_view(it->key().data(), it->key().size()),
                 std::string_view(it->value().data(), it->value().size()))) {
        break;
      }
    }
  }
  if (!it->status().ok()) return std::unexpected(storage_error(it->status()));
  return {};
}

}  // namespace eb::storage
