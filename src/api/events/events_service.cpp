#include "api/events/events_service.hpp"

#include <fmt/format.h>

#include "api/aws/error_table.hpp"
#include "api/events/call.hpp"

namespace eb::api::events {
namespace {

const ActionTable& actions() {
  static const ActionTable table = [] {
    ActionTable t;
    add_bus_actions(t);
    add_archive_actions(t);
    add_endpoint_actions(t);
    add_partner_actions(t);
    add_connection_actions(t);
    return t;
  }();
  return table;
}

}  // namespace

bool EventsService::knows_action(std::string_view action) const {
  return actions().contains(action);
}

void EventsService::handle(aws::AwsRequest&& request, net::Respond respond) {
  Call call{std::move(request), std::move(respond), domains_, domains_.buses};
  auto it = actions().find(call.request.action);
  Result<void> done;
  if (it == actions().end()) {
    done = fail(Errc::kInvalidAction,
                fmt::format("The operation {} is not supported.", call.request.action));
  } else {
    auto body = JsonRequest::parse(call.request.http.body());
    done = body ? it->second(call, *body) : Result<void>(std::unexpected(body.error()));
  }
  if (!done) {
    call.respond(aws::events_error_response(done.error(), call.request.request_id,
                                            call.request.http.version(),
                                            call.request.http.keep_alive()));
  }
}

}  // namespace eb::api::events
