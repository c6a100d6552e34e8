#pragma once
// What every record codec does with the generated messages: parse stored bytes into one, and
// carry message attributes to and from their protobuf map (records.proto's
// MessageAttributeValue, which events.proto shares). Header-only templates over the generated
// types; used by the codecs in sqs/, sns/ and eventlog/.
#include <optional>
#include <string_view>
#include <utility>

#include "core/attributes.hpp"

namespace eb::proto {

// The message encoded in `bytes`, or nullopt when they do not parse as one.
template <class Message>
std::optional<Message> parse(std::string_view bytes) {
  Message m;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return std::nullopt;
  return m;
}

template <class ProtoMap>
void put_attributes(const MessageAttributes& in, ProtoMap& out) {
  for (const auto& [name, v] : in) {
    auto& a = out[name];
    a.set_data_type(v.data_type);
    a.set_string_value(v.string_value);
    a.set_binary_value(v.binary_value);
  }
}

// Moves the strings out of `in`, which is left with empty values.
template <class ProtoMap>
MessageAttributes take_attributes(ProtoMap& in) {
  MessageAttributes out;
  for (auto& [name, v] : in) {
    out.emplace(name, MessageAttributeValue{std::move(*v.mutable_data_type()),
                                            std::move(*v.mutable_string_value()),
                                            std::move(*v.mutable_binary_value())});
  }
  return out;
}

}  // namespace eb::proto
