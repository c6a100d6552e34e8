#pragma once
// kind: inventory. The design's InventoryService: reserves stock for an order and releases it.
//   inventory.reserve-requested, order.created (unless handle_order_created is false)
//     -> inventory.reserved {orderId, items: [{productId, quantity, reservationId}]}
//      | inventory.reservation-failed {orderId, reason, items: [{productId, requested, available}]}
//   inventory.release-requested -> inventory.released {orderId, items: [...released]}
// Requests are keyed by order: data.orderId, else the correlationId (the design's saga sends
// only items). The first answer for an order is final: a repeated request gets it again and
// never reserves twice, so the saga's own order.created after its reserve step changes
// nothing. A release returns the order's units; a release that comes first (the reserve timed
// out) leaves a tombstone, and the late reserve is refused. Unknown products have no stock.
//
// State is event-sourced: the answers it published (and stock levels set through its route,
// appended to the stream NAME-stock) are folded at start over the configured stock.
// Routes: GET stock, GET stock/{productId} -> {productId, available, reserved},
// PUT stock/{productId} {"available": N}.
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "plugins/worker.hpp"

namespace eb::plugins {

class InventoryWorker final : public Worker {
 public:
  InventoryWorker(config::PluginSpec spec, const Services& services);
  ~InventoryWorker() override { stop(); }

  std::vector<std::string> handled_types() const override;
  void describe(JsonWriter& out) const override;
  PluginResponse handle(const PluginRequest& request) override;

 private:
  struct Level {
    std::int64_t available = 0;
    std::int64_t reserved = 0;
  };
  struct Item {
    std::string product_id;
    std::int64_t quantity = 0;
  };
  enum class Status { kReserved, kFailed, kReleased };
  struct Order {
    Status status = Status::kReserved;
    std::vector<Item> items;  // held while kReserved
    std::string answer_type;  // the last answer, given again to a repeated request
    std::string answer_data;
  };

  Result<void> on_event(const Envelope& event) override;
  void recover(const Envelope& event) override;
  std::string snapshot_tag() const override;
  std::string encode_entry(const std::string& key) const override;
  bool restore_entry(std::string_view key, std::string_view value) override;
  void clear_state() override;
  std::size_t entry_count() const override { return orders_.size() + 1; }  // + the levels
  void expect_entries(std::size_t count) override { orders_.reserve(count); }

  Result<void> reserve(const Envelope& request, const std::string& key);
  Result<void> release(const Envelope& request, const std::string& key);
  // Applies one of this instance's events to the state: the single place state changes, both
  // live (after publishing) and at start.
  void apply(const std::string& type, const std::string& key, const std::string& data);
  void write_level(JsonWriter& out, const std::string& product_id) const;
  PluginResponse set_stock(const std::string& product_id, const std::string& body);

  const config::InventoryPluginSpec& settings_;
  std::map<std::string, Level> levels_;
  std::unordered_map<std::string, Order> orders_;
};

}  // namespace eb::plugins
