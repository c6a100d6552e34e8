#pragma once
// The FIFO send tickets of one queue (ADR 0003, "Send path"). FIFO sends stage under the queue
// mutex, write unlocked and finish under it again; between the two, a later send of a group
// must not become visible before an earlier one, a duplicate must not answer before its
// original's write settled, and a message accepted from elsewhere (redrive, move task) must not
// overtake lower seqs still being written. Each send therefore takes a ticket when staged and
// notes which earlier unfinished tickets it waits for; waits only point to earlier tickets.
//
// Owned by one Queue and guarded by its mutex: every call is made with it held, and wait()
// releases it while blocked. Held arrivals enter the queue's MessageSchedule when their turn
// comes.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "sqs/message_schedule.hpp"

namespace eb::sqs {

class SendTurns {
 public:
  // A send being staged takes the next ticket; it is unfinished until close().
  std::uint64_t open() {
    unfinished_.insert(++last_ticket_);
    return last_ticket_;
  }
  // `ticket` stages a message of `group`: it waits for the latest earlier unfinished send that
  // staged the group, and becomes that send for later ones.
  void claim_group(std::uint64_t ticket, const std::string& group,
                   std::vector<std::uint64_t>& after) {
    auto [writer, fresh] = group_writer_.try_emplace(group, ticket);
    if (!fresh && writer->second != ticket) {
      after.push_back(writer->second);
      writer->second = ticket;
    }
  }
  // `ticket` answers a duplicate whose original is still being written: it waits for every
  // earlier unfinished send, one of which wrote the original.
  void wait_for_all_earlier(std::uint64_t ticket, std::vector<std::uint64_t>& after) const {
    after.assign(unfinished_.begin(), unfinished_.find(ticket));
  }
  // Blocks until none of `after` is unfinished; `lock` holds the queue mutex.
  void wait(std::unique_lock<std::mutex>& lock, const std::vector<std::uint64_t>& after) {
    turn_.wait(lock, [&] {
      for (std::uint64_t t : after) {
        if (unfinished_.contains(t)) return false;
      }
      return true;
    });
  }
  // `ticket` has inserted its messages of `group` (or failed to write them).
  void release_group(std::uint64_t ticket, const std::string& group) {
    auto writer = group_writer_.find(group);
    if (writer != group_writer_.end() && writer->second == ticket) group_writer_.erase(writer);
  }
  // `ticket` finished: held arrivals whose earlier sends are all done enter `schedule`, and
  // sends waiting for it wake.
  void close(std::uint64_t ticket, MessageSchedule& schedule);

  // Whether any send is between stage and finish.
  bool writing() const { return !unfinished_.empty(); }
  // An arrival that must wait for every ticket issued so far.
  void hold(StoredMessage&& message, std::string group) {
    held_.push_back(Held{std::move(message), std::move(group), last_ticket_});
  }
  void drop_held() { held_.clear(); }  // purge

 private:
  struct Held {
    StoredMessage message;
    std::string group;
    std::uint64_t after_ticket;
  };

  std::uint64_t last_ticket_ = 0;
  std::set<std::uint64_t> unfinished_;  // staged, not finished
  // The latest unfinished ticket that staged each group.
  std::unordered_map<std::string, std::uint64_t> group_writer_;
  std::condition_variable turn_;  // where finish_sends waits its turn
  std::deque<Held> held_;
};

}  // namespace eb::sqs
