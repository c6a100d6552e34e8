// MessageSchedule on its own: no queue, no lock, no storage, time as plain numbers. Directed
// cases for each mechanism (epochs, lazy release, retention, fair-queue switch, recovery),
// then a randomized model test of a standard queue against a reference that rescans.
#include "sqs/message_schedule.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <vector>

namespace eb::sqs {
namespace {

using State = StoredMessage::State;

StoredMessage message(std::uint64_t seq, Millis sent, Millis delayed_until = 0) {
  StoredMessage m;
  m.seq = seq;
  m.sent = sent;
  if (delayed_until > 0) {
    m.state = State::kDelayed;
    m.visible_at = delayed_until;
  }
  return m;
}

std::vector<std::uint64_t> drain_ready(MessageSchedule& s) {
  std::vector<std::uint64_t> out;
  for (StoredMessage* m = s.pop_ready(); m != nullptr; m = s.pop_ready()) out.push_back(m->seq);
  return out;
}

TEST(MessageScheduleTest, ReadyInSeqOrderAndCounted) {
  MessageSchedule s(false);
  s.enter(message(2, 10), "");
  s.enter(message(1, 10), "");
  s.enter(message(3, 10, 500), "");
  EXPECT_EQ(s.ready_count(), 2u);
  EXPECT_EQ(s.delayed_count(), 1u);
  EXPECT_EQ(s.groups(), nullptr);
  EXPECT_EQ(drain_ready(s), (std::vector<std::uint64_t>{1, 2}));
  // pop_ready does not change state: the caller delivers.
  EXPECT_EQ(s.ready_count(), 2u);
}

TEST(MessageScheduleTest, StaleEntriesAreSkipped) {
  MessageSchedule s(false);
  s.enter(message(1, 0), "");
  StoredMessage* m = s.pop_ready();
  ASSERT_NE(m, nullptr);
  s.set_timed(*m, State::kInflight, 100);
  s.set_timed(*m, State::kInflight, 300);  // visibility changed: the 100 entry is stale
  EXPECT_EQ(s.inflight_count(), 1u);
  EXPECT_EQ(s.next_due(), 100);
  s.release_due(200);
  EXPECT_EQ(s.inflight_count(), 1u);
  EXPECT_EQ(s.pop_ready(), nullptr);
  s.release_due(300);
  EXPECT_EQ(s.ready_count(), 1u);
  EXPECT_EQ(drain_ready(s), (std::vector<std::uint64_t>{1}));
}

TEST(MessageScheduleTest, ExpireErasesOldestAndReports) {
  MessageSchedule s(false);
  s.enter(message(1, 100), "");
  s.enter(message(2, 200), "");
  s.enter(message(3, 300, 1000), "");
  std::vector<std::uint64_t> erased;
  s.expire(1250, 1000, [&](std::uint64_t seq) { erased.push_back(seq); });
  EXPECT_EQ(erased, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(s.find(1), nullptr);
  EXPECT_EQ(s.ready_count(), 0u);
  EXPECT_EQ(s.delayed_count(), 1u);
  EXPECT_TRUE(s.erase(3));
  EXPECT_FALSE(s.erase(3));
  EXPECT_EQ(s.delayed_count(), 0u);
}

TEST(MessageScheduleTest, FirstGroupMakesAFairQueue) {
  MessageSchedule s(false);
  s.enter(message(1, 0), "");
  s.enter(message(2, 0, 50), "g");  // delayed with a group: the queue becomes fair now
  ASSERT_NE(s.groups(), nullptr);
  EXPECT_EQ(s.groups()->mode(), FifoGroups::Mode::kFair);
  EXPECT_EQ(s.groups()->visible(), 1u);  // seq 1 moved in as a group of its own
  s.release_due(50);
  EXPECT_EQ(s.groups()->visible(), 2u);
  EXPECT_EQ(*s.groups()->group_of(2), "g");
  EXPECT_EQ(*s.groups()->group_of(1), groupless(1));
}

TEST(MessageScheduleTest, FifoGroupLockedWhileInFlight) {
  MessageSchedule s(true);
  s.enter(message(1, 0), "a");
  s.enter(message(2, 0), "a");
  s.enter(message(3, 0), "b");
  FifoGroups& groups = *s.groups();
  auto first = groups.take(1);
  ASSERT_EQ(first, (std::vector<std::uint64_t>{1}));
  s.set_timed(*s.find(1), State::kInflight, 100);
  EXPECT_EQ(groups.take(10), (std::vector<std::uint64_t>{3}));  // a is locked
  s.release_due(100);                                           // visibility ends: 1 again
  EXPECT_EQ(groups.take(10), (std::vector<std::uint64_t>{1, 2}));
  StoredMessage out = s.extract_ready(1);
  EXPECT_EQ(out.seq, 1u);
  EXPECT_FALSE(groups.contains(1));
}

TEST(MessageScheduleTest, ClearKeepsTheMode) {
  MessageSchedule s(false);
  s.enter(message(1, 0), "g");
  s.clear();
  ASSERT_NE(s.groups(), nullptr);
  EXPECT_EQ(s.groups()->mode(), FifoGroups::Mode::kFair);
  EXPECT_EQ(s.ready_count(), 0u);
  EXPECT_EQ(s.find(1), nullptr);
  EXPECT_FALSE(s.next_due());
}

TEST(MessageScheduleTest, LoadRebuildsIndexes) {
  MessageSchedule s(false);
  std::vector<MessageSchedule::IndexEntry> retention;
  for (std::uint64_t seq = 1; seq <= 4; ++seq) {
    s.load(message(seq, static_cast<Millis>(seq)));
    retention.push_back({static_cast<Millis>(seq), seq, 0});
  }
  s.set_timed(*s.find(2), State::kInflight, 100);
  s.set_timed(*s.find(3), State::kDelayed, 100);
  MessageSchedule::GroupsBySeq groups;
  groups.emplace(2, "g");
  groups.emplace(3, "g");
  s.finish_load(std::move(retention), std::move(groups));
  ASSERT_NE(s.groups(), nullptr);  // a recorded group makes it fair
  EXPECT_EQ(s.ready_count(), 2u);
  EXPECT_TRUE(s.groups()->in_flight(2));
  EXPECT_FALSE(s.groups()->contains(3));  // delayed: joins its group when ready
  s.release_due(100);
  EXPECT_EQ(*s.groups()->group_of(3), "g");
  std::vector<std::uint64_t> erased;
  s.expire(1003, 1000, [&](std::uint64_t seq) { erased.push_back(seq); });
  EXPECT_EQ(erased, (std::vector<std::uint64_t>{1, 2, 3}));
}

// A standard queue driven at random: enter (ready or delayed), receive, change visibility,
// delete, time passing, retention. The reference keeps (state, visible_at) per seq and
// rescans; after every step the counts and the next ready message must agree.
TEST(MessageScheduleTest, ModelStandardQueue) {
  struct Ref {
    State state;
    Millis visible_at;
    Millis sent;
  };
  constexpr Millis kRetention = 5000;
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    MessageSchedule s(false);
    std::map<std::uint64_t, Ref> ref;
    Millis now = 0;
    std::uint64_t next_seq = 1;
    auto release = [&] {
      for (auto& [seq, r] : ref) {
        if (r.state != State::kReady && r.visible_at <= now) r.state = State::kReady;
      }
    };
    auto pick = [&]() -> std::optional<std::uint64_t> {
      if (ref.empty()) return std::nullopt;
      auto it = ref.begin();
      std::advance(it, rng() % ref.size());
      return it->first;
    };
    for (int step = 0; step < 2000; ++step) {
      switch (rng() % 6) {
        case 0: {  // send
          const Millis delay = rng() % 3 == 0 ? 1 + rng() % 300 : 0;
          s.enter(message(next_seq, now, delay ? now + delay : 0), "");
          ref[next_seq++] = {delay ? State::kDelayed : State::kReady, delay ? now + delay : 0, now};
          break;
        }
        case 1: {  // receive one: the oldest ready
          std::optional<std::uint64_t> want;
          for (auto& [seq, r] : ref) {
            if (r.state == State::kReady) {
              want = seq;
              break;
            }
          }
          StoredMessage* m = s.pop_ready();
          ASSERT_EQ(m ? std::optional<std::uint64_t>(m->seq) : std::nullopt, want) << seed;
          if (m) {
            const Millis until = now + 1 + rng() % 400;
            s.set_timed(*m, State::kInflight, until);
            ref[m->seq] = {State::kInflight, until, ref[m->seq].sent};
          }
          break;
        }
        case 2: {  // change visibility of an in-flight message
          auto seq = pick();
          if (!seq || ref[*seq].state != State::kInflight) break;
          StoredMessage& m = *s.find(*seq);
          if (rng() % 2) {
            s.make_ready(m);
            ref[*seq].state = State::kReady;
          } else {
            const Millis until = now + rng() % 400;
            s.set_timed(m, State::kInflight, until);
            ref[*seq].visible_at = until;
          }
          break;
        }
        case 3: {  // delete
          auto seq = pick();
          if (!seq) break;
          EXPECT_TRUE(s.erase(*seq));
          ref.erase(*seq);
          break;
        }
        default: {  // time passes: what a queue operation's refresh does
          now += rng() % 120;
          std::vector<std::uint64_t> erased;
          s.expire(now, kRetention, [&](std::uint64_t seq) { erased.push_back(seq); });
          for (std::uint64_t seq : erased) {
            ASSERT_LE(ref.at(seq).sent + kRetention, now);
            ref.erase(seq);
          }
          for (auto& [seq, r] : ref) ASSERT_GT(r.sent + kRetention, now) << seq;
          s.release_due(now);
          release();
          break;
        }
      }
      std::size_t ready = 0, inflight = 0, delayed = 0;
      for (auto& [seq, r] : ref) {
        ready += r.state == State::kReady;
        inflight += r.state == State::kInflight;
        delayed += r.state == State::kDelayed;
        ASSERT_NE(s.find(seq), nullptr);
        ASSERT_EQ(s.find(seq)->state, r.state) << "seed " << seed << " seq " << seq;
      }
      ASSERT_EQ(s.ready_count(), ready) << seed;
      ASSERT_EQ(s.inflight_count(), inflight) << seed;
      ASSERT_EQ(s.delayed_count(), delayed) << seed;
    }
  }
}

}  // namespace
}  // namespace eb::sqs
