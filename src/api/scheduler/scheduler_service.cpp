#include "api/scheduler/scheduler_service.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <memory>

#include "api/aws/error_table.hpp"
#include "api/aws/form.hpp"
#include "api/aws/reply.hpp"
#include "api/events/json_request.hpp"
#include "core/json_writer.hpp"
#include "events/scheduler.hpp"

namespace eb::api::scheduler {
namespace {

namespace http = boost::beast::http;
using eb::events::Schedule;
using eb::events::ScheduleGroup;
using eb::events::ScheduleInput;
using events::JsonRequest;

constexpr std::string_view kSchedules = "/schedules";
constexpr std::string_view kGroups = "/schedule-groups";
constexpr std::string_view kTags = "/tags/";

// One request in flight, with its decoded path parameter and query.
struct Call {
  aws::AwsRequest request;
  net::Respond respond;
  eb::events::Scheduler& scheduler;
  std::string label;  // the {Name} or {ResourceArn} of the path, decoded
  aws::FormPairs query;
  std::string out;
  JsonWriter json{out};

  std::optional<std::string> param(std::string_view name) const {
    for (const auto& [k, v] : query) {
      if (k == name) return v;
    }
    return std::nullopt;
  }
  std::vector<std::string> params(std::string_view name) const {
    std::vector<std::string> values;
    for (const auto& [k, v] : query) {
      if (k == name) values.push_back(v);
    }
    return values;
  }
  Result<std::optional<int>> int_param(std::string_view name) const {
    auto text = param(name);
    if (!text) return std::optional<int>();
    int value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size()) {
      return fail(Errc::kValidationError,
                  fmt::format("Value '{}' at '{}' is not an integer.", *text, name));
    }
    return std::optional<int>(value);
  }

  void reply() {
    if (out.empty()) json.begin_object().end_object();
    auto res = aws::aws_response(http::status::ok, "application/json", request.request_id,
                                 request.http.version(), request.http.keep_alive(), std::move(out));
    scheduler.when_durable(
        [respond = std::move(respond), res = std::make_shared<net::HttpResponse>(std::move(res))] {
          respond(std::move(*res));
        });
  }
};

// REST-JSON timestamps are epoch seconds.
void seconds(JsonWriter& json, std::string_view name, Millis ms) {
  json.key(name).raw(fmt::format("{}.{:03}", ms / 1000, ms % 1000));
}

void optional_member(JsonWriter& json, std::string_view name, const std::string& value) {
  if (!value.empty()) json.member(name, value);
}

Result<std::string> required(const JsonRequest& r, std::string_view name, std::string_view member) {
  return r.required_string(name, member);
}

Result<eb::events::ScheduleTarget> decode_target(const JsonRequest& body) {
  EB_ASSIGN_OR_RETURN(auto object, body.object("Target"));
  if (!object) return std::unexpected(events::missing_member("target"));
  const JsonRequest& t = *object;
  eb::events::ScheduleTarget target;
  EB_ASSIGN_OR_RETURN(target.arn, required(t, "Arn", "target.arn"));
  EB_ASSIGN_OR_RETURN(target.role_arn, required(t, "RoleArn", "target.roleArn"));
  EB_ASSIGN_OR_RETURN(target.input, t.string("Input"));
  EB_ASSIGN_OR_RETURN(auto retry, t.object("RetryPolicy"));
  if (retry) {
    EB_ASSIGN_OR_RETURN(auto age, retry->integer("MaximumEventAgeInSeconds"));
    EB_ASSIGN_OR_RETURN(auto attempts, retry->integer("MaximumRetryAttempts"));
    if (age) target.maximum_event_age_seconds = *age;
    if (attempts) target.maximum_retry_attempts = *attempts;
  }
  EB_ASSIGN_OR_RETURN(auto dead_letter, t.object("DeadLetterConfig"));
  if (dead_letter) {
    EB_ASSIGN_OR_RETURN(auto arn, dead_letter->string("Arn"));
    target.dead_letter_arn = arn.value_or("");
  }
  EB_ASSIGN_OR_RETURN(auto sqs, t.object("SqsParameters"));
  if (sqs) {
    EB_ASSIGN_OR_RETURN(target.sqs_message_group_id, sqs->string("MessageGroupId"));
  }
  EB_ASSIGN_OR_RETURN(auto bus, t.object("EventBridgeParameters"));
  if (bus) {
    EB_ASSIGN_OR_RETURN(target.detail_type,
                        required(*bus, "DetailType", "target.eventBridgeParameters.detailType"));
    EB_ASSIGN_OR_RETURN(target.source,
                        required(*bus, "Source", "target.eventBridgeParameters.source"));
  }
  // The other target types' parameters: kept as given.
  std::string others;
  JsonWriter json(others);
  bool any = false;
  for (std::string_view name :
       {"EcsParameters", "KinesisParameters", "SageMakerPipelineParameters"}) {
    EB_ASSIGN_OR_RETURN(auto parameters, t.object(name));
    if (!parameters) continue;
    if (!any) json.begin_object();
    any = true;
    json.key(name).raw(parameters->json());
  }
  if (any) {
    json.end_object();
    target.other_parameters = std::move(others);
  }
  return target;
}

Result<ScheduleInput> decode_schedule(Call& call) {
  EB_ASSIGN_OR_RETURN(auto body, JsonRequest::parse(call.request.http.body()));
  ScheduleInput in;
  in.name = call.label;
  EB_ASSIGN_OR_RETURN(in.group, body.string("GroupName"));
  EB_ASSIGN_OR_RETURN(in.expression, required(body, "ScheduleExpression", "scheduleExpression"));
  EB_ASSIGN_OR_RETURN(auto zone, body.string("ScheduleExpressionTimezone"));
  in.timezone = zone.value_or("");
  EB_ASSIGN_OR_RETURN(in.start_date, body.timestamp("StartDate"));
  EB_ASSIGN_OR_RETURN(in.end_date, body.timestamp("EndDate"));
  EB_ASSIGN_OR_RETURN(auto description, body.string("Description"));
  in.description = description.value_or("");
  EB_ASSIGN_OR_RETURN(auto state, body.string("State"));
  in.state = state.value_or("ENABLED");
  EB_ASSIGN_OR_RETURN(auto action, body.string("ActionAfterCompletion"));
  in.action_after_completion = action.value_or("NONE");
  EB_ASSIGN_OR_RETURN(auto kms, body.string("KmsKeyArn"));
  in.kms_key_arn = kms.value_or("");
  EB_ASSIGN_OR_RETURN(auto token, body.string("ClientToken"));
  in.client_token = token.value_or("");
  EB_ASSIGN_OR_RETURN(auto window, body.object("FlexibleTimeWindow"));
  if (!window) return std::unexpected(events::missing_member("flexibleTimeWindow"));
  EB_ASSIGN_OR_RETURN(in.flexible_mode, required(*window, "Mode", "flexibleTimeWindow.mode"));
  EB_ASSIGN_OR_RETURN(in.flexible_window_minutes, window->integer("MaximumWindowInMinutes"));
  EB_ASSIGN_OR_RETURN(in.target, decode_target(body));
  return in;
}

void write_target(JsonWriter& json, const eb::events::ScheduleTarget& t) {
  json.key("Target").begin_object().member("Arn", t.arn).member("RoleArn", t.role_arn);
  if (t.input) json.member("Input", *t.input);
  json.key("RetryPolicy")
      .begin_object()
      .member("MaximumEventAgeInSeconds", std::int64_t{t.maximum_event_age_seconds})
      .member("MaximumRetryAttempts", std::int64_t{t.maximum_retry_attempts})
      .end_object();
  if (!t.dead_letter_arn.empty()) {
    json.key("DeadLetterConfig").begin_object().member("Arn", t.dead_letter_arn).end_object();
  }
  if (t.sqs_message_group_id) {
    json.key("SqsParameters")
        .begin_object()
        .member("MessageGroupId", *t.sqs_message_group_id)
        .end_object();
  }
  if (t.detail_type) {
    json.key("EventBridgeParameters")
        .begin_object()
        .member("DetailType", *t.detail_type)
        .member("Source", t.source.value_or(""))
        .end_object();
  }
  if (!t.other_parameters.empty()) {
    // {"EcsParameters":{...},...}: its members, spliced into the target.
    simdjson::dom::parser parser;
    simdjson::dom::object others;
    if (!parser.parse(t.other_parameters).get(others)) {
      for (auto [key, value] : others) json.key(key).raw(simdjson::minify(value));
    }
  }
  json.end_object();
}

void write_schedule(JsonWriter& json, const Schedule& s) {
  const ScheduleInput& in = s.spec;
  json.begin_object()
      .member("ActionAfterCompletion", in.action_after_completion)
      .member("Arn", s.arn);
  seconds(json, "CreationDate", s.created);
  optional_member(json, "Description", in.description);
  if (in.end_date) seconds(json, "EndDate", *in.end_date);
  json.key("FlexibleTimeWindow").begin_object().member("Mode", in.flexible_mode);
  if (in.flexible_window_minutes) {
    json.member("MaximumWindowInMinutes", std::int64_t{*in.flexible_window_minutes});
  }
  json.end_object().member("GroupName", s.group());
  optional_member(json, "KmsKeyArn", in.kms_key_arn);
  seconds(json, "LastModificationDate", s.modified);
  json.member("Name", in.name).member("ScheduleExpression", in.expression);
  json.member("ScheduleExpressionTimezone", in.timezone.empty() ? "UTC" : in.timezone);
  if (in.start_date) seconds(json, "StartDate", *in.start_date);
  json.member("State", in.state);
  write_target(json, in.target);
  json.end_object();
}

void write_group(JsonWriter& json, const ScheduleGroup& g) {
  json.begin_object().member("Arn", g.arn);
  seconds(json, "CreationDate", g.created);
  seconds(json, "LastModificationDate", g.modified);
  json.member("Name", g.name).member("State", "ACTIVE").end_object();
}

// ---- Operations -----------------------------------------------------------------------------

Result<void> create_schedule(Call& call) {
  EB_ASSIGN_OR_RETURN(auto in, decode_schedule(call));
  EB_ASSIGN_OR_RETURN(auto arn, call.scheduler.create_schedule(std::move(in)));
  call.json.begin_object().member("ScheduleArn", arn).end_object();
  call.reply();
  return {};
}

Result<void> update_schedule(Call& call) {
  EB_ASSIGN_OR_RETURN(auto in, decode_schedule(call));
  EB_ASSIGN_OR_RETURN(auto arn, call.scheduler.update_schedule(std::move(in)));
  call.json.begin_object().member("ScheduleArn", arn).end_object();
  call.reply();
  return {};
}

Result<void> get_schedule(Call& call) {
  EB_ASSIGN_OR_RETURN(auto schedule,
                      call.scheduler.get_schedule(call.param("groupName"), call.label));
  write_schedule(call.json, schedule);
  call.reply();
  return {};
}

Result<void> delete_schedule(Call& call) {
  EB_TRY(call.scheduler.delete_schedule(call.param("groupName"), call.label));
  call.reply();
  return {};
}

Result<void> list_schedules(Call& call) {
  eb::events::ListSchedulesInput in;
  in.group = call.param("ScheduleGroup");
  in.name_prefix = call.param("NamePrefix");
  in.state = call.param("State");
  in.next_token = call.param("NextToken");
  EB_ASSIGN_OR_RETURN(in.max_results, call.int_param("MaxResults"));
  EB_ASSIGN_OR_RETURN(auto page, call.scheduler.list_schedules(in));
  JsonWriter& json = call.json;
  json.begin_object();
  if (!page.next_token.empty()) json.member("NextToken", page.next_token);
  json.key("Schedules").begin_array();
  for (const Schedule& s : page.items) {
    json.begin_object().member("Arn", s.arn);
    seconds(json, "CreationDate", s.created);
    json.member("GroupName", s.group());
    seconds(json, "LastModificationDate", s.modified);
    json.member("Name", s.spec.name).member("State", s.spec.state);
    json.key("Target").begin_object().member("Arn", s.spec.target.arn).end_object();
    json.end_object();
  }
  json.end_array().end_object();
  call.reply();
  return {};
}

Result<void> create_group(Call& call) {
  EB_ASSIGN_OR_RETURN(auto body, JsonRequest::parse(call.request.http.body()));
  EB_ASSIGN_OR_RETURN(auto tags, body.tags("Tags"));
  EB_ASSIGN_OR_RETURN(auto token, body.string("ClientToken"));
  EB_ASSIGN_OR_RETURN(auto arn, call.scheduler.create_group(call.label, tags, token.value_or("")));
  call.json.begin_object().member("ScheduleGroupArn", arn).end_object();
  call.reply();
  return {};
}

Result<void> get_group(Call& call) {
  EB_ASSIGN_OR_RETURN(auto group, call.scheduler.get_group(call.label));
  write_group(call.json, group);
  call.reply();
  return {};
}

Result<void> delete_group(Call& call) {
  EB_TRY(call.scheduler.delete_group(call.label));
  call.reply();
  return {};
}

Result<void> list_groups(Call& call) {
  eb::events::ListGroupsInput in;
  in.name_prefix = call.param("NamePrefix");
  in.next_token = call.param("NextToken");
  EB_ASSIGN_OR_RETURN(in.max_results, call.int_param("MaxResults"));
  EB_ASSIGN_OR_RETURN(auto page, call.scheduler.list_groups(in));
  JsonWriter& json = call.json;
  json.begin_object();
  if (!page.next_token.empty()) json.member("NextToken", page.next_token);
  json.key("ScheduleGroups").begin_array();
  for (const ScheduleGroup& g : page.items) write_group(json, g);
  json.end_array().end_object();
  call.reply();
  return {};
}

void write_tags(JsonWriter& json, const eb::events::Tags& tags) {
  json.key("Tags").begin_array();
  for (const auto& [k, v] : tags) {
    json.begin_object().member("Key", k).member("Value", v).end_object();
  }
  json.end_array();
}

Result<void> list_tags(Call& call) {
  EB_ASSIGN_OR_RETURN(auto tags, call.scheduler.list_tags(call.label));
  call.json.begin_object();
  write_tags(call.json, tags);
  call.json.end_object();
  call.reply();
  return {};
}

Result<void> tag_resource(Call& call) {
  EB_ASSIGN_OR_RETURN(auto body, JsonRequest::parse(call.request.http.body()));
  if (!body.has("Tags")) return std::unexpected(events::missing_member("tags"));
  EB_ASSIGN_OR_RETURN(auto tags, body.tags("Tags"));
  EB_TRY(call.scheduler.tag_resource(call.label, tags));
  call.reply();
  return {};
}

Result<void> untag_resource(Call& call) {
  auto keys = call.params("TagKeys");
  if (keys.empty()) return std::unexpected(events::missing_member("tagKeys"));
  EB_TRY(call.scheduler.untag_resource(call.label, keys));
  call.reply();
  return {};
}

using Operation = Result<void> (*)(Call&);

// The operation for a method on a path: {collection, label} from the model's request URIs.
Operation route(http::verb method, std::string_view collection, bool labelled) {
  if (collection == kSchedules) {
    if (!labelled) return method == http::verb::get ? list_schedules : nullptr;
    switch (method) {
      case http::verb::post:
        return create_schedule;
      case http::verb::put:
        return update_schedule;
      case http::verb::get:
        return get_schedule;
      case http::verb::delete_:
        return delete_schedule;
      default:
        return nullptr;
    }
  }
  if (collection == kGroups) {
    if (!labelled) return method == http::verb::get ? list_groups : nullptr;
    switch (method) {
      case http::verb::post:
        return create_group;
      case http::verb::get:
        return get_group;
      case http::verb::delete_:
        return delete_group;
      default:
        return nullptr;
    }
  }
  if (collection == "/tags" && labelled) {
    switch (method) {
      case http::verb::post:
        return tag_resource;
      case http::verb::get:
        return list_tags;
      case http::verb::delete_:
        return untag_resource;
      default:
        return nullptr;
    }
  }
  return nullptr;
}

}  // namespace

bool SchedulerService::owns_rest_path(std::string_view path) const {
  auto under = [&](std::string_view collection) {
    return path == collection || (path.starts_with(collection) && path.size() > collection.size() &&
                                  path[collection.size()] == '/');
  };
  // /tags/ is shared by many REST services; only scheduler ARNs are ours without a signature.
  return under(kSchedules) || under(kGroups) || path.starts_with("/tags/arn%3Aaws%3Ascheduler") ||
         path.starts_with("/tags/arn:aws:scheduler");
}

void SchedulerService::handle(aws::AwsRequest&& request, net::Respond respond) {
  Call call{std::move(request), std::move(respond), scheduler_};
  const std::string_view target = call.request.http.target();
  const std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  auto answer_error = [&](const Error& error) {
    call.respond(aws::scheduler_error_response(error, call.request.request_id,
                                               call.request.http.version(),
                                               call.request.http.keep_alive()));
  };
  if (question != std::string_view::npos) {
    auto query = aws::parse_form(target.substr(question + 1));
    if (!query) return answer_error(query.error());
    call.query = std::move(*query);
  }
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  std::string_view collection = path;
  bool labelled = false;
  const std::string_view tags = kTags;
  if (path.starts_with(tags)) {
    collection = "/tags";
    labelled = true;
    auto label = aws::url_decode(path.substr(tags.size()), false);
    if (!label) return answer_error(label.error());
    call.label = std::move(*label);
  } else if (const std::size_t slash = path.find('/', 1); slash != std::string_view::npos) {
    collection = path.substr(0, slash);
    labelled = true;
    auto label = aws::url_decode(path.substr(slash + 1), false);
    if (!label) return answer_error(label.error());
    call.label = std::move(*label);
  }
  const Operation operation = route(call.request.http.method(), collection, labelled);
  if (operation == nullptr) {
    return answer_error({Errc::kInvalidAction,
                         fmt::format("No operation matches {} {}.",
                                     std::string_view(call.request.http.method_string()), path)});
  }
  if (auto done = operation(call); !done) answer_error(done.error());
}

}  // namespace eb::api::scheduler
