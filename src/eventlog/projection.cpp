#include "eventlog/projection.hpp"

#include <simdjson.h>

#include "core/json_escape.hpp"

namespace eb::eventlog {
namespace {

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

JsonObject from_dom(simdjson::dom::object object) {
  JsonObject out;
  for (auto field : object) out.set_raw(field.key, simdjson::to_string(field.value));
  return out;
}

}  // namespace

std::optional<JsonObject> JsonObject::parse(std::string_view json) {
  simdjson::dom::element doc;
  if (thread_parser().parse(json.data(), json.size()).get(doc)) return std::nullopt;
  simdjson::dom::object object;
  if (doc.get_object().get(object)) return std::nullopt;
  return from_dom(object);
}

void JsonObject::set_raw(std::string_view key, std::string raw_json) {
  for (auto& [k, v] : members_) {
    if (k == key) {
      v = std::move(raw_json);
      return;
    }
  }
  members_.emplace_back(std::string(key), std::move(raw_json));
}

void JsonObject::set_string(std::string_view key, std::string_view value) {
  set_raw(key, '"' + json_escape(value) + '"');
}

void JsonObject::merge(const JsonObject& other) {
  for (const auto& [k, v] : other.members_) set_raw(k, v);
}

const std::string* JsonObject::get(std::string_view key) const {
  for (const auto& [k, v] : members_) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string JsonObject::to_json() const {
  std::string out = "{";
  for (const auto& [k, v] : members_) {
    if (out.size() > 1) out += ',';
    out += '"';
    append_json_escaped(out, k);
    out += "\":";
    out += v;
  }
  out += '}';
  return out;
}

bool OrderProjection::handles(std::string_view first_event_type) const {
  return first_event_type.starts_with("order.");
}

void OrderProjection::apply(JsonObject& state, const ProjectedEvent& event) const {
  const std::string& type = event.envelope.type;
  auto copy = [&](std::string_view field) {
    if (event.data == nullptr) return;
    if (const std::string* value = event.data->get(field)) state.set_raw(field, *value);
  };
  if (type == "order.created") {
    if (event.data != nullptr) state.merge(*event.data);
    state.set_string("status", "created");
  } else if (type == "order.paid") {
    copy("paymentId");
    state.set_string("status", "paid");
  } else if (type == "order.shipped") {
    copy("trackingNumber");
    state.set_string("status", "shipped");
  } else if (type == "order.cancelled") {
    state.set_string("status", "cancelled");
  }
}

void MergeProjection::apply(JsonObject& state, const ProjectedEvent& event) const {
  if (event.data != nullptr) state.merge(*event.data);
}

ProjectionRegistry ProjectionRegistry::with_builtins() {
  ProjectionRegistry registry;
  registry.add(std::make_unique<OrderProjection>());
  registry.set_fallback(std::make_unique<MergeProjection>());
  return registry;
}

void ProjectionRegistry::add(std::unique_ptr<Projection> projection) {
  projections_.push_back(std::move(projection));
}

void ProjectionRegistry::set_fallback(std::unique_ptr<Projection> projection) {
  fallback_ = std::move(projection);
}

const Projection* ProjectionRegistry::find(std::string_view first_event_type) const {
  for (const auto& p : projections_) {
    if (p->handles(first_event_type)) return p.get();
  }
  return fallback_.get();
}

std::optional<JsonObject> data_object(std::string_view body) {
  simdjson::dom::element doc;
  if (thread_parser().parse(body.data(), body.size()).get(doc)) return std::nullopt;
  simdjson::dom::object data;
  if (doc["data"].get_object().get(data)) return std::nullopt;
  return from_dom(data);
}

}  // namespace eb::eventlog
