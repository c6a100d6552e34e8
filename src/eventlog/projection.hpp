#pragma once
// Projections fold a stream's events, oldest first, into a current state (GET
// /v1/streams/{id}/state). A registry picks the projection by the type of the stream's first
// event; the order projection is built in, and streams no projection claims fall back to
// merging each event's `data` object. Register projections at startup, before the event log
// serves: the registry is read concurrently afterwards and never locked.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eventlog/envelope.hpp"

namespace eb::eventlog {

// A JSON object held as its top-level members, each value kept as raw JSON text: all a
// projection needs (merge, set, read a member) without a general JSON document model.
// Members keep their first insertion order.
class JsonObject {
 public:
  // nullopt unless `json` is a valid JSON object.
  static std::optional<JsonObject> parse(std::string_view json);

  void set_raw(std::string_view key, std::string raw_json);
  void set_string(std::string_view key, std::string_view value);
  // Copies every member of `other`, replacing members of the same name.
  void merge(const JsonObject& other);
  const std::string* get(std::string_view key) const;  // raw JSON text
  bool empty() const { return members_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& members() const { return members_; }
  std::string to_json() const;

 private:
  std::vector<std::pair<std::string, std::string>> members_;
};

// What a projection sees of one event.
struct ProjectedEvent {
  const Envelope& envelope;
  const JsonObject* data;  // null when `data` is absent or not an object
  std::int64_t version;    // position in the stream
};

class Projection {
 public:
  virtual ~Projection() = default;
  virtual std::string_view name() const = 0;
  // Whether this projection folds a stream whose first event has type `first_event_type`.
  virtual bool handles(std::string_view first_event_type) const = 0;
  virtual void apply(JsonObject& state, const ProjectedEvent& event) const = 0;
};

// The order aggregate of ADR 007's EventStore.applyEvent: order.created merges `data` and
// sets status "created"; order.paid sets paymentId; order.shipped sets trackingNumber;
// order.cancelled sets status "cancelled". Other order.* events leave the state alone.
class OrderProjection final : public Projection {
 public:
  std::string_view name() const override { return "order"; }
  bool handles(std::string_view first_event_type) const override;
  void apply(JsonObject& state, const ProjectedEvent& event) const override;
};

// The fallback: merges every event's `data` object into the state.
class MergeProjection final : public Projection {
 public:
  std::string_view name() const override { return "merge"; }
  bool handles(std::string_view) const override { return true; }
  void apply(JsonObject& state, const ProjectedEvent& event) const override;
};

class ProjectionRegistry {
 public:
  // The built-ins: OrderProjection, with MergeProjection as the fallback.
  static ProjectionRegistry with_builtins();

  // Earlier registrations win when several handle the same type.
  void add(std::unique_ptr<Projection> projection);
  void set_fallback(std::unique_ptr<Projection> projection);
  // The projection for a stream starting with `first_event_type`; null only without fallback.
  const Projection* find(std::string_view first_event_type) const;

 private:
  std::vector<std::unique_ptr<Projection>> projections_;
  std::unique_ptr<Projection> fallback_;
};

// The `data` member of an envelope body as a JsonObject; nullopt when absent or not an object.
std::optional<JsonObject> data_object(std::string_view body);

}  // namespace eb::eventlog
