#include "sqs/receipt_handle.hpp"

#include "core/encoding.hpp"
#include "storage/keys.hpp"

namespace eb::sqs {
namespace {

// Layout: uid (8 bytes BE), seq (8), generation (4), tag (4); the last two share one u64.
constexpr std::size_t kRawSize = 24;
constexpr std::size_t kTagged = 20;  // the bytes the tag covers

// A fixed FNV-1a tag so a handle that merely decodes to the right length is still rejected.
// Fixed (not per-process) because handles must keep working across restarts.
std::uint32_t handle_tag(std::string_view data) {
  std::uint32_t h = 2166136261u;
  for (char c : data.substr(0, kTagged)) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h ^ 0x5eb0a11du;
}

}  // namespace

std::string encode_receipt_handle(const ReceiptHandle& handle) {
  // Every received message gets a handle: 24 bytes exceed the small-string buffer, so the
  // raw bytes go to a per-thread scratch string that keeps its capacity (no allocation but the
  // base64 text's own).
  thread_local std::string raw;
  raw.clear();
  storage::append_u64(raw, handle.queue_uid);
  storage::append_u64(raw, handle.seq);
  const std::uint64_t generation = std::uint64_t{handle.generation} << 32;
  storage::append_u64(raw, generation);  // the tag's four bytes are still zero here
  const std::uint32_t tag = handle_tag(raw);
  raw.resize(kRawSize - 8);
  storage::append_u64(raw, generation | tag);
  return base64_encode(raw);
}

std::optional<ReceiptHandle> decode_receipt_handle(std::string_view text) {
  auto raw = base64_decode(text);
  if (!raw || raw->size() != kRawSize) return std::nullopt;
  const std::uint64_t last = storage::read_u64(*raw, 16);
  if (static_cast<std::uint32_t>(last) != handle_tag(*raw)) return std::nullopt;
  return ReceiptHandle{storage::read_u64(*raw, 0), storage::read_u64(*raw, 8),
                       static_cast<std::uint32_t>(last >> 32)};
}

std::optional<ReceiptHandle> decode_receipt_handle_of(std::string_view text,
                                                      std::uint64_t queue_uid) {
  auto handle = decode_receipt_handle(text);
  if (!handle || handle->queue_uid != queue_uid || handle->generation == 0) return std::nullopt;
  return handle;
}

}  // namespace eb::sqs
