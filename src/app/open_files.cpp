#include "app/open_files.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace eb::app {
namespace {

// fs.nr_open: the most a process's limit may be set to (setrlimit fails above it).
std::uint64_t kernel_file_maximum() {
  std::uint64_t value = 0;
  std::ifstream in("/proc/sys/fs/nr_open");
  if (in >> value && value > 0) return value;
  return 1u << 20;  // the kernel's default
}

}  // namespace

OpenFileLimit raise_open_file_limit() {
  OpenFileLimit out;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    out.error = std::strerror(errno);
    return out;
  }
  const std::uint64_t target =
      limit.rlim_max == RLIM_INFINITY ? kernel_file_maximum() : limit.rlim_max;
  out.hard = target;
  out.soft = limit.rlim_cur;
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= target) return out;
  rlimit raised = limit;
  raised.rlim_cur = static_cast<rlim_t>(target);
  if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    out.error = std::strerror(errno);
    return out;
  }
  out.soft = target;
  return out;
}

std::uint64_t connection_cap(std::uint64_t wanted, std::uint64_t open_files) {
  const std::uint64_t room =
      open_files >= 2 * kReservedFiles ? open_files - kReservedFiles : open_files / 2;
  return std::max<std::uint64_t>(1, std::min(wanted, room));
}

}  // namespace eb::app
