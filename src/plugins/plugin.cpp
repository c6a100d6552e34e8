#include "plugins/plugin.hpp"

namespace eb::plugins {

PluginResponse Plugin::handle(const PluginRequest& request) {
  std::string path;
  for (const std::string& segment : request.path) path += "/" + segment;
  return fail(Errc::kResourceNotFound, "plugin " + spec_.name + " has no route " + request.method +
                                           " " + (path.empty() ? "/" : path));
}

}  // namespace eb::plugins
