#include "plugins/inventory.hpp"

#include <fmt/format.h>

#include "core/encoding.hpp"
#include "plugins/json_read.hpp"

namespace eb::plugins {
namespace {

constexpr std::string_view kReserveRequested = "inventory.reserve-requested";
constexpr std::string_view kReleaseRequested = "inventory.release-requested";
constexpr std::string_view kOrderCreated = "order.created";
constexpr std::string_view kReserved = "inventory.reserved";
constexpr std::string_view kReservationFailed = "inventory.reservation-failed";
constexpr std::string_view kReleased = "inventory.released";
constexpr std::string_view kStockSet = "inventory.stock-set";
constexpr std::int64_t kMaxUnits = 1'000'000'000'000;
constexpr std::string_view kLevelsEntry = "levels";  // snapshot entries (see snapshot_tag)
constexpr std::string_view kOrderEntry = "order/";

std::string key_metadata(const std::string& key) {
  std::string out;
  JsonWriter(out).begin_object().member("idempotencyKey", key).end_object();
  return out;
}

// The data of an answer: {"orderId": ..., "reason": ..., "items": [...]} with items written by
// `items`.
template <class WriteItems>
std::string answer_data(const std::string& order_id, std::string_view reason, WriteItems items) {
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  if (!order_id.empty()) j.member("orderId", order_id);
  if (!reason.empty()) j.member("reason", reason);
  j.key("items").begin_array();
  items(j);
  j.end_array();
  j.end_object();
  return out;
}

struct Requested {
  std::string product_id;
  std::int64_t quantity = 0;
};

// The items of a reserve request, or why they cannot be reserved.
Result<std::vector<Requested>> requested_items(simdjson::dom::object data) {
  simdjson::dom::array items;
  if (data.at_key("items").get_array().get(items) || items.size() == 0) {
    return fail(Errc::kInvalidParameterValue, "items must be a non-empty list");
  }
  std::vector<Requested> out;
  for (simdjson::dom::element item : items) {
    simdjson::dom::object o;
    if (item.get_object().get(o)) {
      return fail(Errc::kInvalidParameterValue, "each item must be an object");
    }
    Requested r;
    r.product_id = json::string(o, "productId");
    simdjson::dom::element q;
    const auto quantity = o.at_key("quantity").get(q) ? std::nullopt : json::integer(q);
    if (r.product_id.empty() || !quantity || *quantity < 1 || *quantity > kMaxUnits) {
      return fail(Errc::kInvalidParameterValue,
                  "each item needs a productId and a whole quantity of at least 1");
    }
    r.quantity = *quantity;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

InventoryWorker::InventoryWorker(config::PluginSpec spec, const Services& services)
    : Worker(std::move(spec), services),
      settings_(std::get<config::InventoryPluginSpec>(this->spec().settings)) {
  for (const auto& [product, units] : settings_.stock) levels_[product].available = units;
}

std::vector<std::string> InventoryWorker::handled_types() const {
  std::vector<std::string> out{std::string(kReserveRequested), std::string(kReleaseRequested)};
  if (settings_.handle_order_created) out.emplace_back(kOrderCreated);
  return out;
}

Result<void> InventoryWorker::on_event(const Envelope& event) {
  const bool reserve_request = event.type == kReserveRequested ||
                               (event.type == kOrderCreated && settings_.handle_order_created);
  if (!reserve_request && event.type != kReleaseRequested) return ignored();
  simdjson::dom::parser parser;
  const auto data = json::object(parser, event.data);
  std::string key = data ? json::string(*data, "orderId") : std::string();
  if (key.empty()) key = event.correlation_id.empty() ? event.id : event.correlation_id;
  return reserve_request ? reserve(event, key) : release(event, key);
}

Result<void> InventoryWorker::reserve(const Envelope& request, const std::string& key) {
  simdjson::dom::parser parser;
  const auto data = json::object(parser, request.data);
  const std::string order_id = data ? json::string(*data, "orderId") : std::string();
  if (auto known = orders_.find(key); known != orders_.end()) {
    const Order& order = known->second;
    if (order.status != Status::kReleased) {
      EB_TRY(answer(request, order.answer_type, order.answer_data, key_metadata(key)));
      return {};
    }
    // Released before (or instead of) this reserve: refused, and nothing is recorded.
    const std::string refused =
        answer_data(order_id, "the order's reservation was released", [](JsonWriter&) {});
    EB_TRY(answer(request, std::string(kReservationFailed), refused, key_metadata(key)));
    return {};
  }

  std::string type;
  std::string out;
  auto items = data ? requested_items(*data)
                    : Result<std::vector<Requested>>(
                          fail(Errc::kInvalidParameterValue, "data must be an object"));
  if (!items) {
    type = kReservationFailed;
    out = answer_data(order_id, "invalid request: " + items.error().message, [](JsonWriter&) {});
  } else {
    std::map<std::string, std::int64_t> wanted;
    for (const Requested& r : *items) wanted[r.product_id] += r.quantity;
    std::vector<std::pair<std::string, std::int64_t>> short_items;
    for (const auto& [product, quantity] : wanted) {
      auto level = levels_.find(product);
      const std::int64_t available = level == levels_.end() ? 0 : level->second.available;
      if (available < quantity) short_items.emplace_back(product, available);
    }
    if (!short_items.empty()) {
      type = kReservationFailed;
      out = answer_data(order_id, "insufficient stock", [&](JsonWriter& j) {
        for (const auto& [product, available] : short_items) {
          j.begin_object()
              .member("productId", product)
              .member("requested", wanted[product])
              .member("available", available)
              .end_object();
        }
      });
    } else {
      type = kReserved;
      out = answer_data(order_id, {}, [&](JsonWriter& j) {
        for (const Requested& r : *items) {
          j.begin_object()
              .member("productId", r.product_id)
              .member("quantity", r.quantity)
              .member("reservationId", random_uuid())
              .end_object();
        }
      });
    }
  }
  EB_TRY(answer(request, type, out, key_metadata(key)));
  apply(type, key, out);
  return {};
}

Result<void> InventoryWorker::release(const Envelope& request, const std::string& key) {
  auto known = orders_.find(key);
  if (known != orders_.end() && known->second.status == Status::kReleased &&
      known->second.answer_type == kReleased) {
    EB_TRY(
        answer(request, known->second.answer_type, known->second.answer_data, key_metadata(key)));
    return {};
  }
  simdjson::dom::parser parser;
  const auto data = json::object(parser, request.data);
  const std::string order_id = data ? json::string(*data, "orderId") : std::string();
  const bool holding = known != orders_.end() && known->second.status == Status::kReserved;
  const std::string out = answer_data(order_id, {}, [&](JsonWriter& j) {
    if (!holding) return;
    for (const Item& item : known->second.items) {
      j.begin_object()
          .member("productId", item.product_id)
          .member("quantity", item.quantity)
          .end_object();
    }
  });
  EB_TRY(answer(request, std::string(kReleased), out, key_metadata(key)));
  apply(std::string(kReleased), key, out);
  return {};
}

void InventoryWorker::apply(const std::string& type, const std::string& key,
                            const std::string& data_text) {
  simdjson::dom::parser parser;
  const auto data = json::object(parser, data_text);
  if (!data) return;
  if (type == kStockSet) {
    simdjson::dom::element units;
    const std::string product = json::string(*data, "productId");
    const auto available =
        data->at_key("available").get(units) ? std::nullopt : json::integer(units);
    if (!product.empty() && available) {
      levels_[product].available = *available;
      changed(std::string(kLevelsEntry));
    }
    return;
  }
  if (key.empty()) return;
  auto [it, fresh] = orders_.try_emplace(key);
  Order& order = it->second;
  if (type == kReserved || type == kReservationFailed) {
    if (!fresh) return;  // the first answer decides; later ones repeat it
    changed(std::string(kOrderEntry) + key);
    order.status = type == kReserved ? Status::kReserved : Status::kFailed;
    order.answer_type = type;
    order.answer_data = data_text;
    if (order.status != Status::kReserved) return;
    simdjson::dom::array items;
    if (data->at_key("items").get_array().get(items)) return;
    for (simdjson::dom::element e : items) {
      simdjson::dom::object o;
      simdjson::dom::element q;
      if (e.get_object().get(o) || o.at_key("quantity").get(q)) continue;
      const auto quantity = json::integer(q);
      if (!quantity) continue;
      Item item{json::string(o, "productId"), *quantity};
      Level& level = levels_[item.product_id];
      level.available -= item.quantity;
      level.reserved += item.quantity;
      changed(std::string(kLevelsEntry));
      order.items.push_back(std::move(item));
    }
  } else if (type == kReleased) {
    if (!fresh && order.status == Status::kReleased) return;
    changed(std::string(kOrderEntry) + key);
    changed(std::string(kLevelsEntry));
    if (order.status == Status::kReserved) {
      for (const Item& item : order.items) {
        Level& level = levels_[item.product_id];
        level.available += item.quantity;
        level.reserved -= item.quantity;
      }
    }
    order.items.clear();
    order.status = Status::kReleased;
    order.answer_type = type;
    order.answer_data = data_text;
  } else if (fresh) {
    orders_.erase(it);
  }
}

void InventoryWorker::recover(const Envelope& event) {
  simdjson::dom::parser parser;
  const auto metadata = json::object(parser, event.metadata);
  apply(event.type, metadata ? json::string(*metadata, "idempotencyKey") : std::string(),
        event.data);
}

// Snapshot entries: kLevelsEntry {"productId": [available, reserved], ...} and, per order,
// kOrderEntry + key [status, answerType, answerData, [[productId, quantity], ...]].
std::string InventoryWorker::snapshot_tag() const {
  // Levels are kept absolute: other configured stock is another tag.
  std::string tag;
  JsonWriter j(tag);
  j.begin_array().string("inventory/1").boolean(settings_.handle_order_created).begin_object();
  for (const auto& [product, units] : settings_.stock) j.member(product, units);
  j.end_object().end_array();
  return tag;
}

std::string InventoryWorker::encode_entry(const std::string& key) const {
  std::string out;
  JsonWriter j(out);
  if (key == kLevelsEntry) {
    j.begin_object();
    for (const auto& [product, level] : levels_) {
      j.key(product).begin_array().number(level.available).number(level.reserved).end_array();
    }
    j.end_object();
    return out;
  }
  if (!key.starts_with(kOrderEntry)) return {};
  const auto it = orders_.find(key.substr(kOrderEntry.size()));
  if (it == orders_.end()) return {};
  const Order& order = it->second;
  j.begin_array().number(static_cast<std::int64_t>(order.status));
  j.string(order.answer_type).string(order.answer_data).begin_array();
  for (const Item& item : order.items) {
    j.begin_array().string(item.product_id).number(item.quantity).end_array();
  }
  j.end_array().end_array();
  return out;
}

bool InventoryWorker::restore_entry(std::string_view key, std::string_view value) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(value.data(), value.size()).get(doc)) return false;
  if (key == kLevelsEntry) {
    simdjson::dom::object levels;
    if (doc.get_object().get(levels)) return false;
    levels_.clear();
    for (auto [product, pair] : levels) {
      simdjson::dom::array a;
      Level level;
      if (pair.get_array().get(a) || a.size() != 2 || a.at(0).get_int64().get(level.available) ||
          a.at(1).get_int64().get(level.reserved)) {
        return false;
      }
      levels_[std::string(product)] = level;
    }
    return true;
  }
  if (!key.starts_with(kOrderEntry)) return false;
  simdjson::dom::array a;
  std::int64_t status = 0;
  std::string_view answer_type;
  std::string_view answer_data;
  simdjson::dom::array items;
  if (doc.get_array().get(a) || a.size() != 4 || a.at(0).get_int64().get(status) || status < 0 ||
      status > static_cast<std::int64_t>(Status::kReleased) ||
      a.at(1).get_string().get(answer_type) || a.at(2).get_string().get(answer_data) ||
      a.at(3).get_array().get(items)) {
    return false;
  }
  Order order;
  order.status = static_cast<Status>(status);
  order.answer_type = answer_type;
  order.answer_data = answer_data;
  for (simdjson::dom::element e : items) {
    simdjson::dom::array pair;
    std::string_view product;
    Item item;
    if (e.get_array().get(pair) || pair.size() != 2 || pair.at(0).get_string().get(product) ||
        pair.at(1).get_int64().get(item.quantity)) {
      return false;
    }
    item.product_id = product;
    order.items.push_back(std::move(item));
  }
  orders_.insert_or_assign(std::string(key.substr(kOrderEntry.size())), std::move(order));
  return true;
}

void InventoryWorker::clear_state() {
  orders_.clear();
  levels_.clear();
  for (const auto& [product, units] : settings_.stock) levels_[product].available = units;
}

void InventoryWorker::write_level(JsonWriter& out, const std::string& product_id) const {
  const auto it = levels_.find(product_id);
  const Level level = it == levels_.end() ? Level{} : it->second;
  out.begin_object()
      .member("productId", product_id)
      .member("available", level.available)
      .member("reserved", level.reserved)
      .end_object();
}

void InventoryWorker::describe(JsonWriter& out) const {
  const std::lock_guard lock(mu());
  out.member("products", static_cast<std::int64_t>(levels_.size()));
  out.member("orders", static_cast<std::int64_t>(orders_.size()));
}

PluginResponse InventoryWorker::handle(const PluginRequest& request) {
  if (request.path.empty() || request.path[0] != "stock" || request.path.size() > 2) {
    return Worker::handle(request);
  }
  const std::lock_guard lock(mu());
  std::string out;
  JsonWriter j(out);
  if (request.path.size() == 1) {
    if (request.method != "GET") {
      return fail(Errc::kUnsupportedOperation, "/stock supports GET");
    }
    j.begin_object().key("stock").begin_array();
    for (const auto& [product, level] : levels_) write_level(j, product);
    j.end_array().end_object();
    return out;
  }
  const std::string& product = request.path[1];
  if (request.method == "PUT") return set_stock(product, request.body);
  if (request.method != "GET") {
    return fail(Errc::kUnsupportedOperation, "/stock/{productId} supports GET and PUT");
  }
  if (!levels_.contains(product)) {
    return fail(Errc::kResourceNotFound,
                fmt::format("plugin {} has no product {}", spec().name, product));
  }
  write_level(j, product);
  return out;
}

PluginResponse InventoryWorker::set_stock(const std::string& product_id, const std::string& body) {
  simdjson::dom::parser parser;
  const auto doc = json::object(parser, body);
  if (!doc) return fail(Errc::kMalformedRequest, "the request body must be a JSON object");
  simdjson::dom::element units;
  if (doc->at_key("available").get(units)) {
    return fail(Errc::kMissingParameter, R"(the request body must contain "available")");
  }
  const auto available = json::integer(units);
  if (!available || *available < 0 || *available > kMaxUnits) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format(R"("available" must be a whole number from 0 to {})", kMaxUnits));
  }
  std::string data;
  JsonWriter(data)
      .begin_object()
      .member("productId", product_id)
      .member("available", *available)
      .end_object();
  EB_TRY(record(spec().name + "-stock", std::string(kStockSet), data));
  apply(std::string(kStockSet), {}, data);
  std::string out;
  JsonWriter j(out);
  write_level(j, product_id);
  return out;
}

}  // namespace eb::plugins
