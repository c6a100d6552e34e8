#pragma once
// kind: order. The design's order service and its event-sourced aggregate: every order is the
// stream order-{orderId}, folded by the built-in order projection (GET /v1/streams/
// order-{orderId}/state).
//   order.create-requested {orderId, ...} -> order.created {the request's data}, appended to the
//       order's stream in the same write as its publish; a repeated request answers again
//       without a second event in the stream.
//   order.cancel-requested {orderId} (or the correlationId of a creation) -> order.cancelled,
//       appended unless the order is cancelled already or does not exist (answered all the same).
//   order.created, order.paid, order.shipped published by anyone else (the user's own order
//       service) are appended to the order's stream, once per event id.
#include <string>
#include <unordered_map>
#include <vector>

#include "plugins/worker.hpp"

namespace eb::plugins {

class OrderWorker final : public Worker {
 public:
  OrderWorker(config::PluginSpec spec, const Services& services);
  ~OrderWorker() override { stop(); }

  std::vector<std::string> handled_types() const override;
  void describe(JsonWriter& out) const override;

  static std::string stream_of(std::string_view order_id) {
    return "order-" + std::string(order_id);
  }

 private:
  Result<void> on_event(const Envelope& event) override;
  void recover(const Envelope& event) override;
  std::string snapshot_tag() const override { return "order/1"; }
  std::string encode_entry(const std::string& key) const override;
  bool restore_entry(std::string_view key, std::string_view value) override;
  void clear_state() override { by_correlation_.clear(); }
  std::size_t entry_count() const override { return by_correlation_.size(); }
  void expect_entries(std::size_t count) override { by_correlation_.reserve(count); }

  Result<void> create(const Envelope& request, const std::string& order_id);
  Result<void> cancel(const Envelope& request, std::string order_id);
  Result<void> record_foreign(const Envelope& event, const std::string& order_id);
  // The order's status in its projection ("created", "cancelled", ...); "" without a stream.
  std::string status_of(const std::string& order_id) const;

  std::unordered_map<std::string, std::string> by_correlation_;  // correlationId -> orderId
  std::uint64_t created_ = 0;
  std::uint64_t cancelled_ = 0;
};

}  // namespace eb::plugins
