#pragma once
// What a service (SQS, SNS) gives the dispatcher, and what the dispatcher gives it: an
// already-classified request and a way to answer it.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/handler.hpp"

namespace eb::api::aws {

enum class Protocol {
  kJson,      // AWS JSON 1.0 / 1.1: X-Amz-Target header, JSON body
  kQuery,     // AWS query: form-encoded body (or query string), XML response
  kRestJson,  // REST-JSON: method and path name the operation, JSON body (EventBridge Scheduler)
};

struct AwsRequest {
  Protocol protocol = Protocol::kJson;
  std::string action;      // "SendMessage"
  std::string request_id;  // echoed in x-amzn-RequestId and the XML ResponseMetadata
  std::string host;        // Host header as the client sent it, for queue URLs
  std::string region;      // from the SigV4 credential scope when present
  std::string access_key;  // from the SigV4 credential scope when present
  // The account the request acts in: with --auth verify the credential's, else a 12-digit
  // access key id, else the daemon's default account (set by the dispatcher's account router;
  // empty without one).
  std::string account_id;
  // Query protocol: the form body and URL query parameters, decoded, in order.
  std::vector<std::pair<std::string, std::string>> form;
  net::HttpRequest http;
};

class Service {
 public:
  virtual ~Service() = default;
  // "sqs": matched against the SigV4 credential scope of query requests.
  virtual std::string_view signing_name() const = 0;
  // "AmazonSQS": the X-Amz-Target prefix of JSON requests.
  virtual std::string_view json_target_prefix() const = 0;
  virtual bool knows_action(std::string_view action) const = 0;
  // REST-JSON services: rest_json() is true, and owns_rest_path(path) (path without the query
  // string) says whether a path is theirs. The dispatcher sends them requests without
  // X-Amz-Target whose path is theirs or that are signed for their signing name.
  virtual bool rest_json() const { return false; }
  virtual bool owns_rest_path(std::string_view /*path*/) const { return false; }
  virtual void handle(AwsRequest&& request, net::Respond respond) = 0;
};

}  // namespace eb::api::aws
