#include "sqs/send_turns.hpp"

namespace eb::sqs {

void SendTurns::close(std::uint64_t ticket, MessageSchedule& schedule) {
  unfinished_.erase(ticket);
  while (!held_.empty() &&
         (unfinished_.empty() || *unfinished_.begin() > held_.front().after_ticket)) {
    schedule.enter(std::move(held_.front().message), held_.front().group);
    held_.pop_front();
  }
  turn_.notify_all();
}

}  // namespace eb::sqs
