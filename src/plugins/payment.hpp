#pragma once
// kind: payment. A payment provider with deterministic rules from the config:
//   payment.process-requested -> payment.processed {paymentId, orderId, amount, currency,
//                                                   paymentMethod}
//                              | payment.failed {orderId, amount, currency, paymentMethod, reason}
//                              | no answer at all (paymentMethod in no_reply: a timeout)
//   payment.refund-requested  -> payment.refunded {paymentId, orderId, amount, currency}
// A charge is keyed by metadata.idempotencyKey, else data.orderId, else the correlationId: a
// repeated request gets the first answer again and is never charged twice. A refund names
// data.paymentId, else the payment charged under the same correlationId (the design's saga
// sends no data); a repeated refund gets the first answer, a refund of nothing answers with
// amount 0. State is folded at start from the answers it published.
// Routes: GET payments, GET payments/{paymentId} -> {paymentId, status, amount, currency, ...}.
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "plugins/worker.hpp"

namespace eb::plugins {

class PaymentWorker final : public Worker {
 public:
  PaymentWorker(config::PluginSpec spec, const Services& services);
  ~PaymentWorker() override { stop(); }

  std::vector<std::string> handled_types() const override;
  void describe(JsonWriter& out) const override;
  PluginResponse handle(const PluginRequest& request) override;

 private:
  struct Charge {
    std::string answer_type;  // payment.processed or payment.failed
    std::string answer_data;
    std::string payment_id;   // processed only
    std::string refund_data;  // once refunded
  };

  Result<void> on_event(const Envelope& event) override;
  void recover(const Envelope& event) override;
  std::string snapshot_tag() const override { return "payment/1"; }  // answers, not rules
  std::string encode_entry(const std::string& key) const override;
  bool restore_entry(std::string_view key, std::string_view value) override;
  void clear_state() override;
  std::size_t entry_count() const override {
    return charges_.size() + by_correlation_.size() + refunded_first_.size();
  }
  void expect_entries(std::size_t count) override { charges_.reserve(count); }

  Result<void> process(const Envelope& request);
  Result<void> refund(const Envelope& request);
  void apply(const Envelope& event, const std::string& key);
  void write_payment(JsonWriter& out, const Charge& charge) const;

  const config::PaymentPluginSpec& settings_;
  std::unordered_map<std::string, Charge> charges_;              // by key
  std::map<std::string, std::string> payments_;                  // paymentId -> key
  std::unordered_map<std::string, std::string> by_correlation_;  // correlationId -> paymentId
  // Correlations refunded before any charge (a requester that gave up on a payment it never
  // heard back about): a charge request arriving later under one is declined, never charged.
  std::unordered_set<std::string> refunded_first_;
  std::uint64_t unanswered_ = 0;
};

}  // namespace eb::plugins
