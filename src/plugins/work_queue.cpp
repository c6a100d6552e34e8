#include "plugins/work_queue.hpp"

#include <utility>

namespace eb::plugins {

void WorkQueue::post(Task task) {
  {
    const std::lock_guard lock(mu_);
    work_.push_back(std::move(task));
  }
  ready_.notify_one();
}

void WorkQueue::admit(Task task) {
  {
    const std::lock_guard lock(mu_);
    admitted_.push_back(std::move(task));
  }
  ready_.notify_one();
}

bool WorkQueue::run_one() {
  Task task;
  {
    const std::lock_guard lock(mu_);
    if (work_.empty() || since_wave_ >= kWorkPerWave) {
      // Nothing under way (or enough of it ran): the next wave of admitted tasks joins the
      // work, in arrival order.
      for (std::size_t i = 0; i < kWave && !admitted_.empty(); ++i) {
        work_.push_back(std::move(admitted_.front()));
        admitted_.pop_front();
      }
      since_wave_ = 0;
      if (work_.empty()) return false;
    }
    task = std::move(work_.front());
    work_.pop_front();
    ++since_wave_;
  }
  task();
  return true;
}

void WorkQueue::run() {
  for (;;) {
    if (run_one()) continue;
    std::unique_lock lock(mu_);
    ready_.wait(lock, [this] { return stopping_ || !work_.empty() || !admitted_.empty(); });
    if (stopping_ && work_.empty() && admitted_.empty()) return;
  }
}

void WorkQueue::stop() {
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
}

}  // namespace eb::plugins
