#include "plugins/payment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "core/encoding.hpp"
#include "plugins/json_read.hpp"

namespace eb::plugins {
namespace {

constexpr std::string_view kProcessRequested = "payment.process-requested";
constexpr std::string_view kRefundRequested = "payment.refund-requested";
constexpr std::string_view kProcessed = "payment.processed";
constexpr std::string_view kFailed = "payment.failed";
constexpr std::string_view kRefunded = "payment.refunded";
constexpr std::string_view kChargeEntry = "charge/";  // snapshot entries (see encode_entry)
constexpr std::string_view kCorrelationEntry = "correlation/";
constexpr std::string_view kRefundedFirstEntry = "refunded-first/";

std::string key_metadata(const std::string& key) {
  std::string out;
  JsonWriter(out).begin_object().member("idempotencyKey", key).end_object();
  return out;
}

bool listed(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

PaymentWorker::PaymentWorker(config::PluginSpec spec, const Services& services)
    : Worker(std::move(spec), services),
      settings_(std::get<config::PaymentPluginSpec>(this->spec().settings)) {}

std::vector<std::string> PaymentWorker::handled_types() const {
  return {std::string(kProcessRequested), std::string(kRefundRequested)};
}

Result<void> PaymentWorker::on_event(const Envelope& event) {
  if (event.type == kProcessRequested) return process(event);
  if (event.type == kRefundRequested) return refund(event);
  return ignored();
}

Result<void> PaymentWorker::process(const Envelope& request) {
  simdjson::dom::parser data_parser;
  simdjson::dom::parser metadata_parser;
  const auto data = json::object(data_parser, request.data);
  const auto metadata = json::object(metadata_parser, request.metadata);
  const std::string order_id = data ? json::string(*data, "orderId") : std::string();
  std::string key = metadata ? json::string(*metadata, "idempotencyKey") : std::string();
  if (key.empty()) key = order_id;
  if (key.empty()) key = request.correlation_id.empty() ? request.id : request.correlation_id;

  if (auto known = charges_.find(key); known != charges_.end()) {
    EB_TRY(
        answer(request, known->second.answer_type, known->second.answer_data, key_metadata(key)));
    return {};
  }
  const std::string method = data ? json::string(*data, "paymentMethod") : std::string();
  const bool refunded_first =
      !request.correlation_id.empty() && refunded_first_.contains(request.correlation_id);
  if (!refunded_first && listed(settings_.no_reply_payment_methods, method)) {
    ++unanswered_;  // the provider never answers: the requester's timeout decides
    return {};
  }
  const std::optional<double> amount = data ? json::number(*data, "amount") : std::nullopt;
  const std::string currency = data ? json::string(*data, "currency") : std::string();

  std::string reason;
  if (refunded_first) {
    reason = "refunded before it was processed";
  } else if (!amount || !std::isfinite(*amount) || *amount < 0) {
    reason = "invalid request: amount must be a number of at least 0";
  } else if (listed(settings_.decline_payment_methods, method)) {
    reason = "card declined";
  } else if (settings_.decline_amount_over && *amount > *settings_.decline_amount_over) {
    reason = fmt::format("amount over {}", *settings_.decline_amount_over);
  }
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  if (reason.empty()) j.member("paymentId", "pay-" + random_uuid());
  if (!order_id.empty()) j.member("orderId", order_id);
  if (amount) j.key("amount").raw(data ? json::raw(*data, "amount") : "0");
  if (!currency.empty()) j.member("currency", currency);
  if (!method.empty()) j.member("paymentMethod", method);
  if (!reason.empty()) j.member("reason", reason);
  j.end_object();
  EB_ASSIGN_OR_RETURN(
      const Envelope published,
      answer(request, std::string(reason.empty() ? kProcessed : kFailed), out, key_metadata(key)));
  apply(published, key);
  return {};
}

Result<void> PaymentWorker::refund(const Envelope& request) {
  simdjson::dom::parser parser;
  const auto data = json::object(parser, request.data);
  std::string payment_id = data ? json::string(*data, "paymentId") : std::string();
  if (payment_id.empty()) {
    if (auto it = by_correlation_.find(request.correlation_id); it != by_correlation_.end()) {
      payment_id = it->second;
    }
  }
  const auto key = payments_.find(payment_id);
  Charge* charge = key == payments_.end() ? nullptr : &charges_.at(key->second);
  if (charge && !charge->refund_data.empty()) {
    EB_TRY(answer(request, std::string(kRefunded), charge->refund_data, "{}"));
    return {};
  }
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  if (!payment_id.empty()) j.member("paymentId", payment_id);
  if (charge) {
    simdjson::dom::parser charged_parser;
    const auto charged = json::object(charged_parser, charge->answer_data);
    for (const char* member : {"orderId", "amount", "currency"}) {
      const std::string value = charged ? json::raw(*charged, member) : std::string();
      if (!value.empty()) j.key(member).raw(value);
    }
  } else {
    j.member("amount", std::int64_t{0});
    j.member("reason", "no such payment");
  }
  j.end_object();
  EB_ASSIGN_OR_RETURN(const Envelope published, answer(request, std::string(kRefunded), out, "{}"));
  apply(published, {});
  return {};
}

void PaymentWorker::apply(const Envelope& event, const std::string& key) {
  simdjson::dom::parser parser;
  const auto data = json::object(parser, event.data);
  if (!data) return;
  if (event.type == kProcessed || event.type == kFailed) {
    if (key.empty()) return;
    auto [it, fresh] = charges_.try_emplace(key);
    if (!fresh) return;  // the first answer decides
    it->second.answer_type = event.type;
    it->second.answer_data = event.data;
    changed(std::string(kChargeEntry) + key);
    if (event.type == kProcessed) {
      it->second.payment_id = json::string(*data, "paymentId");
      payments_[it->second.payment_id] = key;
      if (!event.correlation_id.empty()) {
        by_correlation_[event.correlation_id] = it->second.payment_id;
        changed(std::string(kCorrelationEntry) + event.correlation_id);
      }
    }
  } else if (event.type == kRefunded) {
    auto it = payments_.find(json::string(*data, "paymentId"));
    if (it == payments_.end()) {
      if (!event.correlation_id.empty()) {
        refunded_first_.insert(event.correlation_id);
        changed(std::string(kRefundedFirstEntry) + event.correlation_id);
      }
      return;
    }
    Charge& charge = charges_.at(it->second);
    if (charge.refund_data.empty()) {
      charge.refund_data = event.data;
      changed(std::string(kChargeEntry) + it->second);
    }
  }
}

// Snapshot entries: kChargeEntry + key [answerType, answerData, paymentId, refundData] (the
// payment index follows from them), kCorrelationEntry + correlationId "paymentId",
// kRefundedFirstEntry + correlationId "".
std::string PaymentWorker::encode_entry(const std::string& key) const {
  std::string out;
  JsonWriter j(out);
  if (key.starts_with(kChargeEntry)) {
    const auto it = charges_.find(key.substr(kChargeEntry.size()));
    if (it == charges_.end()) return {};
    const Charge& c = it->second;
    j.begin_array().string(c.answer_type).string(c.answer_data).string(c.payment_id);
    j.string(c.refund_data).end_array();
  } else if (key.starts_with(kCorrelationEntry)) {
    const auto it = by_correlation_.find(key.substr(kCorrelationEntry.size()));
    if (it == by_correlation_.end()) return {};
    j.string(it->second);
  } else if (key.starts_with(kRefundedFirstEntry)) {
    if (!refunded_first_.contains(key.substr(kRefundedFirstEntry.size()))) return {};
    j.string("");
  }
  return out;
}

bool PaymentWorker::restore_entry(std::string_view key, std::string_view value) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(value.data(), value.size()).get(doc)) return false;
  if (key.starts_with(kChargeEntry)) {
    simdjson::dom::array a;
    std::array<std::string_view, 4> f;
    if (doc.get_array().get(a) || a.size() != f.size()) return false;
    std::size_t n = 0;
    for (simdjson::dom::element e : a) {
      if (e.get_string().get(f[n++])) return false;
    }
    const std::string charge_key(key.substr(kChargeEntry.size()));
    Charge& c = charges_[charge_key];
    c = Charge{std::string(f[0]), std::string(f[1]), std::string(f[2]), std::string(f[3])};
    if (!c.payment_id.empty()) payments_[c.payment_id] = charge_key;
    return true;
  }
  std::string_view text;
  if (doc.get_string().get(text)) return false;
  if (key.starts_with(kCorrelationEntry)) {
    by_correlation_[std::string(key.substr(kCorrelationEntry.size()))] = text;
    return true;
  }
  if (key.starts_with(kRefundedFirstEntry)) {
    refunded_first_.emplace(key.substr(kRefundedFirstEntry.size()));
    return true;
  }
  return false;
}

void PaymentWorker::clear_state() {
  charges_.clear();
  payments_.clear();
  by_correlation_.clear();
  refunded_first_.clear();
}

void PaymentWorker::recover(const Envelope& event) {
  simdjson::dom::parser parser;
  const auto metadata = json::object(parser, event.metadata);
  apply(event, metadata ? json::string(*metadata, "idempotencyKey") : std::string());
}

void PaymentWorker::write_payment(JsonWriter& out, const Charge& charge) const {
  simdjson::dom::parser parser;
  const auto data = json::object(parser, charge.answer_data);
  out.begin_object();
  out.member("paymentId", charge.payment_id);
  out.member("status", charge.refund_data.empty() ? "processed" : "refunded");
  for (const char* member : {"orderId", "amount", "currency", "paymentMethod"}) {
    const std::string value = data ? json::raw(*data, member) : std::string();
    if (!value.empty()) out.key(member).raw(value);
  }
  out.end_object();
}

void PaymentWorker::describe(JsonWriter& out) const {
  const std::lock_guard lock(mu());
  std::int64_t refunded = 0;
  for (const auto& [id, key] : payments_) refunded += charges_.at(key).refund_data.empty() ? 0 : 1;
  out.member("payments", static_cast<std::int64_t>(payments_.size()));
  out.member("refunds", refunded);
  out.member("declined", static_cast<std::int64_t>(charges_.size() - payments_.size()));
  out.member("unanswered", static_cast<std::int64_t>(unanswered_));
}

PluginResponse PaymentWorker::handle(const PluginRequest& request) {
  if (request.path.empty() || request.path[0] != "payments" || request.path.size() > 2) {
    return Worker::handle(request);
  }
  if (request.method != "GET") return fail(Errc::kUnsupportedOperation, "/payments supports GET");
  const std::lock_guard lock(mu());
  std::string out;
  JsonWriter j(out);
  if (request.path.size() == 1) {
    j.begin_object().key("payments").begin_array();
    for (const auto& [id, key] : payments_) write_payment(j, charges_.at(key));
    j.end_array().end_object();
    return out;
  }
  const auto it = payments_.find(request.path[1]);
  if (it == payments_.end()) {
    return fail(Errc::kResourceNotFound,
                fmt::format("plugin {} has no payment {}", spec().name, request.path[1]));
  }
  write_payment(j, charges_.at(it->second));
  return out;
}

}  // namespace eb::plugins
