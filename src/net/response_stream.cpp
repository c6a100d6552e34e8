#include "net/response_stream.hpp"

#include <algorithm>
#include <utility>

namespace eb::net {

ResponseStream::ResponseStream(std::size_t buffer_limit) : limit_(buffer_limit) {}

bool ResponseStream::write(std::string_view data) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mu_);
    if (ended_ || closed_) return false;
    const std::size_t backlog = queued_.size() + in_flight_;
    if (backlog > 0 && backlog + data.size() > limit_) {
      refused_ = true;
      return false;
    }
    // Only the first bytes of an empty queue need a wake-up: the connection takes the whole
    // queue each time it writes.
    if (queued_.empty()) wake = wake_;
    queued_ += data;
  }
  if (wake) wake();
  return true;
}

void ResponseStream::end() {
  std::function<void()> wake;
  {
    std::lock_guard lock(mu_);
    if (ended_ || closed_) return;
    ended_ = true;
    wake = wake_;
  }
  if (wake) wake();
}

bool ResponseStream::done() const {
  std::lock_guard lock(mu_);
  return ended_ || closed_;
}

std::size_t ResponseStream::buffered() const {
  std::lock_guard lock(mu_);
  return queued_.size() + in_flight_;
}

void ResponseStream::on_writable(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  on_writable_ = std::move(fn);
}

void ResponseStream::on_close(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  on_close_ = std::move(fn);
}

void ResponseStream::attach(std::function<void()> wake) {
  std::lock_guard lock(mu_);
  wake_ = std::move(wake);
}

std::string ResponseStream::take(bool& ended) {
  std::lock_guard lock(mu_);
  ended = ended_;
  in_flight_ += queued_.size();
  return std::exchange(queued_, std::string());
}

void ResponseStream::sent(std::size_t bytes) {
  std::function<void()> writable;
  {
    std::lock_guard lock(mu_);
    in_flight_ -= std::min(bytes, in_flight_);
    if (refused_ && queued_.size() + in_flight_ <= limit_ / 2) {
      refused_ = false;
      writable = on_writable_;
    }
  }
  if (writable) writable();
}

void ResponseStream::end_by_server() {
  std::lock_guard lock(mu_);
  ended_ = true;
}

void ResponseStream::close() {
  std::function<void()> on_close;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    queued_.clear();
    wake_ = nullptr;
    on_writable_ = nullptr;
    on_close = std::move(on_close_);
    on_close_ = nullptr;
  }
  if (on_close) on_close();
}

}  // namespace eb::net
