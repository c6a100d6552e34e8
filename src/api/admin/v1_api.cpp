#include "api/admin/v1_api.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <boost/beast/http/verb.hpp>
#include <charconv>
#include <mutex>
#include <optional>
#include <vector>

#include "api/admin/query.hpp"
#include "api/admin/responses.hpp"
#include "api/aws/form.hpp"
#include "core/clock.hpp"
#include "core/encoding.hpp"
#include "core/json_writer.hpp"
#include "eventlog/event_log.hpp"
#include "eventlog/replay.hpp"
#include "net/response_stream.hpp"
#include "sns/endpoint_delivery.hpp"

namespace eb::api::admin {
namespace http = boost::beast::http;
using eventlog::Event;

namespace {

// "event": the envelope as stored (whitespace dropped), or "body": the text of anything else.
void write_body(JsonWriter& j, const Event& e) {
  if (e.envelope) {
    j.key("event").raw(eventlog::minify_json(e.body));
  } else {
    j.key("body").string(e.body);
  }
}

void write_attributes(JsonWriter& j, const MessageAttributes& attributes) {
  if (attributes.empty()) return;
  j.key("attributes").begin_object();
  for (const auto& [name, value] : attributes) {
    j.key(name).begin_object().key("DataType").string(value.data_type);
    if (value.is_binary()) {
      j.key("BinaryValue").string(base64_encode(value.binary_value));
    } else {
      j.key("StringValue").string(value.string_value);
    }
    j.end_object();
  }
  j.end_object();
}

// One item of /v1/events (and of the SSE tail's data lines).
void write_event_item(JsonWriter& j, const Event& e) {
  j.begin_object();
  j.key("seq").unsigned_number(e.seq);
  j.key("timestamp").string(utc_timestamp(e.timestamp));
  j.key("source").string(e.source_arn);
  if (e.stream.empty()) {
    j.key("stream").null();
  } else {
    j.key("stream").string(e.stream);
    j.key("streamVersion").number(e.stream_version);
  }
  j.key("messageId").string(e.message_id);
  if (e.envelope) j.key("type").string(e.envelope->type);
  write_attributes(j, e.attributes);
  write_body(j, e);
  j.end_object();
}

std::string event_item(const Event& e) {
  std::string out;
  JsonWriter j(out);
  write_event_item(j, e);
  return out;
}

net::HttpResponse not_found(std::string_view method, std::string_view path) {
  return error_response(http::status::not_found, "NotFound",
                        fmt::format("No route for {} {}", method, path));
}

net::HttpResponse bad_request(std::string_view message) {
  return error_response(http::status::bad_request, "ValidationError", message);
}

eventlog::EventFilter event_filter(const Query& query) {
  return eventlog::EventFilter{.source = query.get("source"),
                               .type = query.get("type"),
                               .correlation_id = query.get("correlationId"),
                               .stream = query.get("stream")};
}

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

Result<simdjson::dom::object> parse_object(std::string_view body) {
  simdjson::dom::element doc;
  if (auto err = thread_parser().parse(body.data(), body.size()).get(doc)) {
    return fail(Errc::kMalformedRequest, fmt::format("The request body is not valid JSON: {}",
                                                     simdjson::error_message(err)));
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object)) {
    return fail(Errc::kMalformedRequest, "The request body must be a JSON object");
  }
  return object;
}

std::optional<simdjson::dom::element> member(simdjson::dom::object object, std::string_view key) {
  simdjson::dom::element e;
  if (object.at_key(key).get(e) || e.is_null()) return std::nullopt;
  return e;
}

Result<std::optional<std::uint64_t>> json_seq(simdjson::dom::object object, std::string_view key) {
  auto e = member(object, key);
  if (!e) return std::optional<std::uint64_t>{};
  std::uint64_t v = 0;
  if (e->get_uint64().get(v)) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("{} must be a non-negative integer", key));
  }
  return std::optional<std::uint64_t>{v};
}

Result<eventlog::ExpectedVersion> expected_version(simdjson::dom::object body) {
  auto e = member(body, "expectedVersion");
  if (!e) return eventlog::ExpectedVersion::any();
  std::string_view text;
  if (!e->get_string().get(text)) {
    if (text == "any") return eventlog::ExpectedVersion::any();
  } else if (std::int64_t v = 0; !e->get_int64().get(v)) {
    if (v == -1) return eventlog::ExpectedVersion::no_stream();
    if (v >= 0) return eventlog::ExpectedVersion::exact(v);
  }
  return fail(Errc::kInvalidParameterValue,
              "expectedVersion must be \"any\", -1 (no stream yet) or a version >= 0");
}

void write_outbox_record(JsonWriter& j, const eb::sns::OutboxRecord& r) {
  j.begin_object();
  j.key("seq").unsigned_number(r.seq);
  j.key("timestamp").string(utc_timestamp(r.time));
  j.key("protocol").string(r.protocol);
  j.key("endpoint").string(r.endpoint);
  j.key("subscriptionArn").string(r.subscription_arn);
  j.key("topicArn").string(r.topic_arn);
  j.key("messageType").string(r.message_type);
  j.key("messageId").string(r.message_id);
  j.key("body").string(r.body);
  j.key("outcome").string(r.outcome);
  // Only HTTP/S and API destination deliveries make attempts; the others are recorded, not sent.
  if (r.attempts > 0) {
    j.key("attempts").number(r.attempts);
    j.key("httpStatus").number(r.http_status);
    if (!r.error.empty()) j.key("error").string(r.error);
  }
  j.end_object();
}

void write_replay(JsonWriter& j, const eventlog::ReplayStatus& s) {
  j.begin_object();
  j.key("replayId").string(s.id);
  j.key("state").string(eventlog::to_string(s.state));
  j.key("total").unsigned_number(s.total);
  j.key("replayed").unsigned_number(s.replayed);
  j.key("fromSeq").unsigned_number(s.spec.from_seq);
  j.key("toSeq").unsigned_number(s.spec.to_seq.value_or(0));
  if (!s.spec.types.empty()) {
    j.key("types").begin_array();
    for (const auto& t : s.spec.types) j.string(t);
    j.end_array();
  }
  if (!s.spec.source.empty()) j.key("source").string(s.spec.source);
  j.key("target").string(s.spec.target);
  if (s.spec.rate_per_second > 0)
    j.key("ratePerSecond").raw(fmt::format("{}", s.spec.rate_per_second));
  j.key("createdAt").string(utc_timestamp(s.created));
  j.key("updatedAt").string(utc_timestamp(s.updated));
  if (!s.error.empty()) j.key("error").string(s.error);
  j.end_object();
}

std::string replay_json(const eventlog::ReplayStatus& s) {
  std::string out;
  JsonWriter j(out);
  write_replay(j, s);
  return out;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    auto slash = path.find('/');
    out.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// A Server-Sent Events tail of the log: catch-up from `after`, then live. It pulls pages from
// the log whenever the watermark moves or the connection drains, writing only while the
// stream takes data, so a slow client holds at most the stream's buffer and never misses an
// event (it resumes from its cursor). One pump runs at a time; a wake-up during it makes it
// go round once more.
class Tail : public std::enable_shared_from_this<Tail> {
 public:
  Tail(eventlog::EventLog& log, std::shared_ptr<net::ResponseStream> stream,
       eventlog::EventFilter filter, std::uint64_t after,
       std::shared_ptr<std::atomic<std::size_t>> count)
      : log_(log),
        stream_(std::move(stream)),
        filter_(std::move(filter)),
        count_(std::move(count)),
        cursor_(after) {}

  void start() {
    std::weak_ptr<Tail> weak = weak_from_this();
    stream_->on_writable([weak] {
      if (auto self = weak.lock()) self->pump();
    });
    stream_->on_close([weak] {
      if (auto self = weak.lock()) self->stop();
    });
    // The listener holds the tail: it lives until its connection closes.
    listener_ = log_.subscribe([self = shared_from_this()] { self->pump(); });
    // Tells EventSource clients how soon to reconnect, and gets the headers out at once.
    stream_->write("retry: 1000\n\n");
    pump();
  }

  void pump() {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      if (pumping_) {
        again_ = true;
        return;
      }
      pumping_ = true;
    }
    for (;;) {
      if (!pending_.empty()) {
        if (!stream_->write(pending_)) {
          if (another_round()) continue;
          return;  // on_writable resumes
        }
        pending_.clear();
      }
      auto page = log_.read(cursor_, kDefaultPageSize, filter_);
      if (!page) {
        stream_->write(fmt::format("event: error\ndata: {}\n\n",
                                   error_response(http::status::service_unavailable,
                                                  "ServiceUnavailable", page.error().message)
                                       .body()));
        stream_->end();
        if (another_round()) continue;
        return;
      }
      bool blocked = false;
      for (const Event& e : page->events) {
        cursor_ = e.seq;
        std::string text = fmt::format("id: {}\ndata: {}\n\n", e.seq, event_item(e));
        if (!stream_->write(text)) {
          pending_ = std::move(text);
          blocked = true;
          break;
        }
      }
      if (!blocked && page->next) continue;
      if (!blocked) cursor_ = std::max(cursor_, page->scanned_through);
      if (!another_round()) return;
    }
  }

 private:
  // Ends a round; true when a wake-up (new events, or room in the stream) arrived during it,
  // so that nothing that happened meanwhile is missed.
  bool another_round() {
    std::lock_guard lock(mu_);
    if (again_ && !stopped_) {
      again_ = false;
      return true;
    }
    pumping_ = false;
    return false;
  }

  void stop() {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    log_.unsubscribe(listener_);
    count_->fetch_sub(1);
  }

  eventlog::EventLog& log_;
  const std::shared_ptr<net::ResponseStream> stream_;
  const eventlog::EventFilter filter_;
  std::shared_ptr<std::atomic<std::size_t>> count_;
  std::uint64_t listener_ = 0;

  std::mutex mu_;
  bool pumping_ = false;
  bool again_ = false;
  bool stopped_ = false;
  // Touched only by the pump in progress.
  std::uint64_t cursor_;
  std::string pending_;  // an event the stream refused, sent first next time
};

}  // namespace

V1Api::V1Api(eventlog::EventLog& log, eventlog::Replays* replays,
             eb::sns::EndpointDeliveries* outbox)
    : log_(log),
      replays_(replays),
      outbox_(outbox),
      tails_(std::make_shared<std::atomic<std::size_t>>(0)) {}

void V1Api::handle(net::HttpRequest&& request, const net::Respond& respond) {
  const std::string_view target = request.target();
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  const std::string_view method = request.method_string();
  const http::verb verb = request.method();

  std::vector<std::string> parts;
  for (auto& raw : split_path(path.substr(std::min<std::size_t>(path.size(), 4)))) {
    auto decoded = aws::url_decode(raw, false);
    if (!decoded) return respond(bad_request(fmt::format("Bad %-escape in path {}", path)));
    parts.push_back(std::move(*decoded));
  }
  if (!path.starts_with("/v1/") || parts.empty()) return respond(not_found(method, path));

  auto only = [&](http::verb allowed, std::string_view allowed_text) {
    return verb == allowed ? std::optional<net::HttpResponse>()
                           : std::optional(method_not_allowed(path, allowed_text));
  };
  const std::string& head = parts[0];
  if (head == "streams" && parts.size() == 3 && !parts[1].empty()) {
    if (parts[2] == "events") {
      if (verb == http::verb::post) return respond(append(request, parts[1]));
      if (verb == http::verb::get) return respond(read_stream(parts[1], query));
      return respond(method_not_allowed(path, "GET, POST"));
    }
    if (parts[2] == "state") {
      if (auto wrong = only(http::verb::get, "GET")) return respond(std::move(*wrong));
      return respond(stream_state(parts[1]));
    }
  }
  if (head == "events" && parts.size() == 1) {
    if (auto wrong = only(http::verb::get, "GET")) return respond(std::move(*wrong));
    return respond(read_events(query));
  }
  if (head == "events" && parts.size() == 2 && parts[1] == "stream") {
    if (auto wrong = only(http::verb::get, "GET")) return respond(std::move(*wrong));
    return respond(tail(request, query));
  }
  if (head == "trace" && parts.size() == 2 && !parts[1].empty()) {
    if (auto wrong = only(http::verb::get, "GET")) return respond(std::move(*wrong));
    return respond(trace(parts[1]));
  }
  if (head == "replays" && replays_ != nullptr) {
    if (parts.size() == 1) {
      if (verb == http::verb::post) return respond(start_replay(request));
      if (verb == http::verb::get) return respond(list_replays());
      return respond(method_not_allowed(path, "GET, POST"));
    }
    if (parts.size() == 2 && !parts[1].empty()) {
      if (verb != http::verb::get && verb != http::verb::delete_) {
        return respond(method_not_allowed(path, "GET, DELETE"));
      }
      return respond(replay(request, parts[1]));
    }
  }
  if (head == "outbox" && parts.size() == 1 && outbox_ != nullptr) {
    if (verb == http::verb::get) return respond(list_outbox(query));
    if (verb == http::verb::delete_) return respond(clear_outbox());
    return respond(method_not_allowed(path, "GET, DELETE"));
  }
  respond(not_found(method, path));
}

net::HttpResponse V1Api::append(const net::HttpRequest& request, const std::string& stream) {
  auto body = parse_object(request.body());
  if (!body) return domain_error(body.error());
  auto expected = expected_version(*body);
  if (!expected) return domain_error(expected.error());
  auto events_member = member(*body, "events");
  if (!events_member) return bad_request("events is required (an array of events)");
  simdjson::dom::array array;
  if (events_member->get_array().get(array)) {
    return bad_request("events must be an array of events");
  }
  std::vector<std::string> events;
  for (auto element : array) {
    if (events.size() == eventlog::kMaxAppendEvents) {
      return bad_request(
          fmt::format("events holds more than {} events", eventlog::kMaxAppendEvents));
    }
    events.push_back(simdjson::to_string(element));
  }
  auto result = log_.append(stream, *expected, events);
  if (!result) return domain_error(result.error());
  using Outcome = eventlog::AppendResult::Outcome;
  const std::string current = fmt::format(R"("currentVersion":{})", result->current_version);
  switch (result->outcome) {
    case Outcome::kWrongExpectedVersion:
      return error_response(
          http::status::conflict, "WrongExpectedVersion",
          fmt::format("Stream {} is at version {}", stream, result->current_version), current);
    case Outcome::kDuplicateEvent: {
      std::string ids;
      for (const auto& id : result->duplicate_ids) ids += (ids.empty() ? "" : ", ") + id;
      return error_response(
          http::status::conflict, "DuplicateEvent",
          fmt::format("Events {} are already in stream {}; the others are not: append them "
                      "without the duplicates",
                      ids, stream),
          current);
    }
    case Outcome::kAppended:
    case Outcome::kAlreadyAppended:
      break;
  }
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  j.key("streamId").string(stream);
  j.key("firstVersion").number(result->first_version);
  j.key("lastVersion").number(result->last_version);
  j.key("positions").begin_array();
  for (auto seq : result->positions) j.unsigned_number(seq);
  j.end_array();
  j.end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse V1Api::read_stream(const std::string& stream, std::string_view query_text) {
  auto query = Query::parse(query_text);
  if (!query) return domain_error(query.error());
  auto from = query->non_negative("from", 0);
  if (!from) return domain_error(from.error());
  auto limit = query->limit(kDefaultPageSize, eventlog::kMaxPageSize);
  if (!limit) return domain_error(limit.error());
  const auto start = static_cast<std::int64_t>(
      std::min<std::uint64_t>(*from, std::numeric_limits<std::int64_t>::max()));
  auto page = log_.read_stream(stream, start, *limit);
  if (!page) return domain_error(page.error(), "StreamNotFound");
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  j.key("streamId").string(stream);
  j.key("events").begin_array();
  std::optional<std::int64_t> next = page->next;
  for (const Event& e : page->events) {
    if (out.size() > kMaxPageBytes) {
      next = e.stream_version;
      break;
    }
    j.begin_object();
    j.key("version").number(e.stream_version);
    j.key("seq").unsigned_number(e.seq);
    j.key("timestamp").string(utc_timestamp(e.timestamp));
    write_body(j, e);
    j.end_object();
  }
  j.end_array();
  j.key("next");
  next ? j.number(*next) : j.null();
  j.end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse V1Api::stream_state(const std::string& stream) {
  auto state = log_.state(stream);
  if (!state) return domain_error(state.error(), "StreamNotFound");
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  j.key("streamId").string(stream);
  j.key("version").number(state->version);
  j.key("projection").string(state->projection);
  j.key("state").raw(state->state_json);
  j.end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse V1Api::read_events(std::string_view query_text) {
  auto query = Query::parse(query_text);
  if (!query) return domain_error(query.error());
  auto after = query->non_negative("after", 0);
  if (!after) return domain_error(after.error());
  auto limit = query->limit(kDefaultPageSize, eventlog::kMaxPageSize);
  if (!limit) return domain_error(limit.error());
  auto page = log_.read(*after, *limit, event_filter(*query));
  if (!page) return domain_error(page.error());
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  j.key("events").begin_array();
  std::optional<std::uint64_t> next = page->next;
  std::uint64_t last = 0;
  for (const Event& e : page->events) {
    if (out.size() > kMaxPageBytes) {
      next = last;
      break;
    }
    write_event_item(j, e);
    last = e.seq;
  }
  j.end_array();
  j.key("next");
  next ? j.unsigned_number(*next) : j.null();
  j.end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse V1Api::tail(const net::HttpRequest& request, std::string_view query_text) {
  auto query = Query::parse(query_text);
  if (!query) return domain_error(query.error());
  auto after = query->non_negative("after", 0);
  if (!after) return domain_error(after.error());
  // A reconnecting EventSource resumes after the last id it saw.
  if (auto it = request.find("Last-Event-ID"); it != request.end()) {
    std::uint64_t v = 0;
    const std::string_view text = it->value();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && end == text.data() + text.size()) *after = v;
  }
  if (tails_->fetch_add(1) >= kMaxLiveTails) {
    tails_->fetch_sub(1);
    return error_response(http::status::service_unavailable, "LimitExceeded",
                          fmt::format("{} live streams are open already", kMaxLiveTails));
  }
  auto stream = std::make_shared<net::ResponseStream>();
  auto tail = std::make_shared<Tail>(log_, stream, event_filter(*query), *after, tails_);
  tail->start();
  net::HttpResponse res{http::status::ok, 11};
  res.set(http::field::content_type, "text/event-stream");
  res.set(http::field::cache_control, "no-store");
  res.set("X-Accel-Buffering", "no");
  res.stream = std::move(stream);
  return res;
}

net::HttpResponse V1Api::trace(const std::string& correlation_id) {
  auto trace = log_.trace(correlation_id);
  if (!trace) return domain_error(trace.error());
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  j.key("correlationId").string(correlation_id);
  j.key("roots").begin_array();
  // Depth-first with an explicit stack: a causation chain can be thousands deep.
  auto open = [&](std::size_t index) {
    const Event& e = trace->nodes[index].event;
    j.begin_object();
    j.key("seq").unsigned_number(e.seq);
    j.key("timestamp").string(utc_timestamp(e.timestamp));
    j.key("source").string(e.source_arn);
    write_body(j, e);
    j.key("children").begin_array();
  };
  for (std::size_t root : trace->roots) {
    std::vector<std::pair<std::size_t, std::size_t>> stack{{root, 0}};
    open(root);
    while (!stack.empty()) {
      auto& [node, next_child] = stack.back();
      const auto& children = trace->nodes[node].children;
      if (next_child < children.size()) {
        const std::size_t child = children[next_child++];
        open(child);
        stack.emplace_back(child, 0);
      } else {
        j.end_array().end_object();
        stack.pop_back();
      }
    }
  }
  j.end_array();
  if (trace->truncated) j.key("truncated").boolean(true);
  j.end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse V1Api::start_replay(const net::HttpRequest& request) {
  auto body = parse_object(request.body());
  if (!body) return domain_error(body.error());
  eventlog::ReplaySpec spec;
  auto from = json_seq(*body, "fromSeq");
  if (!from) return domain_error(from.error());
  spec.from_seq = from->value_or(0);
  auto to = json_seq(*body, "toSeq");
  if (!to) return domain_error(to.error());
  spec.to_seq = *to;
  if (auto types = member(*body, "types")) {
    simdjson::dom::array array;
    if (types->get_array().get(array)) return bad_request("types must be an array of strings");
    for (auto t : array) {
      std::string_view text;
      if (t.get_string().get(text) || text.empty()) {
        return bad_request("types must be an array of non-empty strings");
      }
      spec.types.emplace_back(text);
    }
  }
  if (auto source = member(*body, "source")) {
    std::string_view text;
    if (source->get_string().get(text)) return bad_request("source must be a string");
    spec.source = std::string(text);
  }
  auto target = member(*body, "target");
  std::string_view target_text;
  if (!target || target->get_string().get(target_text) || target_text.empty()) {
    return bad_request("target is required (a queue URL or ARN, or a topic ARN)");
  }
  spec.target = std::string(target_text);
  if (auto rate = member(*body, "ratePerSecond")) {
    double v = 0;
    if (rate->get_double().get(v) || !(v > 0)) {
      return bad_request("ratePerSecond must be a number above 0");
    }
    spec.rate_per_second = v;
  }
  auto started = replays_->start(std::move(spec));
  if (!started) return domain_error(started.error());
  return json_response(http::status::accepted, replay_json(*started));
}

net::HttpResponse V1Api::replay(const net::HttpRequest& request, const std::string& id) {
  auto status = request.method() == http::verb::delete_ ? replays_->cancel(id) : replays_->get(id);
  if (!status) return domain_error(status.error(), "ReplayNotFound");
  return json_response(http::status::ok, replay_json(*status));
}

net::HttpResponse V1Api::list_replays() {
  std::string out;
  JsonWriter j(out);
  j.begin_object().key("replays").begin_array();
  for (const auto& s : replays_->list()) write_replay(j, s);
  j.end_array().end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse V1Api::list_outbox(std::string_view query_text) {
  auto query = Query::parse(query_text);
  if (!query) return domain_error(query.error());
  auto after = query->non_negative("after", 0);
  if (!after) return domain_error(after.error());
  auto limit = query->non_negative("limit", kDefaultPageSize);
  if (!limit) return domain_error(limit.error());
  if (*limit == 0) return bad_request("limit must be at least 1");
  auto page = outbox_->list(eb::sns::OutboxFilter{
      .protocol = query->get("protocol"),
      .endpoint = query->get("endpoint"),
      .topic_arn = query->get("topicArn"),
      .subscription_arn = query->get("subscriptionArn"),
      .after = *after,
      .limit = static_cast<std::size_t>(std::min<std::uint64_t>(*limit, kMaxOutboxPage))});
  std::string out;
  JsonWriter j(out);
  j.begin_object().key("messages").begin_array();
  for (const auto& r : page.records) write_outbox_record(j, r);
  j.end_array();
  j.key("next");
  if (page.more && !page.records.empty()) {
    j.unsigned_number(page.records.back().seq);
  } else {
    j.null();
  }
  j.end_object();
  return json_response(http::status::ok, std::move(out));
}

net::HttpResponse V1Api::clear_outbox() {
  const std::size_t cleared = outbox_->clear();
  return json_response(http::status::ok, fmt::format(R"({{"cleared":{}}})", cleared));
}

}  // namespace eb::api::admin
