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

namespace detail {

void StreamAccess::attach(ResponseStream& s, std::function<void()> wake) {
  std::lock_guard lock(s.mu_);
  s.wake_ = std::move(wake);
}

std::string StreamAccess::take(ResponseStream& s, bool& ended) {
  std::lock_guard lock(s.mu_);
  ended = s.ended_;
  s.in_flight_ += s.queued_.size();
  return std::exchange(s.queued_, std::string());
}

void StreamAccess::sent(ResponseStream& s, std::size_t bytes) {
  std::function<void()> writable;
  {
    std::lock_guard lock(s.mu_);
    s.in_flight_ -= std::min(bytes, s.in_flight_);
    if (s.refused_ && s.queued_.size() + s.in_flight_ <= s.limit_ / 2) {
      s.refused_ = false;
      writable = s.on_writable_;
    }
  }
  if (writable) writable();
}

void StreamAccess::end(ResponseStream& s) {
  std::lock_guard lock(s.mu_);
  s.ended_ = true;
}

void StreamAccess::closed(ResponseStream& s) {
  std::function<void()> on_close;
  {
    std::lock_guard lock(s.mu_);
    if (s.closed_) return;
    s.closed_ = true;
    s.queued_.clear();
    s.wake_ = nullptr;
    s.on_writable_ = nullptr;
    on_close = std::move(s.on_close_);
    s.on_close_ = nullptr;
  }
  if (on_close) on_close();
}

}  // namespace detail
}  // namespace eb::net
