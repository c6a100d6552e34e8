#pragma once
// HTTP/1.1 server on Boost.Beast. It accepts connections, reads one request at a time per
// connection under header/body limits and timeouts, hands each request to a Handler and
// writes the response whenever the handler produces it. It knows nothing of what the
// requests mean.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include "net/handler.hpp"
#include "net/io_threads.hpp"

namespace eb::net {

struct ServerOptions {
  std::string address = "127.0.0.1";  // an IP literal or a host name resolved at listen()
  std::uint16_t port = 4566;          // 0: any free port, see Server::local_port()
  std::size_t header_limit = std::size_t{16} * 1024;
  std::size_t body_limit = std::size_t{8} * 1024 * 1024;  // larger bodies are answered 413
  // Once a request's first byte has arrived, its headers and body must arrive within this,
  // so a client that stalls mid-request cannot hold a connection forever.
  std::chrono::milliseconds request_timeout{15'000};
  // How long a keep-alive connection may sit between requests.
  std::chrono::milliseconds idle_timeout{120'000};
  // How long a response may take to drain to a slow reader; one that never reads is closed
  // then and its response freed.
  std::chrono::milliseconds write_timeout{30'000};
  // Connections served at once. One more is answered "503 Service Unavailable" with
  // "Retry-After: 1" and closed without its request being read; while kMaxRefusing of those
  // answers are still going out, further connections are closed at once.
  std::size_t max_connections = 10'000;
};

// Refused connections being answered at once (see ServerOptions::max_connections).
inline constexpr std::size_t kMaxRefusing = 256;

struct ListenError {
  boost::system::error_code code;
  std::string message;  // "cannot listen on 127.0.0.1:4566: Address already in use"
};

namespace detail {
struct ServerState;
}

// Owns the listening socket and tracks every live connection (session). The acceptor runs on
// the main I/O loop and hands each new connection to the next loop (IoThreads::next); a
// session stays on its loop and lives as long as it has I/O pending or a handler still holds
// its Respond. All public methods are thread-safe; wait_drained() blocks, so call it from a
// thread that is not an I/O loop's.
//
// Lifecycle: listen() once, then stop() once to shut down gracefully: the acceptor closes,
// idle keep-alive connections close at once, and a connection with a request in flight
// closes after its response is written (with "Connection: close"). wait_drained() tells
// when the last connection is gone; abort() closes whatever is left.
class Server {
 public:
  Server(IoThreads& loops, Handler& handler, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. Fails with a readable message when the address is taken
  // or cannot be resolved.
  std::expected<void, ListenError> listen();
  // The bound port (the real one when options.port was 0); 0 before listen().
  std::uint16_t local_port() const;
  const ServerOptions& options() const { return options_; }

  void stop();
  // True once stop() was called and every connection has closed; false if `timeout`
  // passed first.
  bool wait_drained(std::chrono::milliseconds timeout);
  // Closes every remaining connection without waiting for responses.
  void abort();
  // Connections open now, refused ones still being answered included.
  std::size_t session_count() const;
  // Connections refused over max_connections since listen(), answered or closed at once.
  std::uint64_t refused_count() const;

 private:
  boost::asio::io_context& io_;
  ServerOptions options_;
  // Shared with the sessions, so a session that outlives the Server (its io_context still
  // holding a handler) never touches freed memory.
  std::shared_ptr<detail::ServerState> state_;
  std::uint16_t local_port_ = 0;
};

}  // namespace eb::net
