#include "sqs/receipt_handle.hpp"

#include <gtest/gtest.h>

namespace eb::sqs {
namespace {

// Handles outlive restarts and upgrades: these texts were produced by the codec before it
// moved here, and must keep decoding to the same fields.
TEST(ReceiptHandleTest, LayoutIsStable) {
  EXPECT_EQ(encode_receipt_handle({7, 42, 3}), "AAAAAAAAAAcAAAAAAAAAKgAAAAN7vs0W");
  EXPECT_EQ(encode_receipt_handle({0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0xdeadbeefU}),
            "ASNFZ4mrze/+3LqYdlQyEN6tvu8o8Lze");
  auto decoded = decode_receipt_handle("ASNFZ4mrze/+3LqYdlQyEN6tvu8o8Lze");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->queue_uid, 0x0123456789abcdefULL);
  EXPECT_EQ(decoded->seq, 0xfedcba9876543210ULL);
  EXPECT_EQ(decoded->generation, 0xdeadbeefU);
}

TEST(ReceiptHandleTest, RoundTrips) {
  for (const ReceiptHandle h :
       {ReceiptHandle{1, 1, 1}, ReceiptHandle{0, 0, 0}, ReceiptHandle{~0ULL, ~0ULL, ~0U},
        ReceiptHandle{9, 1ULL << 40, 7}}) {
    auto decoded = decode_receipt_handle(encode_receipt_handle(h));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->queue_uid, h.queue_uid);
    EXPECT_EQ(decoded->seq, h.seq);
    EXPECT_EQ(decoded->generation, h.generation);
  }
}

TEST(ReceiptHandleTest, RejectsWhatItDidNotProduce) {
  EXPECT_FALSE(decode_receipt_handle(""));
  EXPECT_FALSE(decode_receipt_handle("not base64 at all!"));
  EXPECT_FALSE(decode_receipt_handle("AAAAAAAAAAcAAAAAAAAAKgAAAAN7"));  // too short
  std::string text = encode_receipt_handle({7, 42, 3});
  text[10] = text[10] == 'A' ? 'B' : 'A';  // a changed field no longer matches the tag
  EXPECT_FALSE(decode_receipt_handle(text));
}

TEST(ReceiptHandleTest, OfAQueueOnlyWhatItsReceivesIssued) {
  EXPECT_TRUE(decode_receipt_handle_of(encode_receipt_handle({7, 42, 3}), 7));
  EXPECT_FALSE(decode_receipt_handle_of(encode_receipt_handle({7, 42, 3}), 8));  // another queue
  EXPECT_FALSE(decode_receipt_handle_of(encode_receipt_handle({7, 42, 0}), 7));  // never received
  EXPECT_FALSE(decode_receipt_handle_of("garbage", 7));
}

}  // namespace
}  // namespace eb::sqs
