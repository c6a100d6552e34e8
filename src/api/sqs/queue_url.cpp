#include "api/sqs/queue_url.hpp"

namespace eb::api::sqs {

std::string make_queue_url(std::string_view host, std::string_view account, std::string_view name) {
  std::string url = "http://";
  url += host.empty() ? std::string_view("localhost:4566") : host;
  url += '/';
  url += account;
  url += '/';
  url += name;
  return url;
}

std::optional<std::string> queue_name_from_path(std::string_view target, std::string_view account) {
  target = target.substr(0, target.find('?'));
  if (!target.starts_with('/')) return std::nullopt;
  target.remove_prefix(1);
  auto slash = target.find('/');
  if (slash == std::string_view::npos || target.substr(0, slash) != account) return std::nullopt;
  auto name = target.substr(slash + 1);
  if (name.empty() || name.find('/') != std::string_view::npos) return std::nullopt;
  return std::string(name);
}

Result<std::string> queue_name_from_url(std::string_view url, std::string_view account) {
  std::string_view path = url;
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    auto rest = url.substr(scheme + 3);
    auto slash = rest.find('/');
    path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  if (auto name = queue_name_from_path(path, account)) return *name;
  return fail(Errc::kQueueDoesNotExist, "The specified queue does not exist.");
}

}  // namespace eb::api::sqs
