#pragma once
// A response body produced over time (Server-Sent Events, live tails). A handler creates one,
// puts it in HttpResponse::stream and responds; the server sends the header, then whatever the
// handler write()s, in order (chunked on HTTP/1.1), until either side ends it. The connection
// closes after a streamed response.
//
// Backpressure: bytes written but not yet sent count against a limit; write() refuses data
// beyond it and on_writable runs once the backlog has halved, so a slow reader costs at most
// the limit in memory. Thread-safe: write()/end() from any thread. Callbacks run on the
// connection's strand, never inside write() or end().
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace eb::net {

namespace detail {
struct StreamAccess;
}

class ResponseStream {
 public:
  explicit ResponseStream(std::size_t buffer_limit = std::size_t{1} << 20);
  ResponseStream(const ResponseStream&) = delete;
  ResponseStream& operator=(const ResponseStream&) = delete;

  // Queues `data`. False, queuing nothing, once the stream has ended or when the backlog
  // would exceed the limit (a write into an empty backlog is always taken, whatever its size).
  bool write(std::string_view data);
  // Ends the response once what is queued has been sent.
  void end();
  // True once ended by the handler or closed by the connection: stop producing.
  bool done() const;
  std::size_t buffered() const;

  // Set before responding. on_writable: a refused write may now succeed. on_close: the
  // connection is finished with the stream (all sent after end(), client gone, server
  // stopping, write error); runs exactly once.
  void on_writable(std::function<void()> fn);
  void on_close(std::function<void()> fn);

 private:
  friend struct detail::StreamAccess;

  const std::size_t limit_;
  mutable std::mutex mu_;
  std::string queued_;
  std::size_t in_flight_ = 0;
  bool ended_ = false;
  bool closed_ = false;
  bool refused_ = false;
  std::function<void()> wake_;  // the connection's: data or end() arrived
  std::function<void()> on_writable_;
  std::function<void()> on_close_;
};

namespace detail {
// The server's side of a ResponseStream.
struct StreamAccess {
  static void attach(ResponseStream& s, std::function<void()> wake);
  // Moves the queued bytes out (they stay counted until sent()); `ended` tells whether the
  // handler has ended the stream.
  static std::string take(ResponseStream& s, bool& ended);
  static void sent(ResponseStream& s, std::size_t bytes);
  // Ends the stream from the server's side (shutdown): the handler's writes are refused.
  static void end(ResponseStream& s);
  static void closed(ResponseStream& s);
};
}  // namespace detail

}  // namespace eb::net
