// DedupWindow: five minutes from the first send, per queue or per group, lazy expiry.
#include "sqs/fifo_dedup.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/manual_clock.hpp"

namespace eb::sqs {
namespace {

constexpr Millis kMinute = 60'000;

DedupEntry entry(std::string id, std::uint64_t seq, Millis sent) {
  return DedupEntry{std::move(id), seq, sent};
}

TEST(DedupWindowTest, DuplicateWithinTheWindowAnswersWithTheOriginal) {
  ManualClock clock;
  DedupWindow w;
  const auto key = DedupWindow::key(DedupScope::kQueue, "g", "d1");
  ASSERT_TRUE(w.insert(key, entry("m1", 7, clock.now_ms()), clock.now_ms()));
  clock.advance(4 * kMinute);
  const DedupEntry* original = w.find(key, clock.now_ms());
  ASSERT_NE(original, nullptr);
  EXPECT_EQ(original->message_id, "m1");
  EXPECT_EQ(original->sequence, 7u);
  EXPECT_FALSE(w.insert(key, entry("m2", 8, clock.now_ms()), clock.now_ms()));
  EXPECT_EQ(w.find(key, clock.now_ms())->message_id, "m1");
}

TEST(DedupWindowTest, WindowRunsFromTheFirstSendAndDuplicatesDoNotExtendIt) {
  ManualClock clock;
  const Millis t0 = clock.now_ms();
  DedupWindow w;
  const auto key = DedupWindow::key(DedupScope::kQueue, "", "d");
  ASSERT_TRUE(w.insert(key, entry("m1", 1, t0), t0));
  EXPECT_NE(w.find(key, t0 + 4 * kMinute), nullptr);  // a duplicate at 4 min
  EXPECT_NE(w.find(key, t0 + 5 * kMinute - 1), nullptr);
  EXPECT_EQ(w.find(key, t0 + 5 * kMinute), nullptr);
  EXPECT_EQ(w.size(), 0u) << "expired lazily by the lookup";
  EXPECT_TRUE(w.insert(key, entry("m3", 3, t0 + 5 * kMinute), t0 + 5 * kMinute));
  EXPECT_EQ(w.find(key, t0 + 9 * kMinute)->message_id, "m3");
}

TEST(DedupWindowTest, QueueScopeIgnoresTheGroupMessageGroupScopeSeparatesIt) {
  const Millis t = 1000;
  DedupWindow queue_scope;
  ASSERT_TRUE(
      queue_scope.insert(DedupWindow::key(DedupScope::kQueue, "a", "d"), entry("m", 1, t), t));
  EXPECT_NE(queue_scope.find(DedupWindow::key(DedupScope::kQueue, "b", "d"), t), nullptr);

  DedupWindow group_scope;
  ASSERT_TRUE(group_scope.insert(DedupWindow::key(DedupScope::kMessageGroup, "a", "d"),
                                 entry("m", 1, t), t));
  EXPECT_EQ(group_scope.find(DedupWindow::key(DedupScope::kMessageGroup, "b", "d"), t), nullptr);
  EXPECT_NE(group_scope.find(DedupWindow::key(DedupScope::kMessageGroup, "a", "d"), t), nullptr);
}

TEST(DedupWindowTest, GroupScopedKeysCannotCollideAcrossTheSplit) {
  EXPECT_NE(DedupWindow::key(DedupScope::kMessageGroup, "ab", "c"),
            DedupWindow::key(DedupScope::kMessageGroup, "a", "bc"));
  EXPECT_NE(DedupWindow::key(DedupScope::kMessageGroup, "", "x"),
            DedupWindow::key(DedupScope::kQueue, "", "x"));
}

TEST(DedupWindowTest, ContentIdIsHexSha256OfTheBody) {
  EXPECT_EQ(DedupWindow::content_id("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(DedupWindow::content_id(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(DedupWindowTest, EraseUndoesAnInsertAndAStaleDeadlineSparesTheNewEntry) {
  DedupWindow w(100);
  ASSERT_TRUE(w.insert("k", entry("m1", 1, 0), 0));
  w.erase("k");
  EXPECT_EQ(w.find("k", 1), nullptr);
  ASSERT_TRUE(w.insert("k", entry("m2", 2, 50), 50));
  // The first insert's deadline (100) passes; the entry of the second (150) survives it.
  EXPECT_NE(w.find("k", 120), nullptr);
  EXPECT_EQ(w.find("k", 150), nullptr);
}

TEST(DedupWindowTest, PendingUntilTheOriginalIsWrittenThenConfirmed) {
  DedupWindow w;
  DedupEntry e = entry("m1", 1, 0);
  e.pending = true;
  ASSERT_TRUE(w.insert("k", e, 0));
  EXPECT_TRUE(w.find("k", 1)->pending);
  w.confirm("k");
  EXPECT_FALSE(w.find("k", 1)->pending);
  w.confirm("unknown");
}

TEST(DedupWindowTest, LiveEntriesRoundTripThroughRestore) {
  DedupWindow w(100);
  w.insert("old", entry("m1", 1, 0), 0);
  w.insert("new", entry("m2", 2, 60), 60);
  auto listed = w.live(120);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].key, "new");

  DedupWindow recovered(100);
  for (auto& l : listed) recovered.restore(l.key, l.entry);
  EXPECT_EQ(recovered.find("old", 120), nullptr);
  ASSERT_NE(recovered.find("new", 120), nullptr);
  EXPECT_EQ(recovered.find("new", 120)->message_id, "m2");
  EXPECT_EQ(recovered.find("new", 160), nullptr) << "the restored entry keeps its window";
}

TEST(DedupWindowTest, ManyEntriesExpireOldestFirst) {
  DedupWindow w(1000);
  for (int i = 0; i < 5000; ++i) w.insert("k" + std::to_string(i), entry("m", i, i), 0);
  std::vector<std::string> expired;
  w.expire(1000 + 2499, &expired);
  EXPECT_EQ(w.size(), 2500u);
  ASSERT_EQ(expired.size(), 2500u);
  EXPECT_EQ(expired.front(), "k0");
  EXPECT_EQ(expired.back(), "k2499");
  EXPECT_EQ(w.find("k2499", 3499), nullptr);
  EXPECT_NE(w.find("k2500", 3499), nullptr);
}

}  // namespace
}  // namespace eb::sqs
