#include "app/open_files.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace eb::app {
namespace {

TEST(ConnectionCap, KeepsWhatIsAskedWhenTheLimitLeavesRoom) {
  EXPECT_EQ(connection_cap(10'000, 1'048'576), 10'000u);
  EXPECT_EQ(connection_cap(10'000, 10'000 + kReservedFiles), 10'000u);
}

TEST(ConnectionCap, LeavesTheReserveToTheRestOfTheDaemon) {
  EXPECT_EQ(connection_cap(10'000, 4096), 4096 - kReservedFiles);
  EXPECT_EQ(connection_cap(10'000, 2 * kReservedFiles), kReservedFiles);
}

TEST(ConnectionCap, HalvesALimitSmallerThanTwiceTheReserve) {
  EXPECT_EQ(connection_cap(10'000, 1024), 512u);
  EXPECT_EQ(connection_cap(100, 1024), 100u);
  EXPECT_EQ(connection_cap(10'000, 1), 1u);  // never none at all
}

// The soft limit ends at the hard one (the kernel's maximum when unlimited).
TEST(OpenFileLimit, RaisesTheSoftLimitToTheHardOne) {
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &before), 0);
  if (before.rlim_max != RLIM_INFINITY && before.rlim_max > 64) {
    rlimit lowered = before;
    lowered.rlim_cur = 64;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  }
  const OpenFileLimit limit = raise_open_file_limit();
  EXPECT_EQ(limit.error, "");
  EXPECT_EQ(limit.soft, limit.hard);
  rlimit after{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, static_cast<rlim_t>(limit.soft));
  ::setrlimit(RLIMIT_NOFILE, &before);
}

}  // namespace
}  // namespace eb::app
