// SQS's AWS JSON 1.0 request bodies (what boto3, the CLI and SDK v3 send): parsed into Params and
// read by every action's decoder.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "support/sqs_decoders.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto params = eb::api::sqs::Params::from_json(body);
  if (!params) return 0;
  eb::fuzz::decode_every_sqs_action(*params);
  return 0;
}
