#include "plugins/order.hpp"

#include "eventlog/event_log.hpp"
#include "plugins/json_read.hpp"

namespace eb::plugins {
namespace {

constexpr std::string_view kCreateRequested = "order.create-requested";
constexpr std::string_view kCancelRequested = "order.cancel-requested";
constexpr std::string_view kCreated = "order.created";
constexpr std::string_view kCancelled = "order.cancelled";
constexpr std::string_view kPaid = "order.paid";
constexpr std::string_view kShipped = "order.shipped";

std::string order_data(const std::string& order_id) {
  std::string out;
  JsonWriter(out).begin_object().member("orderId", order_id).end_object();
  return out;
}

}  // namespace

OrderWorker::OrderWorker(config::PluginSpec spec, const Services& services)
    : Worker(std::move(spec), services) {}

std::vector<std::string> OrderWorker::handled_types() const {
  return {std::string(kCreateRequested), std::string(kCancelRequested), std::string(kCreated),
          std::string(kPaid), std::string(kShipped)};
}

Result<void> OrderWorker::on_event(const Envelope& event) {
  const bool known = event.type == kCreateRequested || event.type == kCancelRequested ||
                     event.type == kCreated || event.type == kPaid || event.type == kShipped;
  // Its own order.created comes back through the queue: it is in the stream already.
  if (!known || event.source == spec().source) return ignored();
  simdjson::dom::parser parser;
  const auto data = json::object(parser, event.data);
  const std::string order_id = data ? json::string(*data, "orderId") : std::string();
  if (event.type == kCancelRequested) return cancel(event, order_id);
  if (order_id.empty()) {
    return fail(Errc::kInvalidParameterValue, std::string(event.type) + " has no data.orderId");
  }
  if (event.type == kCreateRequested) return create(event, order_id);
  return record_foreign(event, order_id);
}

Result<void> OrderWorker::create(const Envelope& request, const std::string& order_id) {
  const std::string stream = stream_of(order_id);
  const bool exists = services().events.stream_head(stream).has_value();
  EB_ASSIGN_OR_RETURN(const Envelope created, answer(request, std::string(kCreated), request.data,
                                                     "{}", exists ? std::string() : stream));
  if (!exists) ++created_;
  recover(created);
  return {};
}

Result<void> OrderWorker::cancel(const Envelope& request, std::string order_id) {
  if (order_id.empty()) {
    if (auto it = by_correlation_.find(request.correlation_id); it != by_correlation_.end()) {
      order_id = it->second;
    }
  }
  const std::string status = order_id.empty() ? std::string() : status_of(order_id);
  const bool append = !status.empty() && status != "cancelled";
  EB_TRY(answer(request, std::string(kCancelled), order_data(order_id), "{}",
                append ? stream_of(order_id) : std::string()));
  if (append) ++cancelled_;
  return {};
}

Result<void> OrderWorker::record_foreign(const Envelope& event, const std::string& order_id) {
  EB_ASSIGN_OR_RETURN(const eventlog::AppendResult appended,
                      services().events.append(stream_of(order_id),
                                               eventlog::ExpectedVersion::any(), {encode(event)}));
  (void)appended;  // appended, or in the stream already: either way recorded once
  return {};
}

std::string OrderWorker::status_of(const std::string& order_id) const {
  auto state = services().events.state(stream_of(order_id));
  if (!state) return {};
  simdjson::dom::parser parser;
  const auto object = json::object(parser, state->state_json);
  return object ? json::string(*object, "status") : std::string();
}

void OrderWorker::recover(const Envelope& event) {
  if (event.type != kCreated || event.correlation_id.empty()) return;
  simdjson::dom::parser parser;
  const auto data = json::object(parser, event.data);
  const std::string order_id = data ? json::string(*data, "orderId") : std::string();
  if (order_id.empty()) return;
  by_correlation_[event.correlation_id] = order_id;
  changed(event.correlation_id);
}

// Snapshot entries: correlationId -> the order id as a JSON string (the orders themselves are
// streams in the event log, folded by its projection).
std::string OrderWorker::encode_entry(const std::string& key) const {
  const auto it = by_correlation_.find(key);
  if (it == by_correlation_.end()) return {};
  std::string out;
  JsonWriter(out).string(it->second);
  return out;
}

bool OrderWorker::restore_entry(std::string_view key, std::string_view value) {
  thread_local simdjson::dom::parser parser;
  std::string_view order_id;
  if (parser.parse(value.data(), value.size()).get_string().get(order_id)) return false;
  by_correlation_[std::string(key)] = order_id;
  return true;
}

void OrderWorker::describe(JsonWriter& out) const {
  const std::lock_guard lock(mu());
  out.member("created", static_cast<std::int64_t>(created_));
  out.member("cancelled", static_cast<std::int64_t>(cancelled_));
}

}  // namespace eb::plugins
