#pragma once
// The receipt handle codec: (queue uid, seq, receive generation) plus a check tag, as base64.
// Pure functions, callable from any thread. The text is opaque to clients but persistent:
// handles issued before a restart must keep working, so its layout never changes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eb::sqs {

struct ReceiptHandle {
  std::uint64_t queue_uid = 0;
  std::uint64_t seq = 0;
  std::uint32_t generation = 0;
};

std::string encode_receipt_handle(const ReceiptHandle& handle);
// nullopt for anything encode_receipt_handle did not produce (wrong size, wrong tag).
std::optional<ReceiptHandle> decode_receipt_handle(std::string_view text);
// A handle that a receive from queue `queue_uid` issued; nullopt for anything else (not ours,
// another queue's, or generation 0, which no receive hands out).
std::optional<ReceiptHandle> decode_receipt_handle_of(std::string_view text,
                                                      std::uint64_t queue_uid);

}  // namespace eb::sqs
