#include "net/io_threads.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <future>
#include <set>
#include <stdexcept>
#include <thread>

namespace eb::net {
namespace {

namespace asio = boost::asio;

std::thread::id thread_of(asio::io_context& io) {
  std::promise<std::thread::id> id;
  asio::post(io, [&] { id.set_value(std::this_thread::get_id()); });
  return id.get_future().get();
}

TEST(IoThreads, RunsEachLoopOnAThreadOfItsOwn) {
  IoThreads loops(3);
  loops.start();
  std::set<std::thread::id> seen;
  for (int i = 0; i < 3; ++i) seen.insert(thread_of(loops.next()));
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen.count(std::this_thread::get_id()), 0u);
  // A loop is always run by the same thread.
  EXPECT_EQ(thread_of(loops.main()), thread_of(loops.main()));
}

TEST(IoThreads, DealsLoopsInTurnStartingWithMain) {
  IoThreads loops(2);
  EXPECT_EQ(&loops.next(), &loops.main());
  asio::io_context& other = loops.next();
  EXPECT_NE(&other, &loops.main());
  EXPECT_EQ(&loops.next(), &loops.main());
  EXPECT_EQ(&loops.next(), &other);
}

TEST(IoThreads, ZeroMeansOne) { EXPECT_EQ(IoThreads(0).size(), 1u); }

TEST(IoThreads, AnIdleLoopKeepsRunningUntilStopped) {
  IoThreads loops(2);
  loops.start();
  std::this_thread::yield();
  // Nothing was queued, yet both loops still take work.
  asio::io_context& first = loops.next();
  asio::io_context& second = loops.next();
  EXPECT_NE(thread_of(first), thread_of(second));
  loops.stop();
  loops.join();
}

TEST(IoThreads, DrainRunsWhatTheStopLeftQueuedOnEveryLoop) {
  IoThreads loops(2);
  loops.stop();
  int ran = 0;
  // Queued after the stop, one handler posting to the other loop.
  loops.next();
  asio::io_context& second = loops.next();
  ASSERT_NE(&second, &loops.main());
  asio::post(second, [&] {
    ++ran;
    asio::post(loops.main(), [&] { ++ran; });
  });
  loops.drain();
  EXPECT_EQ(ran, 2);
}

TEST(IoThreads, AHandlerThatThrowsEndsItsThreadThroughOnFailure) {
  IoThreads loops(1);
  std::promise<std::string> failure;
  loops.start([&](const std::exception& e) { failure.set_value(e.what()); });
  asio::post(loops.main(), [] { throw std::runtime_error("boom"); });
  EXPECT_EQ(failure.get_future().get(), "boom");
  loops.join();
}

}  // namespace
}  // namespace eb::net
