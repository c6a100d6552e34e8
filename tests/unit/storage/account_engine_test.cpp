// AccountEngine over both engines: accounts (the default one included) never see, scan or
// erase each other's keys, and the event log's families stay shared and atomic with the rest.
#include "storage/account_engine.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <stdexcept>

#include "storage/keys.hpp"
#include "storage/memory_engine.hpp"
#include "storage/rocksdb_engine.hpp"

namespace eb::storage {
namespace {

namespace fs = std::filesystem;

using Keys = std::vector<std::string>;

class AccountEngineTest : public ::testing::TestWithParam<bool> {
 protected:
  AccountEngineTest() {
    if (GetParam()) {
      dir_ = fs::temp_directory_path() /
             ("eb-account-engine-test-" + std::to_string(::getpid()) + "-" +
              std::to_string(reinterpret_cast<std::uintptr_t>(this)));
      fs::remove_all(dir_);
      base_ = std::make_unique<RocksDbEngine>(RocksDbOptions{.dir = dir_});
    } else {
      base_ = std::make_unique<MemoryEngine>();
    }
    def_ = std::make_unique<AccountEngine>(*base_, "");
    a_ = std::make_unique<AccountEngine>(*base_, "111111111111");
    b_ = std::make_unique<AccountEngine>(*base_, "222222222222");
  }
  ~AccountEngineTest() override {
    def_.reset();
    a_.reset();
    b_.reset();
    base_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::vector<Engine*> accounts() { return {def_.get(), a_.get(), b_.get()}; }

  static Keys keys(const Engine& engine, Family f, std::string_view from = "",
                   std::string_view to = "", bool reverse = false) {
    Keys out;
    EXPECT_TRUE(engine.scan(
        f, from, to,
        [&](std::string_view k, std::string_view) {
          out.emplace_back(k);
          return true;
        },
        reverse));
    return out;
  }
  static std::optional<std::string> get(const Engine& engine, Family f, std::string_view key) {
    auto value = engine.get(f, key);
    EXPECT_TRUE(value);
    return value ? *value : std::nullopt;
  }
  // The same keys, "k1".."k3" and two queue-style keys, in every account, valued by account.
  void put_everywhere(Family f) {
    for (Engine* e : accounts()) {
      const auto& id = static_cast<AccountEngine*>(e)->account_id();
      Batch b;
      for (const std::string key : {"k1", "k2", "k3"}) b.put(f, key, id + ":" + key);
      b.put(f, u64_pair_key(1, 1), id);
      b.put(f, u64_pair_key(~std::uint64_t{0} - 1, 1), id);
      ASSERT_TRUE(e->write(b));
    }
  }

  fs::path dir_;
  std::unique_ptr<Engine> base_;
  std::unique_ptr<AccountEngine> def_, a_, b_;
};

const Keys kAllKeys = {"k1", "k2", "k3"};

TEST_P(AccountEngineTest, TheSameKeyHoldsOneValuePerAccount) {
  put_everywhere(Family::kQueues);
  EXPECT_EQ(get(*def_, Family::kQueues, "k1"), ":k1");
  EXPECT_EQ(get(*a_, Family::kQueues, "k1"), "111111111111:k1");
  EXPECT_EQ(get(*b_, Family::kQueues, "k1"), "222222222222:k1");
  // The default account's keys are the base's own.
  EXPECT_EQ(get(*base_, Family::kQueues, "k1"), ":k1");

  Batch erase;
  erase.erase(Family::kQueues, "k1");
  ASSERT_TRUE(a_->write(erase));
  EXPECT_FALSE(get(*a_, Family::kQueues, "k1"));
  EXPECT_EQ(get(*def_, Family::kQueues, "k1"), ":k1");
  EXPECT_EQ(get(*b_, Family::kQueues, "k1"), "222222222222:k1");

  auto many = a_->multi_get(Family::kQueues, {"k2", "k1", "nope", "k3"});
  ASSERT_TRUE(many);
  EXPECT_EQ(*many, (std::vector<std::optional<std::string>>{"111111111111:k2", std::nullopt,
                                                            std::nullopt, "111111111111:k3"}));
  auto defaults = def_->multi_get(Family::kQueues, {"k1", "k3"});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(*defaults, (std::vector<std::optional<std::string>>{":k1", ":k3"}));
}

TEST_P(AccountEngineTest, TheDefaultAccountScansOnlyItsOwnKeys) {
  put_everywhere(Family::kMessages);
  const std::string high = u64_pair_key(~std::uint64_t{0} - 1, 1);
  const Keys mine = {u64_pair_key(1, 1), "k1", "k2", "k3", high};
  const Keys reversed(mine.rbegin(), mine.rend());
  EXPECT_EQ(keys(*def_, Family::kMessages), mine);
  EXPECT_EQ(keys(*def_, Family::kMessages, "", "", true), reversed);
  // Bounds past the default account's keys are capped; a start past them finds nothing.
  const std::string past(16, '\xff');
  EXPECT_EQ(keys(*def_, Family::kMessages, "", past), mine);
  EXPECT_EQ(keys(*def_, Family::kMessages, "", past, true), reversed);
  EXPECT_EQ(keys(*def_, Family::kMessages, "k2", ""), (Keys{"k2", "k3", high}));
  EXPECT_EQ(keys(*def_, Family::kMessages, "k2", "", true), (Keys{high, "k3", "k2"}));
  EXPECT_EQ(keys(*def_, Family::kMessages, "k1", "k3"), (Keys{"k1", "k2"}));
  EXPECT_EQ(keys(*def_, Family::kMessages, "k1", "k3", true), (Keys{"k2", "k1"}));
  EXPECT_TRUE(keys(*def_, Family::kMessages, kAccountSpace, "").empty());
  EXPECT_TRUE(keys(*def_, Family::kMessages, past, "", true).empty());
  // The base holds all three accounts' keys.
  EXPECT_EQ(keys(*base_, Family::kMessages).size(), 3 * mine.size());
}

TEST_P(AccountEngineTest, AnAccountScansOnlyItsOwnKeysWithoutItsPrefix) {
  put_everywhere(Family::kTopics);
  const std::string high = u64_pair_key(~std::uint64_t{0} - 1, 1);
  const Keys mine = {u64_pair_key(1, 1), "k1", "k2", "k3", high};
  for (const AccountEngine* e : {a_.get(), b_.get()}) {
    EXPECT_EQ(keys(*e, Family::kTopics), mine);
    EXPECT_EQ(keys(*e, Family::kTopics, "", "", true), Keys(mine.rbegin(), mine.rend()));
    EXPECT_EQ(keys(*e, Family::kTopics, "k", "k3"), (Keys{"k1", "k2"}));
    EXPECT_EQ(keys(*e, Family::kTopics, "k", "k3", true), (Keys{"k2", "k1"}));
    EXPECT_EQ(keys(*e, Family::kTopics, "k2", ""), (Keys{"k2", "k3", high}));
    EXPECT_EQ(keys(*e, Family::kTopics, "k2", "", true), (Keys{high, "k3", "k2"}));
    EXPECT_EQ(keys(*e, Family::kTopics, "", "k"), (Keys{mine[0]}));
    std::vector<std::string> values;
    ASSERT_TRUE(e->scan(Family::kTopics, "k", "", [&](std::string_view, std::string_view v) {
      values.emplace_back(v);
      return values.size() < 2;
    }));
    EXPECT_EQ(values, (Keys{e->account_id() + ":k1", e->account_id() + ":k2"}));
  }
  // An account whose id extends another's sees neither's keys.
  AccountEngine longer(*base_, "1111111111110");
  EXPECT_TRUE(keys(longer, Family::kTopics).empty());
  EXPECT_THROW(AccountEngine(*base_, "1111/2"), std::invalid_argument);
}

TEST_P(AccountEngineTest, RangeErasesStayInTheirAccount) {
  put_everywhere(Family::kStates);
  Batch bounded;
  bounded.erase_range(Family::kStates, "k1", "k3");
  ASSERT_TRUE(a_->write(bounded));
  EXPECT_EQ(keys(*a_, Family::kStates, "k", "l"), (Keys{"k3"}));
  EXPECT_EQ(keys(*def_, Family::kStates, "k", "l"), kAllKeys);
  EXPECT_EQ(keys(*b_, Family::kStates, "k", "l"), kAllKeys);

  Batch all;
  all.erase_range(Family::kStates, "", "");
  ASSERT_TRUE(b_->write(all));
  EXPECT_TRUE(keys(*b_, Family::kStates).empty());
  EXPECT_EQ(keys(*def_, Family::kStates).size(), 5u);
  EXPECT_EQ(keys(*a_, Family::kStates).size(), 3u);
}

// Domain resets erase every key of a family or prefix up to an end of 0xff bytes (a queue's
// range ends at its uid then eight of them): the default account's must stop at its own keys.
TEST_P(AccountEngineTest, TheDefaultAccountsFullRangeErasesLeaveOtherAccounts) {
  for (const Family f : {Family::kMessages, Family::kMeta, Family::kEventBuses}) {
    for (const std::string& end : {std::string(), std::string(kAccountSpace),
                                   std::string(10, '\xff'), u64_pair_key(~std::uint64_t{0}, 0)}) {
      put_everywhere(f);
      Batch reset;
      reset.erase_range(f, "", end);
      // Starts at or past the default account's keys erase nothing at all.
      reset.erase_range(f, kAccountSpace, "");
      reset.erase_range(f, std::string(12, '\xff'), std::string(16, '\xff'));
      ASSERT_TRUE(def_->write(reset));
      EXPECT_TRUE(keys(*def_, f).empty());
      EXPECT_EQ(keys(*a_, f).size(), 5u);
      EXPECT_EQ(keys(*b_, f).size(), 5u);
      EXPECT_EQ(get(*a_, f, "k2"), "111111111111:k2");
    }
  }
}

// The event log is the daemon's: every account reads and writes the same records as the base,
// by the same keys, and range erases of kEvents are not capped.
TEST_P(AccountEngineTest, EventLogFamiliesAreSharedByEveryAccount) {
  Batch events;
  events.put(Family::kEvents, u64_key(1), "from a");
  events.put(Family::kIndexes, u64_pair_key(7, 1), "index");
  ASSERT_TRUE(a_->write(events));
  Batch more;
  more.put(Family::kEvents, std::string(9, '\xff'), "high");
  ASSERT_TRUE(def_->write(more));
  for (const Engine* e : {base_.get(), static_cast<Engine*>(def_.get()),
                          static_cast<Engine*>(a_.get()), static_cast<Engine*>(b_.get())}) {
    EXPECT_EQ(get(*e, Family::kEvents, u64_key(1)), "from a");
    EXPECT_EQ(get(*e, Family::kIndexes, u64_pair_key(7, 1)), "index");
    EXPECT_EQ(keys(*e, Family::kEvents), (Keys{u64_key(1), std::string(9, '\xff')}));
    EXPECT_EQ(keys(*e, Family::kEvents, "", "", true), (Keys{std::string(9, '\xff'), u64_key(1)}));
    EXPECT_EQ(keys(*e, Family::kIndexes), (Keys{u64_pair_key(7, 1)}));
    auto many = e->multi_get(Family::kEvents, {u64_key(1), std::string(9, '\xff')});
    ASSERT_TRUE(many);
    EXPECT_EQ(*many, (std::vector<std::optional<std::string>>{"from a", "high"}));
  }
  Batch erase;
  erase.erase_range(Family::kEvents, "", std::string(10, '\xff'));
  ASSERT_TRUE(b_->write(erase));
  EXPECT_TRUE(keys(*base_, Family::kEvents).empty());
  // The base's refusal of index range erases reaches the caller.
  Batch refused;
  refused.erase_range(Family::kIndexes, "", std::string(16, '\xff'));
  EXPECT_FALSE(a_->write(refused));
  EXPECT_EQ(keys(*base_, Family::kIndexes).size(), 1u);
}

TEST_P(AccountEngineTest, ABatchOfAccountKeysAndEventsIsOneWrite) {
  Batch b;
  b.put(Family::kMessages, u64_pair_key(3, 1), "message");
  b.put(Family::kEvents, u64_key(42), "event");
  b.put(Family::kIndexes, u64_pair_key(9, 42), "");
  b.erase_range(Family::kStates, "", "");
  ASSERT_TRUE(a_->write(b));
  EXPECT_EQ(get(*a_, Family::kMessages, u64_pair_key(3, 1)), "message");
  EXPECT_FALSE(get(*def_, Family::kMessages, u64_pair_key(3, 1)));
  EXPECT_EQ(get(*base_, Family::kEvents, u64_key(42)), "event");
  EXPECT_EQ(get(*base_, Family::kIndexes, u64_pair_key(9, 42)), "");

  // A failing write keeps none of it, in the account or in the event log.
  if (auto* memory = dynamic_cast<MemoryEngine*>(base_.get())) {
    Batch failing;
    failing.put(Family::kMessages, u64_pair_key(3, 2), "message");
    failing.put(Family::kEvents, u64_key(43), "event");
    memory->fail_writes_to(Family::kEvents);
    EXPECT_FALSE(a_->write(failing));
    memory->fail_writes_to(std::nullopt);
    EXPECT_FALSE(get(*a_, Family::kMessages, u64_pair_key(3, 2)));
    EXPECT_FALSE(get(*base_, Family::kEvents, u64_key(43)));
  }
  // One Batch reaches the base, whatever the mix.
  MemoryEngine counted;
  AccountEngine account(counted, "333333333333");
  AccountEngine fallback(counted, "");
  ASSERT_TRUE(account.write(b));
  ASSERT_TRUE(fallback.write(b));
  EXPECT_EQ(counted.writes(), 2u);
  EXPECT_EQ(get(counted, Family::kEvents, u64_key(42)), "event");
}

TEST_P(AccountEngineTest, DurabilityIsTheBases) {
  for (Engine* e : accounts()) {
    EXPECT_EQ(e->durable(), base_->durable());
    bool ran = false;
    e->when_durable([&] { ran = true; });
    EXPECT_TRUE(ran);
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, AccountEngineTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "RocksDb" : "Memory"; });

}  // namespace
}  // namespace eb::storage
