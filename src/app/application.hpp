#pragma once
// The running daemon: builds every part from Settings, serves until SIGINT/SIGTERM (or
// request_stop()), then shuts down gracefully. main() constructs one and calls run().
#include <memory>
#include <string_view>

#include "config/settings.hpp"

namespace eb::app {

inline constexpr std::string_view kVersion = EB_VERSION;

// Owns the io_context and its threads, the signal set, the timers, the store, the broker,
// the API handlers and the HTTP server (declared so that the io_context is destroyed
// last). Construct and run() from the main thread; request_stop() from any thread.
class Application {
 public:
  // Sets up logging at the configured level; builds the parts but opens no socket.
  explicit Application(config::Settings settings);
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  // Listens, serves until stopped, drains, and returns the process exit code: 0 after a
  // clean shutdown, 1 when the server could not start or an I/O thread failed.
  int run();
  void request_stop();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace eb::app
