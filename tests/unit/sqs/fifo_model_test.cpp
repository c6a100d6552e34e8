// Randomized model test: FifoGroups against an obviously-correct reference that rescans every
// message on each step. Every take is compared exactly, counts after every step.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "sqs/fifo_groups.hpp"

namespace eb::sqs {
namespace {

using Seqs = std::vector<std::uint64_t>;

struct ModelMessage {
  std::uint64_t seq;
  std::string group;
  bool in_flight = false;
};

// The rules, written as directly as possible: all live messages in one vector, in seq order.
class Reference {
 public:
  explicit Reference(FifoGroups::Mode mode) : mode_(mode) {}

  void add(std::uint64_t seq, const std::string& group) {
    if (!group_known(group)) last_served_[group] = ++clock_;
    messages_.push_back({seq, group});  // seqs are sent increasing: the vector stays sorted
  }

  Seqs take(std::size_t max) {
    return mode_ == FifoGroups::Mode::kFifo ? take_fifo(max) : take_fair(max);
  }

  void make_visible(std::uint64_t seq) { find(seq)->in_flight = false; }
  void mark_in_flight(std::uint64_t seq) { find(seq)->in_flight = true; }

  void remove(std::uint64_t seq) {
    const std::string group = find(seq)->group;
    std::erase_if(messages_, [&](const auto& m) { return m.seq == seq; });
    if (!group_known(group)) last_served_.erase(group);  // an empty group is forgotten
  }

  std::vector<std::uint64_t> seqs(bool in_flight) const {
    Seqs out;
    for (const auto& m : messages_) {
      if (m.in_flight == in_flight) out.push_back(m.seq);
    }
    return out;
  }
  std::size_t groups() const { return last_served_.size(); }
  bool empty() const { return messages_.empty(); }

 private:
  // FIFO: among groups with nothing in flight, the one whose oldest visible message is
  // oldest; all of its visible messages in order; then the next such group.
  Seqs take_fifo(std::size_t max) {
    std::set<std::string> locked;
    for (const auto& m : messages_) {
      if (m.in_flight) locked.insert(m.group);
    }
    Seqs out;
    while (out.size() < max) {
      const ModelMessage* head = nullptr;
      for (const auto& m : messages_) {
        if (!m.in_flight && !locked.contains(m.group)) {
          head = &m;
          break;
        }
      }
      if (!head) break;
      const std::string group = head->group;
      locked.insert(group);
      for (auto& m : messages_) {
        if (out.size() < max && m.group == group && !m.in_flight) {
          m.in_flight = true;
          out.push_back(m.seq);
        }
      }
    }
    return out;
  }

  // Fair: one message at a time from the group with fewest in flight, then least recently
  // served (a new group counts as served when it appeared).
  Seqs take_fair(std::size_t max) {
    Seqs out;
    while (out.size() < max) {
      std::optional<std::pair<std::size_t, std::uint64_t>> best;
      std::string best_group;
      for (const auto& [group, served] : last_served_) {
        if (!group_has_visible(group)) continue;
        std::pair<std::size_t, std::uint64_t> key{in_flight_of(group), served};
        if (!best || key < *best) {
          best = key;
          best_group = group;
        }
      }
      if (!best) break;
      for (auto& m : messages_) {
        if (m.group == best_group && !m.in_flight) {
          m.in_flight = true;
          out.push_back(m.seq);
          break;
        }
      }
      last_served_[best_group] = ++clock_;
    }
    return out;
  }

  ModelMessage* find(std::uint64_t seq) {
    for (auto& m : messages_) {
      if (m.seq == seq) return &m;
    }
    return nullptr;
  }
  bool group_known(const std::string& g) const {
    return std::any_of(messages_.begin(), messages_.end(),
                       [&](const auto& m) { return m.group == g; });
  }
  bool group_has_visible(const std::string& g) const {
    return std::any_of(messages_.begin(), messages_.end(),
                       [&](const auto& m) { return m.group == g && !m.in_flight; });
  }
  std::size_t in_flight_of(const std::string& g) const {
    return std::count_if(messages_.begin(), messages_.end(),
                         [&](const auto& m) { return m.group == g && m.in_flight; });
  }

  const FifoGroups::Mode mode_;
  std::vector<ModelMessage> messages_;
  std::map<std::string, std::uint64_t> last_served_;
  std::uint64_t clock_ = 0;
};

struct Params {
  FifoGroups::Mode mode;
  std::uint32_t seed;
  int groups;
};

// Per group, before a receive: its live seqs in order and whether any is in flight.
struct GroupView {
  Seqs live;
  bool locked = false;
};
using GroupsView = std::map<std::string, GroupView>;

GroupsView view(const FifoGroups& real, const Reference& model) {
  GroupsView out;
  for (bool in_flight : {false, true}) {
    for (std::uint64_t seq : model.seqs(in_flight)) {
      GroupView& g = out[*real.group_of(seq)];
      g.live.push_back(seq);
      g.locked = g.locked || in_flight;
    }
  }
  for (auto& [name, g] : out) std::sort(g.live.begin(), g.live.end());
  return out;
}

// The FIFO guarantees, checked without the reference's choice of groups: a receive takes
// from a group only when nothing of it was in flight, and then exactly its oldest messages,
// in order.
void check_group_order(const GroupsView& before, const Seqs& got, const FifoGroups& real) {
  std::map<std::string, Seqs> taken;
  for (std::uint64_t seq : got) taken[*real.group_of(seq)].push_back(seq);
  for (const auto& [name, seqs] : taken) {
    const GroupView& g = before.at(name);
    EXPECT_FALSE(g.locked) << "group " << name << " delivered while in flight";
    ASSERT_LE(seqs.size(), g.live.size());
    EXPECT_EQ(seqs, Seqs(g.live.begin(), g.live.begin() + seqs.size()))
        << "group " << name << " out of order";
  }
}

void PrintTo(const Params& p, std::ostream* os) {
  *os << (p.mode == FifoGroups::Mode::kFifo ? "fifo" : "fair") << " seed " << p.seed << ", "
      << p.groups << " groups";
}

class FifoModelTest : public ::testing::TestWithParam<Params> {};

std::uint64_t pick(std::mt19937& rng, const Seqs& from) {
  return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
}

TEST_P(FifoModelTest, EveryDeliveryMatchesTheReference) {
  const Params p = GetParam();
  std::mt19937 rng(p.seed);
  FifoGroups real(p.mode);
  Reference model(p.mode);
  std::uint64_t next_seq = 1;
  std::size_t delivered = 0;
  for (int step = 0; step < 6000; ++step) {
    const int op = std::uniform_int_distribution<int>(0, 99)(rng);
    if (op < 35) {  // send
      const std::string group =
          "g" + std::to_string(std::uniform_int_distribution<int>(0, p.groups - 1)(rng));
      ASSERT_TRUE(real.add(next_seq, group));
      model.add(next_seq, group);
      ++next_seq;
    } else if (op < 60) {  // receive
      const auto max = std::uniform_int_distribution<std::size_t>(1, 10)(rng);
      const GroupsView before = view(real, model);
      const Seqs got = real.take(max);
      if (p.mode == FifoGroups::Mode::kFifo) check_group_order(before, got, real);
      ASSERT_EQ(got, model.take(max)) << "step " << step;
      delivered += got.size();
    } else if (op < 80) {  // delete an in-flight message
      const Seqs flying = model.seqs(true);
      if (flying.empty()) continue;
      // A consumer may delete the messages of a batch in any order.
      const std::uint64_t seq = pick(rng, flying);
      ASSERT_TRUE(real.remove(seq));
      model.remove(seq);
    } else if (op < 93) {  // visibility expiry or ChangeMessageVisibility(0)
      const Seqs flying = model.seqs(true);
      if (flying.empty()) continue;
      const std::uint64_t seq = pick(rng, flying);
      ASSERT_TRUE(real.make_visible(seq));
      model.make_visible(seq);
    } else if (op < 97) {  // retention expiry or redrive: any message, any state
      const Seqs visible = model.seqs(false);
      const Seqs flying = model.seqs(true);
      Seqs all = visible;
      all.insert(all.end(), flying.begin(), flying.end());
      if (all.empty()) continue;
      const std::uint64_t seq = pick(rng, all);
      ASSERT_TRUE(real.remove(seq));
      model.remove(seq);
    } else {  // recovery marking: a visible message goes in flight directly
      const Seqs visible = model.seqs(false);
      if (visible.empty()) continue;
      const std::uint64_t seq = pick(rng, visible);
      ASSERT_TRUE(real.mark_in_flight(seq));
      model.mark_in_flight(seq);
    }
    ASSERT_EQ(real.visible(), model.seqs(false).size()) << "step " << step;
    ASSERT_EQ(real.in_flight(), model.seqs(true).size()) << "step " << step;
    ASSERT_EQ(real.groups(), model.groups()) << "step " << step;
  }
  EXPECT_GT(delivered, 1000u) << "the run should exercise receives";
}

INSTANTIATE_TEST_SUITE_P(
    Seeds, FifoModelTest,
    ::testing::Values(Params{FifoGroups::Mode::kFifo, 1, 1}, Params{FifoGroups::Mode::kFifo, 2, 3},
                      Params{FifoGroups::Mode::kFifo, 3, 8}, Params{FifoGroups::Mode::kFifo, 4, 50},
                      Params{FifoGroups::Mode::kFair, 5, 1}, Params{FifoGroups::Mode::kFair, 6, 3},
                      Params{FifoGroups::Mode::kFair, 7, 8},
                      Params{FifoGroups::Mode::kFair, 8, 50}),
    [](const auto& info) {
      return std::string(info.param.mode == FifoGroups::Mode::kFifo ? "Fifo" : "Fair") + "Seed" +
             std::to_string(info.param.seed) + "Groups" + std::to_string(info.param.groups);
    });

}  // namespace
}  // namespace eb::sqs
