#include "api/sqs/params.hpp"

#include <charconv>

#include <fmt/format.h>

#include "core/encoding.hpp"

namespace eb::api::sqs {
namespace {

Error missing(std::string_view name) {
  return Error{Errc::kMissingParameter,
               fmt::format("The request must contain the parameter {}.", name)};
}

Error json_type_error(std::string_view name, std::string_view expected) {
  return Error{Errc::kMalformedRequest,
               fmt::format("Value for parameter {} must be {}.", name, expected)};
}

Result<int> parse_query_int(std::string_view name, const std::string& text) {
  long long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < INT32_MIN || v > INT32_MAX) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("Value {} for parameter {} is invalid. Reason: Must be an integer.",
                            text, name));
  }
  return static_cast<int>(v);
}

// A per-thread parser reused across requests: it keeps its buffers, so a request costs no
// parser allocation. Params share it by shared_ptr; while any Params still holds it (a receive
// answering later), the next request on this thread gets a fresh parser instead.
std::shared_ptr<simdjson::dom::parser> acquire_parser() {
  thread_local auto cached = std::make_shared<simdjson::dom::parser>();
  if (cached.use_count() == 1) return cached;
  return std::make_shared<simdjson::dom::parser>();
}

}  // namespace

Result<Params> Params::from_json(std::string_view body) {
  Params p;
  p.parser_ = acquire_parser();
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) body = "{}";
  simdjson::dom::element doc;
  if (auto err = p.parser_->parse(body.data(), body.size()).get(doc)) {
    return fail(Errc::kMalformedRequest, fmt::format("Could not parse the request body as JSON: {}",
                                                     simdjson::error_message(err)));
  }
  if (!doc.is_object())
    return fail(Errc::kMalformedRequest, "The request body must be a JSON object.");
  p.json_ = doc;
  return p;
}

Params Params::from_form(const std::vector<std::pair<std::string, std::string>>& pairs) {
  Params p;
  p.form_root_ = aws::build_form_tree(pairs);
  p.form_ = aws::FormReader(*p.form_root_);
  return p;
}

std::optional<simdjson::dom::element> Params::member(std::string_view name) const {
  simdjson::dom::element e;
  if (json_.at_key(name).get(e) || e.is_null()) return std::nullopt;
  return e;
}

bool Params::has(std::string_view json_name, std::string_view query_member) const {
  if (is_json()) return member(json_name).has_value();
  return form_.has(query_member);
}

Result<std::optional<std::string>> Params::string(std::string_view name) const {
  if (is_json()) {
    auto e = member(name);
    if (!e) return std::optional<std::string>{};
    std::string_view v;
    if (e->get_string().get(v)) return std::unexpected(json_type_error(name, "a string"));
    return std::optional<std::string>{std::string(v)};
  }
  return form_.string(name);
}

Result<std::string> Params::required_string(std::string_view name) const {
  EB_ASSIGN_OR_RETURN(auto v, string(name));
  if (!v) return std::unexpected(missing(name));
  return std::move(*v);
}

Result<std::optional<int>> Params::integer(std::string_view name) const {
  if (is_json()) {
    auto e = member(name);
    if (!e) return std::optional<int>{};
    int64_t v = 0;
    if (e->get_int64().get(v) || v < INT32_MIN || v > INT32_MAX) {
      return std::unexpected(json_type_error(name, "an integer"));
    }
    return std::optional<int>{static_cast<int>(v)};
  }
  auto text = form_.string(name);
  if (!text) return std::optional<int>{};
  EB_ASSIGN_OR_RETURN(const int v, parse_query_int(name, *text));
  return std::optional<int>{v};
}

Result<std::vector<std::string>> Params::strings(std::string_view json_name,
                                                 std::string_view query_member) const {
  std::vector<std::string> out;
  if (is_json()) {
    auto e = member(json_name);
    if (!e) return out;
    simdjson::dom::array arr;
    if (e->get_array().get(arr)) return std::unexpected(json_type_error(json_name, "a list"));
    for (auto item : arr) {
      std::string_view v;
      if (item.get_string().get(v))
        return std::unexpected(json_type_error(json_name, "a list of strings"));
      out.emplace_back(v);
    }
    return out;
  }
  // `AttributeName=All` is accepted beside `AttributeName.N`.
  if (auto single = form_.string(query_member)) out.push_back(std::move(*single));
  for (auto& item : form_.strings(query_member)) out.push_back(std::move(item));
  return out;
}

Result<std::map<std::string, std::string>> Params::string_map(std::string_view json_name,
                                                              std::string_view query_member,
                                                              std::string_view key_name,
                                                              std::string_view value_name) const {
  std::map<std::string, std::string> out;
  if (is_json()) {
    auto e = member(json_name);
    if (!e) return out;
    simdjson::dom::object obj;
    if (e->get_object().get(obj)) return std::unexpected(json_type_error(json_name, "a map"));
    for (auto [k, v] : obj) {
      std::string_view s;
      if (v.get_string().get(s))
        return std::unexpected(json_type_error(json_name, "a map of strings"));
      out[std::string(k)] = std::string(s);
    }
    return out;
  }
  for (const aws::FormReader& entry : form_.items(query_member)) {
    auto key = entry.string(key_name);
    if (!key) {
      return fail(
          Errc::kMissingParameter,
          fmt::format("The request must contain the parameter {}.N.{}.", query_member, key_name));
    }
    out[std::move(*key)] = entry.string(value_name).value_or("");
  }
  return out;
}

Result<eb::MessageAttributes> Params::message_attributes(std::string_view json_name,
                                                         std::string_view query_member) const {
  eb::MessageAttributes out;
  auto read_binary = [](std::string_view name, std::string_view text) -> Result<std::string> {
    auto raw = base64_decode(text);
    if (!raw) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("The message attribute '{}' has an invalid binary value: it is not "
                              "valid base64.",
                              name));
    }
    return std::move(*raw);
  };
  if (is_json()) {
    auto e = member(json_name);
    if (!e) return out;
    simdjson::dom::object obj;
    if (e->get_object().get(obj)) return std::unexpected(json_type_error(json_name, "a map"));
    for (auto [name, value] : obj) {
      eb::MessageAttributeValue v;
      simdjson::dom::object fields;
      if (value.get_object().get(fields)) {
        return std::unexpected(json_type_error(json_name, "a map of attribute values"));
      }
      std::string_view s;
      if (!fields["DataType"].get_string().get(s)) v.data_type = std::string(s);
      if (!fields["StringValue"].get_string().get(s)) v.string_value = std::string(s);
      if (!fields["BinaryValue"].get_string().get(s)) {
        EB_ASSIGN_OR_RETURN(v.binary_value, read_binary(name, s));
      }
      out[std::string(name)] = std::move(v);
    }
    return out;
  }
  for (const aws::FormReader& entry : form_.items(query_member)) {
    auto name = entry.string("Name");
    if (!name) {
      return fail(Errc::kMissingParameter,
                  fmt::format("The request must contain the parameter {}.N.Name.", query_member));
    }
    const aws::FormReader value = entry.structure("Value");
    eb::MessageAttributeValue v;
    v.data_type = value.string("DataType").value_or("");
    v.string_value = value.string("StringValue").value_or("");
    if (auto binary = value.string("BinaryValue")) {
      EB_ASSIGN_OR_RETURN(v.binary_value, read_binary(*name, *binary));
    }
    out[std::move(*name)] = std::move(v);
  }
  return out;
}

Result<std::vector<Params>> Params::entries(std::string_view json_name,
                                            std::string_view query_member) const {
  std::vector<Params> out;
  if (is_json()) {
    auto e = member(json_name);
    if (!e) return out;
    simdjson::dom::array arr;
    if (e->get_array().get(arr)) return std::unexpected(json_type_error(json_name, "a list"));
    for (auto item : arr) {
      if (!item.is_object())
        return std::unexpected(json_type_error(json_name, "a list of structures"));
      Params p;
      p.parser_ = parser_;
      p.json_ = item;
      out.push_back(std::move(p));
    }
    return out;
  }
  for (aws::FormReader& item : form_.items(query_member)) {
    Params p;
    p.form_root_ = form_root_;
    p.form_ = std::move(item);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace eb::api::sqs
