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

// The connection's side of a ResponseStream: net::Server drains what the handler wrote through
// it (tests play the connection the same way). Handlers hold a ResponseStream, on which these
// are private, so they cannot take or close their own stream by mistake. Called on the
// connection's strand.
class StreamDrain {
 public:
  virtual ~StreamDrain() = default;

  // Registers the connection's wake-up, run (on the writer's thread) when data or end()
  // arrives at an empty queue.
  virtual void attach(std::function<void()> wake) = 0;
  // Moves the queued bytes out (they still count against the limit until sent()); `ended`
  // tells whether the handler has ended the stream.
  virtual std::string take(bool& ended) = 0;
  virtual void sent(std::size_t bytes) = 0;
  // Ends the stream from the server's side (shutdown): the handler's writes are refused.
  virtual void end_by_server() = 0;
  // The connection is finished with the stream: runs on_close, once.
  virtual void close() = 0;
};

class ResponseStream final : public StreamDrain {
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

  // The connection's view of this stream.
  StreamDrain& drain() { return *this; }

 private:
  void attach(std::function<void()> wake) override;
  std::string take(bool& ended) override;
  void sent(std::size_t bytes) override;
  void end_by_server() override;
  void close() override;

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

}  // namespace eb::net
