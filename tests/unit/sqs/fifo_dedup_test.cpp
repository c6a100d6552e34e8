// DedupWindow: five minutes from the first send, per queue or per group, lazy expiry oldest
// first, hashed keys; a model test of the table against std::map.
#include "sqs/fifo_dedup.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "core/manual_clock.hpp"

namespace eb::sqs {
namespace {

constexpr Millis kMinute = 60'000;

Uuid id_of(std::uint8_t n) {
  Uuid id{};
  id[15] = n;
  return id;
}

DedupEntry entry(std::uint8_t id, std::uint64_t seq, Millis sent) {
  return DedupEntry{id_of(id), seq, sent};
}

DedupKey k(std::string_view dedup_id) { return DedupWindow::key(DedupScope::kQueue, "", dedup_id); }

TEST(DedupWindowTest, DuplicateWithinTheWindowAnswersWithTheOriginal) {
  ManualClock clock;
  DedupWindow w;
  const auto key = DedupWindow::key(DedupScope::kQueue, "g", "d1");
  ASSERT_TRUE(w.insert(key, entry(1, 7, clock.now_ms()), clock.now_ms()));
  clock.advance(4 * kMinute);
  const DedupEntry* original = w.find(key, clock.now_ms());
  ASSERT_NE(original, nullptr);
  EXPECT_EQ(original->message_id, id_of(1));
  EXPECT_EQ(original->sequence, 7u);
  EXPECT_FALSE(w.insert(key, entry(2, 8, clock.now_ms()), clock.now_ms()));
  EXPECT_EQ(w.find(key, clock.now_ms())->message_id, id_of(1));
}

TEST(DedupWindowTest, WindowRunsFromTheFirstSendAndDuplicatesDoNotExtendIt) {
  ManualClock clock;
  const Millis t0 = clock.now_ms();
  DedupWindow w;
  const auto key = DedupWindow::key(DedupScope::kQueue, "", "d");
  ASSERT_TRUE(w.insert(key, entry(1, 1, t0), t0));
  EXPECT_NE(w.find(key, t0 + 4 * kMinute), nullptr);  // a duplicate at 4 min
  EXPECT_NE(w.find(key, t0 + 5 * kMinute - 1), nullptr);
  EXPECT_EQ(w.find(key, t0 + 5 * kMinute), nullptr);
  EXPECT_EQ(w.size(), 0u) << "expired lazily by the lookup";
  EXPECT_TRUE(w.insert(key, entry(3, 3, t0 + 5 * kMinute), t0 + 5 * kMinute));
  EXPECT_EQ(w.find(key, t0 + 9 * kMinute)->message_id, id_of(3));
}

TEST(DedupWindowTest, QueueScopeIgnoresTheGroupMessageGroupScopeSeparatesIt) {
  const Millis t = 1000;
  DedupWindow queue_scope;
  ASSERT_TRUE(
      queue_scope.insert(DedupWindow::key(DedupScope::kQueue, "a", "d"), entry(1, 1, t), t));
  EXPECT_NE(queue_scope.find(DedupWindow::key(DedupScope::kQueue, "b", "d"), t), nullptr);

  DedupWindow group_scope;
  ASSERT_TRUE(
      group_scope.insert(DedupWindow::key(DedupScope::kMessageGroup, "a", "d"), entry(1, 1, t), t));
  EXPECT_EQ(group_scope.find(DedupWindow::key(DedupScope::kMessageGroup, "b", "d"), t), nullptr);
  EXPECT_NE(group_scope.find(DedupWindow::key(DedupScope::kMessageGroup, "a", "d"), t), nullptr);
  EXPECT_EQ(group_scope.find(DedupWindow::key(DedupScope::kQueue, "a", "d"), t), nullptr)
      << "the scope is part of the key";
}

TEST(DedupWindowTest, GroupScopedKeysCannotCollideAcrossTheSplit) {
  EXPECT_NE(DedupWindow::key_text(DedupScope::kMessageGroup, "ab", "c"),
            DedupWindow::key_text(DedupScope::kMessageGroup, "a", "bc"));
  EXPECT_NE(DedupWindow::key(DedupScope::kMessageGroup, "ab", "c"),
            DedupWindow::key(DedupScope::kMessageGroup, "a", "bc"));
  EXPECT_NE(DedupWindow::key(DedupScope::kMessageGroup, "", "x"),
            DedupWindow::key(DedupScope::kQueue, "", "x"));
}

TEST(DedupWindowTest, KeysAreTheSha256OfTheTextRecordsUsedToBeKeyedBy) {
  // The text is what older releases stored; recovery hashes it to migrate those records, so
  // neither may change.
  EXPECT_EQ(DedupWindow::key_text(DedupScope::kQueue, "g", "d-1"), "q:d-1");
  EXPECT_EQ(DedupWindow::key_text(DedupScope::kMessageGroup, "group-1", "d-1"), "g7:group-1d-1");
  // SHA-256("abc") = ba7816bf8f01cfea 414140de5dae2223 b00361a3...
  EXPECT_EQ(DedupWindow::key_of_text("abc"),
            (DedupKey{0xba7816bf8f01cfeaULL, 0x414140de5dae2223ULL}));
  EXPECT_EQ(DedupWindow::key(DedupScope::kMessageGroup, "group-1", "d-1"),
            DedupWindow::key_of_text("g7:group-1d-1"));
}

TEST(DedupWindowTest, ContentIdIsHexSha256OfTheBody) {
  EXPECT_EQ(DedupWindow::content_id("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(DedupWindow::content_id(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(DedupWindowTest, EraseUndoesAnInsertAndTheErasedSlotSparesTheNewEntry) {
  DedupWindow w(100);
  ASSERT_TRUE(w.insert(k("k"), entry(1, 1, 0), 0));
  w.erase(k("k"));
  EXPECT_EQ(w.find(k("k"), 1), nullptr);
  EXPECT_EQ(w.size(), 0u);
  ASSERT_TRUE(w.insert(k("k"), entry(2, 2, 50), 50));
  // The first insert's window (ending at 100) passes; the entry of the second (150) survives.
  EXPECT_NE(w.find(k("k"), 120), nullptr);
  EXPECT_EQ(w.find(k("k"), 150), nullptr);
  w.erase(k("unknown"));
}

TEST(DedupWindowTest, PendingUntilTheOriginalIsWrittenThenConfirmed) {
  DedupWindow w;
  DedupEntry e = entry(1, 1, 0);
  e.pending = true;
  ASSERT_TRUE(w.insert(k("k"), e, 0));
  EXPECT_TRUE(w.find(k("k"), 1)->pending);
  w.confirm(k("k"));
  EXPECT_FALSE(w.find(k("k"), 1)->pending);
  w.confirm(k("unknown"));
}

TEST(DedupWindowTest, LiveEntriesRoundTripThroughRestoreInAnyOrder) {
  DedupWindow w(100);
  w.insert(k("old"), entry(1, 1, 0), 0);
  w.insert(k("mid"), entry(2, 2, 30), 30);
  w.insert(k("new"), entry(3, 3, 60), 60);
  auto listed = w.live(120);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].key, k("mid"));
  EXPECT_EQ(listed[1].key, k("new"));

  // Recovery reads records in key order, not in the order their windows end.
  std::ranges::reverse(listed);
  DedupWindow recovered(100);
  recovered.restore(listed);
  EXPECT_EQ(recovered.find(k("old"), 120), nullptr);
  ASSERT_NE(recovered.find(k("new"), 120), nullptr);
  EXPECT_EQ(recovered.find(k("new"), 120)->message_id, id_of(3));
  std::vector<DedupKey> expired;
  recovered.expire(135, &expired);
  EXPECT_EQ(expired, std::vector<DedupKey>{k("mid")}) << "restored oldest first";
  EXPECT_EQ(recovered.find(k("new"), 160), nullptr) << "the restored entry keeps its window";
}

TEST(DedupWindowTest, ManyEntriesExpireOldestFirst) {
  DedupWindow w(1000);
  for (int i = 0; i < 5000; ++i) w.insert(k("k" + std::to_string(i)), entry(0, i, i), 0);
  std::vector<DedupKey> expired;
  w.expire(1000 + 2499, &expired);
  EXPECT_EQ(w.size(), 2500u);
  ASSERT_EQ(expired.size(), 2500u);
  for (int i = 0; i < 2500; ++i) ASSERT_EQ(expired[i], k("k" + std::to_string(i))) << i;
  EXPECT_EQ(w.find(k("k2499"), 3499), nullptr);
  EXPECT_NE(w.find(k("k2500"), 3499), nullptr);
  // Everything gone: the table shrank, and the window works as new.
  w.expire(10'000);
  EXPECT_EQ(w.size(), 0u);
  EXPECT_TRUE(w.insert(k("k1"), entry(9, 9, 10'000), 10'000));
  EXPECT_EQ(w.find(k("k1"), 10'001)->message_id, id_of(9));
}

TEST(DedupWindowTest, AnEntryStampedBeforeTheOneAheadOfItEndsOnTime) {
  // Sends stamp their time before they take the queue's lock, so one may enter after a send
  // stamped later than itself.
  DedupWindow w(100);
  w.insert_absent(k("later"), entry(1, 1, 10));
  w.insert_absent(k("earlier"), entry(2, 2, 5));
  EXPECT_EQ(w.find(k("earlier"), 105), nullptr) << "its window is over";
  EXPECT_NE(w.find(k("later"), 105), nullptr);
  // Sent again: the new entry replaces the ended one, which does not take it along later.
  ASSERT_TRUE(w.insert(k("earlier"), entry(3, 3, 105), 105));
  std::vector<DedupKey> expired;
  w.expire(110, &expired);
  EXPECT_EQ(expired, std::vector<DedupKey>{k("later")});
  ASSERT_NE(w.find(k("earlier"), 110), nullptr);
  EXPECT_EQ(w.find(k("earlier"), 110)->message_id, id_of(3));
  w.expire(205, &expired);
  EXPECT_EQ(expired.back(), k("earlier"));
  EXPECT_EQ(w.size(), 0u);
}

TEST(DedupWindowTest, MatchesAMapUnderRandomInsertsErasesAndExpiry) {
  // Few distinct keys and a small window keep the table dense and probe runs long, so moves
  // on removal (backward shifts) and growth and shrinking all happen often.
  std::mt19937 rng(16);
  DedupWindow w(50);
  std::map<std::string, std::pair<std::uint64_t, Millis>> model;  // key -> (seq, sent)
  Millis now = 0;
  for (std::uint64_t step = 0; step < 200'000; ++step) {
    const int op = static_cast<int>(rng() % 10);
    const std::string id = std::to_string(rng() % (step < 100'000 ? 64 : 2000));
    if (op == 0) now += static_cast<Millis>(rng() % 20);
    for (auto it = model.begin(); it != model.end();) {
      it = it->second.second + 50 <= now ? model.erase(it) : std::next(it);
    }
    const DedupEntry* found = w.find(k(id), now);
    const auto m = model.find(id);
    ASSERT_EQ(found != nullptr, m != model.end()) << "step " << step;
    if (found) ASSERT_EQ(found->sequence, m->second.first) << "step " << step;
    if (op < 7 && !found) {
      w.insert_absent(k(id), DedupEntry{{}, step, now});
      model[id] = {step, now};
    } else if (op == 7 && found) {
      w.erase(k(id));
      model.erase(id);
    }
    ASSERT_EQ(w.size(), model.size()) << "step " << step;
  }
}

}  // namespace
}  // namespace eb::sqs
