#include "plugins/registry.hpp"

#include "plugins/dlq_monitor.hpp"
#include "plugins/inventory.hpp"
#include "plugins/order.hpp"
#include "plugins/payment.hpp"
#include "plugins/saga_engine.hpp"

namespace eb::plugins {
namespace {

template <class T>
std::unique_ptr<Plugin> make(const config::PluginSpec& spec, const Services& services) {
  return std::make_unique<T>(spec, services);
}

constexpr Kind kKinds[] = {
    {"inventory", &make<InventoryWorker>}, {"payment", &make<PaymentWorker>},
    {"order", &make<OrderWorker>},         {"saga", &make<SagaEngine>},
    {"dlq-monitor", &make<DlqMonitor>},
};

}  // namespace

std::span<const Kind> kinds() { return kKinds; }

std::unique_ptr<Plugin> make_plugin(const config::PluginSpec& spec, const Services& services) {
  for (const Kind& kind : kKinds) {
    if (kind.name == spec.kind) return kind.make(spec, services);
  }
  return nullptr;
}

}  // namespace eb::plugins
