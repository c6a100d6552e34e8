#pragma once
// The kinds of plugin compiled into the daemon: each config kind name (config/plugins.hpp)
// and the factory that builds an instance of it. Adding a kind: its settings in
// config/plugins.hpp, its class here in plugins/, one row in registry.cpp.
#include <memory>
#include <span>
#include <string_view>

#include "plugins/plugin.hpp"

namespace eb::plugins {

struct Kind {
  std::string_view name;
  std::unique_ptr<Plugin> (*make)(const config::PluginSpec& spec, const Services& services);
};

std::span<const Kind> kinds();

// An instance of spec.kind, not started; nullptr for a kind the daemon does not have.
std::unique_ptr<Plugin> make_plugin(const config::PluginSpec& spec, const Services& services);

}  // namespace eb::plugins
