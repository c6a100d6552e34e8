// The Engine contract, run against both implementations, and what only the RocksDB engine
// does: survive a reopen, refuse a locked, unusable or corrupt data dir.
#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "storage/keys.hpp"
#include "storage/memory_engine.hpp"
#include "storage/rocksdb_engine.hpp"

namespace eb::storage {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed afterwards.
class TempDir {
 public:
  TempDir() {
    path_ =
        fs::temp_directory_path() / fmt_name(::getpid(), reinterpret_cast<std::uintptr_t>(this));
    fs::remove_all(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  static std::string fmt_name(int pid, std::uintptr_t p) {
    return "eb-engine-test-" + std::to_string(pid) + "-" + std::to_string(p);
  }
  fs::path path_;
};

class EngineTest : public ::testing::TestWithParam<bool> {
 protected:
  EngineTest() {
    if (GetParam()) {
      engine_ = std::make_unique<RocksDbEngine>(RocksDbOptions{.dir = dir_.path()});
    } else {
      engine_ = std::make_unique<MemoryEngine>();
    }
  }
  std::vector<std::string> keys(Family f, std::string_view from = "", std::string_view to = "",
                                bool reverse = false) {
    std::vector<std::string> out;
    auto ok = engine_->scan(
        f, from, to,
        [&](std::string_view k, std::string_view) {
          out.emplace_back(k);
          return true;
        },
        reverse);
    EXPECT_TRUE(ok);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Engine> engine_;
};

TEST_P(EngineTest, BatchesApplyAllOpsInOrder) {
  Batch b;
  b.put(Family::kQueues, "a", "1");
  b.put(Family::kQueues, "b", "2");
  b.put(Family::kMessages, "a", "other family");
  b.erase(Family::kQueues, "b");
  ASSERT_TRUE(engine_->write(b));
  EXPECT_EQ(engine_->get(Family::kQueues, "a")->value(), "1");
  EXPECT_FALSE(engine_->get(Family::kQueues, "b")->has_value());
  EXPECT_EQ(engine_->get(Family::kMessages, "a")->value(), "other family");
  auto many = engine_->multi_get(Family::kQueues, {"a", "zz", "a"});
  ASSERT_TRUE(many);
  ASSERT_EQ(many->size(), 3u);
  EXPECT_EQ((*many)[0], "1");
  EXPECT_FALSE((*many)[1]);
  EXPECT_EQ((*many)[2], "1");
}

TEST_P(EngineTest, ScansRangesBothWaysAndErasesRanges) {
  Batch b;
  for (std::uint64_t i = 1; i <= 600; ++i) b.put(Family::kEvents, u64_key(i), "v");
  ASSERT_TRUE(engine_->write(b));
  auto all = keys(Family::kEvents);
  ASSERT_EQ(all.size(), 600u);
  EXPECT_EQ(read_u64(all.front()), 1u);
  EXPECT_EQ(read_u64(all.back()), 600u);
  auto mid = keys(Family::kEvents, u64_key(100), u64_key(400));
  ASSERT_EQ(mid.size(), 300u);
  EXPECT_EQ(read_u64(mid.front()), 100u);
  EXPECT_EQ(read_u64(mid.back()), 399u);
  auto back = keys(Family::kEvents, u64_key(100), u64_key(400), true);
  ASSERT_EQ(back.size(), 300u);
  EXPECT_EQ(read_u64(back.front()), 399u);
  EXPECT_EQ(read_u64(back.back()), 100u);
  auto unbounded = keys(Family::kEvents, std::string_view{}, std::string_view{});
  EXPECT_EQ(unbounded.size(), 600u);
  auto last = keys(Family::kEvents, "", "", true);
  ASSERT_EQ(last.size(), 600u);
  EXPECT_EQ(read_u64(last.front()), 600u);

  std::size_t visited = 0;
  ASSERT_TRUE(engine_->scan(Family::kEvents, "", "", [&](auto, auto) { return ++visited < 5; }));
  EXPECT_EQ(visited, 5u);

  Batch erase;
  erase.erase_range(Family::kEvents, u64_key(2), u64_key(600));
  ASSERT_TRUE(engine_->write(erase));
  auto left = keys(Family::kEvents);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(read_u64(left[0]), 1u);
  EXPECT_EQ(read_u64(left[1]), 600u);
}

// What a queue's deletion does to its messages: a range erase of one prefix among others just
// written (RocksDB's memtable insert hints abort on exactly this, so the families erased by
// range get none), then more writes to that prefix. The index family, which has hints, refuses
// range erases.
TEST_P(EngineTest, RangeErasesAmongFreshWritesWorkAndTheIndexFamilyRefusesThem) {
  for (const Family f : {Family::kMessages, Family::kStates}) {
    Batch b;
    for (std::uint64_t seq = 1; seq <= 50; ++seq) {
      for (std::uint64_t queue = 1; queue <= 3; ++queue) b.put(f, u64_pair_key(queue, seq), "v");
    }
    ASSERT_TRUE(engine_->write(b));
    Batch erase;
    erase.erase_range(f, u64_pair_key(2, 0), u64_pair_key(2, ~std::uint64_t{0}));
    ASSERT_TRUE(engine_->write(erase));
    Batch more;
    for (std::uint64_t seq = 51; seq <= 60; ++seq) more.put(f, u64_pair_key(2, seq), "v");
    ASSERT_TRUE(engine_->write(more));
    EXPECT_EQ(keys(f, u64_pair_key(2, 0), u64_pair_key(3, 0)).size(), 10u);
    EXPECT_EQ(keys(f).size(), 110u);
  }
  Batch index;
  index.put(Family::kIndexes, u64_pair_key(1, 1), "");
  ASSERT_TRUE(engine_->write(index));
  Batch erase;
  erase.erase_range(Family::kIndexes, u64_pair_key(1, 0), u64_pair_key(2, 0));
  const auto refused = engine_->write(erase);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kInternalError);
  EXPECT_EQ(keys(Family::kIndexes).size(), 1u);
}

TEST_P(EngineTest, WhenDurableRunsTheCallback) {
  Batch b;
  b.put(Family::kMeta, "k", "v");
  ASSERT_TRUE(engine_->write(b));
  bool ran = false;
  engine_->when_durable([&] { ran = true; });
  EXPECT_TRUE(ran);
}

INSTANTIATE_TEST_SUITE_P(Engines, EngineTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "RocksDb" : "Memory"; });

// Writes a 1000-byte message "m" into a RocksDB engine on `dir`; returns the engine's stats
// before it closes.
EngineStats write_one_and_close(const fs::path& dir) {
  RocksDbEngine engine({.dir = dir});
  Batch b;
  b.put(Family::kMessages, "m", std::string(1000, 'x'));
  EXPECT_TRUE(engine.write(b));
  return engine.stats();
}

TEST(RocksDbEngine, KeepsWhatWasWrittenAcrossReopen) {
  TempDir dir;
  write_one_and_close(dir.path());
  RocksDbEngine engine({.dir = dir.path()});
  EXPECT_EQ(engine.get(Family::kMessages, "m")->value(), std::string(1000, 'x'));
}

TEST(RocksDbEngine, ReportsItsBlockCacheAndTableReaders) {
  TempDir dir;
  EXPECT_EQ(write_one_and_close(dir.path()).table_readers_bytes, 0u);
  // Reopening flushes the logged write into an SST file, which a read goes through the cache to.
  RocksDbEngine engine({.dir = dir.path()});
  EXPECT_GT(engine.stats().table_readers_bytes, 0u);
  ASSERT_TRUE(engine.get(Family::kMessages, "m"));
  EXPECT_GE(engine.stats().block_cache_bytes, 1000u);
  EXPECT_EQ(MemoryEngine().stats().block_cache_bytes, 0u);
}

TEST(RocksDbEngine, RefusesADataDirInUse) {
  TempDir dir;
  RocksDbEngine first({.dir = dir.path()});
  try {
    RocksDbEngine second({.dir = dir.path()});
    FAIL() << "opened twice";
  } catch (const StartupError& e) {
    EXPECT_NE(std::string(e.what()).find("in use by another eventbrokerd"), std::string::npos)
        << e.what();
  }
}

TEST(RocksDbEngine, RefusesAFileAsDataDir) {
  TempDir dir;
  fs::create_directories(dir.path());
  const fs::path file = dir.path() / "plain-file";
  std::ofstream(file) << "not a directory";
  EXPECT_THROW(RocksDbEngine({.dir = file}), StartupError);
}

TEST(RocksDbEngine, RefusesACorruptDataDir) {
  TempDir dir;
  { RocksDbEngine engine({.dir = dir.path()}); }
  // CURRENT names the manifest; garbage there makes the database unreadable.
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().filename().string().starts_with("MANIFEST")) {
      std::ofstream(entry.path(), std::ios::trunc) << "garbage that is not a manifest";
    }
  }
  try {
    RocksDbEngine engine({.dir = dir.path()});
    FAIL() << "opened a corrupt dir";
  } catch (const StartupError& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos) << e.what();
  }
}

TEST(RocksDbEngine, FsyncModeAnswersEveryWaiterThroughGroupCommit) {
  TempDir dir;
  RocksDbEngine engine({.dir = dir.path(), .durability = Durability::kFsync});
  std::mutex mu;
  std::condition_variable cv;
  int answered = 0;
  auto answer = [&] {
    std::lock_guard lock(mu);
    ++answered;
    cv.notify_all();
  };
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        Batch b;
        b.put(Family::kMessages, std::to_string(t) + "/" + std::to_string(i), "v");
        ASSERT_TRUE(engine.write(b));
        engine.when_durable(answer);
      }
    });
  }
  for (auto& w : writers) w.join();
  // The sync thread answers asynchronously, after the fsync covering each write.
  std::unique_lock lock(mu);
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return answered == 200; }))
      << answered;
}

}  // namespace
}  // namespace eb::storage
