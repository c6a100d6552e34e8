// What a FIFO deduplication window entry costs: inserts N distinct entries into one DedupWindow
// the way SendDedup does (key, find, insert_absent) and reports the bytes jemalloc counts as
// allocated per entry (stats.allocated after the inserts minus before, the ids generated
// beforehand excluded), and the nanoseconds per key + find + insert.
//   dedup_window_bench [N] [uuid|sha256] [queue|group]
// uuid: 36-character UUID-like deduplication ids; sha256: the 64 hex characters content-based
// deduplication uses. group: DeduplicationScope=messageGroup over 1,000 groups of 10 characters.
// Linked with the daemon's allocator (jemalloc), so the figure is what the daemon would hold.
#include <jemalloc/jemalloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/encoding.hpp"
#include "sqs/fifo_dedup.hpp"

namespace {

std::size_t allocated() {
  std::uint64_t epoch = 1;
  std::size_t size = sizeof(epoch);
  mallctl("epoch", &epoch, &size, &epoch, size);
  std::size_t bytes = 0;
  size = sizeof(bytes);
  if (mallctl("stats.allocated", &bytes, &size, nullptr, 0) != 0) {
    std::fprintf(stderr, "mallctl(stats.allocated) failed: not linked with jemalloc?\n");
    std::exit(1);
  }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const std::string_view kind = argc > 2 ? argv[2] : "uuid";
  const std::string_view scope_name = argc > 3 ? argv[3] : "queue";
  const auto scope =
      scope_name == "group" ? eb::sqs::DedupScope::kMessageGroup : eb::sqs::DedupScope::kQueue;

  std::vector<std::string> ids;
  ids.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    ids.push_back(kind == "sha256" ? eb::sha256_hex(std::to_string(i)) : eb::random_uuid());
  }
  std::vector<std::string> groups;
  for (int g = 0; g < 1000; ++g) groups.push_back("group-" + std::to_string(1000 + g));
  std::vector<eb::Uuid> message_ids(n);
  for (auto& id : message_ids) id = eb::random_uuid_bytes();

  const std::size_t before = allocated();
  const auto start = std::chrono::steady_clock::now();
  {
    eb::sqs::DedupWindow window;
    const eb::Millis now = 1'000'000;
    for (std::size_t i = 0; i < n; ++i) {
      const auto key = eb::sqs::DedupWindow::key(scope, groups[i % groups.size()], ids[i]);
      if (window.find(key, now) != nullptr) continue;
      window.insert_absent(key, eb::sqs::DedupEntry{message_ids[i], i, now, true});
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const std::size_t after = allocated();
    const double ns = std::chrono::duration<double, std::nano>(elapsed).count();
    std::printf("entries=%zu ids=%.*s scope=%.*s bytes_per_entry=%.1f ns_per_send=%.0f\n",
                window.size(), static_cast<int>(kind.size()), kind.data(),
                static_cast<int>(scope_name.size()), scope_name.data(),
                static_cast<double>(after - before) / static_cast<double>(window.size()),
                ns / static_cast<double>(n));
  }
  return 0;
}
