#pragma once
// The open-file limit (RLIMIT_NOFILE) the daemon runs under and the share of it connections
// may take. Called once at start, before any thread is running.
#include <cstdint>
#include <string>

namespace eb::app {

// File descriptors kept back from connections for the store (RocksDB keeps its tables
// open), the event log, outgoing HTTP deliveries and the process's own.
inline constexpr std::uint64_t kReservedFiles = 1024;

struct OpenFileLimit {
  std::uint64_t soft = 0;  // the limit in force, after raising
  std::uint64_t hard = 0;
  std::string error;  // why the soft limit could not be raised to the hard one; empty if it was
};

// Raises the soft limit to the hard one (to the kernel's per-process maximum when the hard
// limit is unlimited) and reports the limit now in force.
OpenFileLimit raise_open_file_limit();

// The connections to serve at once: `wanted`, or fewer when `open_files` minus
// kReservedFiles is less (half of `open_files` when that is smaller than twice the reserve),
// so a connection over the cap is answered 503 instead of failing to be accepted.
std::uint64_t connection_cap(std::uint64_t wanted, std::uint64_t open_files);

}  // namespace eb::app
