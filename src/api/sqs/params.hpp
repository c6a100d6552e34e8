#pragma once
// Request parameters of one SQS call, read the same way whichever protocol carried them.
// JSON 1.0 gives a document ({"Attributes":{"K":"V"}, "Entries":[{...}]}); the query
// protocol gives flattened form keys (Attribute.1.Name=K&Attribute.1.Value=V,
// SendMessageBatchRequestEntry.1.Id=...). Each accessor takes the JSON member name and the
// query member name, so an action decoder is written once for both.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "api/aws/form_reader.hpp"
#include "api/aws/form_tree.hpp"
#include "core/errors.hpp"
#include "sqs/types.hpp"

namespace eb::api::sqs {

class Params {
 public:
  // `body` must outlive the Params (JSON strings are views into the parsed document).
  static Result<Params> from_json(std::string_view body);
  static Params from_form(const std::vector<std::pair<std::string, std::string>>& pairs);

  bool is_json() const { return parser_ != nullptr; }

  Result<std::optional<std::string>> string(std::string_view name) const;
  Result<std::string> required_string(std::string_view name) const;
  Result<std::optional<int>> integer(std::string_view name) const;
  // A list of strings: JSON array `json_name`, or query `query_member.N`.
  Result<std::vector<std::string>> strings(std::string_view json_name,
                                           std::string_view query_member) const;
  // A string map: JSON object `json_name`, or query `query_member.N.<key>` / `.N.<value>`.
  Result<std::map<std::string, std::string>> string_map(std::string_view json_name,
                                                        std::string_view query_member,
                                                        std::string_view key_name,
                                                        std::string_view value_name) const;
  // MessageAttributes / MessageSystemAttributes.
  Result<eb::MessageAttributes> message_attributes(std::string_view json_name,
                                                   std::string_view query_member) const;
  // A list of structures (batch entries): JSON array of objects, or `query_member.N.*`.
  Result<std::vector<Params>> entries(std::string_view json_name,
                                      std::string_view query_member) const;
  bool has(std::string_view json_name, std::string_view query_member) const;

 private:
  Params() = default;
  std::optional<simdjson::dom::element> member(std::string_view name) const;

  // JSON: the parser owns the document; entries share it. Form: the tree is shared the same
  // way, and form_ reads this Params' structure in it.
  std::shared_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::element json_;
  std::shared_ptr<const aws::FormNode> form_root_;
  aws::FormReader form_;
};

}  // namespace eb::api::sqs
