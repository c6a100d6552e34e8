#pragma once
// Queue URLs: http://HOST/ACCOUNT/NAME, with HOST as the client addressed us.
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.hpp"

namespace eb::api::sqs {

std::string make_queue_url(std::string_view host, std::string_view account, std::string_view name);
// Accepts a full URL (any scheme and host) or a path "/ACCOUNT/NAME".
Result<std::string> queue_name_from_url(std::string_view url, std::string_view account);
// The queue a query-protocol request was POSTed to, if its path is "/ACCOUNT/NAME".
std::optional<std::string> queue_name_from_path(std::string_view target, std::string_view account);

}  // namespace eb::api::sqs
