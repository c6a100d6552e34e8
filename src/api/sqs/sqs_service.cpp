#include "api/sqs/sqs_service.hpp"

#include <fmt/format.h>

#include <memory>
#include <unordered_map>

#include "api/aws/error_table.hpp"
#include "api/sqs/params.hpp"
#include "api/sqs/queue_url.hpp"
#include "api/sqs/response_writer.hpp"
#include "core/encoding.hpp"
#include "sqs/queues.hpp"

namespace eb::api::sqs {
namespace http = boost::beast::http;

namespace {

// One SQS call in flight: the request, its decoded parameters and the way to answer.
// Shared so ReceiveMessage can answer after a long poll.
struct Call {
  aws::AwsRequest request;
  net::Respond respond;
  eb::sqs::Queues& broker;

  ResponseWriter writer() const {
    return ResponseWriter(request.protocol, request.action, request.request_id);
  }

  void reply(ResponseWriter& w) {
    net::HttpResponse res{http::status::ok, request.http.version()};
    res.set(http::field::content_type,
            request.protocol == aws::Protocol::kJson ? "application/x-amz-json-1.0" : "text/xml");
    res.set("x-amzn-RequestId", request.request_id);
    res.keep_alive(request.http.keep_alive());
    res.body() = w.finish();
    res.prepare_payload();
    // Acknowledge only once what this request wrote is as durable as the daemon promises
    // (immediate unless --durability fsync, then after the group commit covering it).
    broker.when_durable([respond = respond, res = std::make_shared<net::HttpResponse>(
                                                std::move(res))] { respond(std::move(*res)); });
  }

  void reply_empty() {
    auto w = writer();
    reply(w);
  }

  void error(const Error& e) {
    const unsigned version = request.http.version();
    const bool keep_alive = request.http.keep_alive();
    respond(request.protocol == aws::Protocol::kJson
                ? aws::json_error_response(e, request.request_id, version, keep_alive)
                : aws::xml_error_response(e, request.request_id, version, keep_alive));
  }

  std::string queue_url(const std::string& name) const {
    return make_queue_url(request.host, broker.options().account_id, name);
  }

  // The queue a call addresses: QueueUrl, or for the query protocol the URL it was posted to.
  Result<std::string> queue_name(const Params& params) const {
    auto url = params.string("QueueUrl");
    if (!url) return std::unexpected(url.error());
    if (!*url) {
      if (request.protocol == aws::Protocol::kQuery) {
        if (auto name = queue_name_from_path(request.http.target(), broker.options().account_id)) {
          return *name;
        }
      }
      return fail(Errc::kMissingParameter, "The request must contain the parameter QueueUrl.");
    }
    return queue_name_from_url(**url, broker.options().account_id);
  }
};

using CallPtr = std::shared_ptr<Call>;
using ActionFn = void (*)(const CallPtr&, const Params&);

// Unwraps a Result inside an action: answers the error and returns from the action.
// NOLINTBEGIN(bugprone-macro-parentheses): `var` names a declaration.
#define EB_TRY_OR_REPLY(var, expr)     \
  auto var##_result = (expr);          \
  if (!var##_result) {                 \
    call->error(var##_result.error()); \
    return;                            \
  }                                    \
  [[maybe_unused]] auto var = std::move(*var##_result)
// The same for a Result<void>.
#define EB_CHECK_OR_REPLY(expr)                        \
  if (auto checked_result = (expr); !checked_result) { \
    call->error(checked_result.error());               \
    return;                                            \
  }
// NOLINTEND(bugprone-macro-parentheses)

template <class T>
void write_batch(const CallPtr& call, const BatchOutput<T>& out, std::string_view result_entry,
                 void (*write_success)(ResponseWriter&, const T&)) {
  auto w = call->writer();
  w.begin_list("Successful", result_entry);
  for (const auto& [id, value] : out.successful) {
    w.begin_item().field("Id", id);
    if (write_success) write_success(w, value);
    w.end_item();
  }
  w.end_list();
  w.begin_list("Failed", "BatchResultErrorEntry");
  for (const auto& f : out.failed) {
    w.begin_item()
        .field("Id", f.id)
        .flag("SenderFault", f.sender_fault)
        .field("Code", aws::sqs_wire_error(f.error.code).code)
        .field("Message", f.error.message)
        .end_item();
  }
  w.end_list();
  call->reply(w);
}

Result<eb::sqs::SendInput> decode_send(const Params& p, const aws::AwsRequest& request) {
  eb::sqs::SendInput in;
  auto body = p.required_string("MessageBody");
  if (!body) return std::unexpected(body.error());
  in.body = std::move(*body);
  auto delay = p.integer("DelaySeconds");
  if (!delay) return std::unexpected(delay.error());
  in.delay_seconds = *delay;
  auto attrs = p.message_attributes("MessageAttributes", "MessageAttribute");
  if (!attrs) return std::unexpected(attrs.error());
  in.attributes = std::move(*attrs);
  auto sys = p.message_attributes("MessageSystemAttributes", "MessageSystemAttribute");
  if (!sys) return std::unexpected(sys.error());
  in.system_attributes = std::move(*sys);
  auto group = p.string("MessageGroupId");
  if (!group) return std::unexpected(group.error());
  in.group_id = std::move(*group);
  auto dedup = p.string("MessageDeduplicationId");
  if (!dedup) return std::unexpected(dedup.error());
  in.deduplication_id = std::move(*dedup);
  in.sender_id = request.access_key;
  return in;
}

void write_send(ResponseWriter& w, const eb::sqs::SendOutput& out) {
  w.field("MD5OfMessageBody", out.md5_of_body);
  if (!out.md5_of_attributes.empty()) w.field("MD5OfMessageAttributes", out.md5_of_attributes);
  if (!out.md5_of_system_attributes.empty()) {
    w.field("MD5OfMessageSystemAttributes", out.md5_of_system_attributes);
  }
  w.field("MessageId", out.message_id);
  if (!out.sequence_number.empty()) w.field("SequenceNumber", out.sequence_number);
}

void write_page(const CallPtr& call, const eb::sqs::ListQueuesOutput& out,
                std::string_view json_list) {
  auto w = call->writer();
  if (!out.names.empty() || json_list == "queueUrls") {
    w.begin_list(json_list, "QueueUrl");
    for (const auto& name : out.names) w.item(call->queue_url(name));
    w.end_list();
  }
  if (!out.next_token.empty()) w.field("NextToken", out.next_token);
  call->reply(w);
}

Result<eb::sqs::ListQueuesInput> decode_page(const Params& p) {
  eb::sqs::ListQueuesInput in;
  auto max = p.integer("MaxResults");
  if (!max) return std::unexpected(max.error());
  in.max_results = *max;
  auto token = p.string("NextToken");
  if (!token) return std::unexpected(token.error());
  in.next_token = token->value_or("");
  return in;
}

void create_queue(const CallPtr& call, const Params& p) {
  eb::sqs::CreateQueueInput in;
  EB_TRY_OR_REPLY(name, p.required_string("QueueName"));
  EB_TRY_OR_REPLY(attributes, p.string_map("Attributes", "Attribute", "Name", "Value"));
  EB_TRY_OR_REPLY(tags, p.string_map("tags", "Tag", "Key", "Value"));
  in.name = std::move(name);
  in.attributes = std::move(attributes);
  in.tags = std::move(tags);
  EB_TRY_OR_REPLY(created, call->broker.create_queue(in));
  auto w = call->writer();
  w.field("QueueUrl", call->queue_url(created));
  call->reply(w);
}

void delete_queue(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  EB_CHECK_OR_REPLY(call->broker.delete_queue(queue));
  call->reply_empty();
}

void get_queue_url(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(name, p.required_string("QueueName"));
  EB_TRY_OR_REPLY(owner, p.string("QueueOwnerAWSAccountId"));
  if (owner && *owner != call->broker.options().account_id) {
    call->error({Errc::kQueueDoesNotExist, "The specified queue does not exist."});
    return;
  }
  EB_TRY_OR_REPLY(found, call->broker.get_queue(name));
  auto w = call->writer();
  w.field("QueueUrl", call->queue_url(found));
  call->reply(w);
}

void list_queues(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(in, decode_page(p));
  EB_TRY_OR_REPLY(prefix, p.string("QueueNamePrefix"));
  in.prefix = prefix.value_or("");
  EB_TRY_OR_REPLY(out, call->broker.list_queues(in));
  write_page(call, out, "QueueUrls");
}

void get_queue_attributes(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  EB_TRY_OR_REPLY(names, p.strings("AttributeNames", "AttributeName"));
  EB_TRY_OR_REPLY(attributes, call->broker.get_queue_attributes(queue, names));
  auto w = call->writer();
  if (!attributes.empty()) {
    w.begin_map("Attributes", "Attribute");
    for (const auto& [k, v] : attributes) w.entry(k, v);
    w.end_map();
  }
  call->reply(w);
}

void set_queue_attributes(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  if (!p.has("Attributes", "Attribute")) {
    call->error({Errc::kMissingParameter, "The request must contain the parameter Attributes."});
    return;
  }
  EB_TRY_OR_REPLY(attributes, p.string_map("Attributes", "Attribute", "Name", "Value"));
  EB_CHECK_OR_REPLY(call->broker.set_queue_attributes(queue, attributes));
  call->reply_empty();
}

void send_message(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  EB_TRY_OR_REPLY(in, decode_send(p, call->request));
  EB_TRY_OR_REPLY(out, call->broker.send_message(queue, std::move(in)));
  auto w = call->writer();
  write_send(w, out);
  call->reply(w);
}

void send_message_batch(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  EB_TRY_OR_REPLY(entries, p.entries("Entries", "SendMessageBatchRequestEntry"));
  std::vector<BatchEntry<eb::sqs::SendInput>> batch;
  batch.reserve(entries.size());
  for (const Params& e : entries) {
    EB_TRY_OR_REPLY(id, e.required_string("Id"));
    EB_TRY_OR_REPLY(in, decode_send(e, call->request));
    batch.push_back({std::move(id), std::move(in)});
  }
  EB_TRY_OR_REPLY(out, call->broker.send_message_batch(queue, std::move(batch)));
  write_batch<eb::sqs::SendOutput>(call, out, "SendMessageBatchResultEntry", &write_send);
}

void receive_message(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  eb::sqs::ReceiveInput in;
  EB_TRY_OR_REPLY(names, p.strings("AttributeNames", "AttributeName"));
  EB_TRY_OR_REPLY(system_names,
                  p.strings("MessageSystemAttributeNames", "MessageSystemAttributeName"));
  names.insert(names.end(), system_names.begin(), system_names.end());
  in.system_attribute_names = std::move(names);
  EB_TRY_OR_REPLY(message_names, p.strings("MessageAttributeNames", "MessageAttributeName"));
  in.message_attribute_names = std::move(message_names);
  EB_TRY_OR_REPLY(max, p.integer("MaxNumberOfMessages"));
  EB_TRY_OR_REPLY(visibility, p.integer("VisibilityTimeout"));
  EB_TRY_OR_REPLY(wait, p.integer("WaitTimeSeconds"));
  EB_TRY_OR_REPLY(attempt, p.string("ReceiveRequestAttemptId"));
  in.max_messages = max;
  in.visibility_timeout = visibility;
  in.wait_seconds = wait;
  in.receive_request_attempt_id = attempt.value_or("");
  call->broker.receive_message(queue, std::move(in), [call](auto result) {
    if (!result) return call->error(result.error());
    auto w = call->writer();
    if (!result->empty()) {
      w.begin_list("Messages", "Message");
      for (const auto& m : *result) {
        w.begin_item()
            .field("MessageId", m.message_id)
            .field("ReceiptHandle", m.receipt_handle)
            .field("MD5OfBody", m.md5_of_body)
            .field("Body", m.body);
        if (!m.attributes.empty()) {
          w.begin_map("Attributes", "Attribute");
          for (const auto& [k, v] : m.attributes) w.entry(k, v);
          w.end_map();
        }
        if (!m.message_attributes.empty()) {
          w.field("MD5OfMessageAttributes", m.md5_of_attributes);
          w.begin_map("MessageAttributes", "MessageAttribute");
          for (const auto& [k, v] : m.message_attributes) {
            w.begin_entry(k);
            if (v.is_binary()) {
              w.field("BinaryValue", base64_encode(v.binary_value));
            } else {
              w.field("StringValue", v.string_value);
            }
            w.field("DataType", v.data_type).end_entry();
          }
          w.end_map();
        }
        w.end_item();
      }
      w.end_list();
    }
    call->reply(w);
  });
}

void delete_message(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  EB_TRY_OR_REPLY(handle, p.required_string("ReceiptHandle"));
  EB_CHECK_OR_REPLY(call->broker.delete_message(queue, handle));
  call->reply_empty();
}

void delete_message_batch(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  EB_TRY_OR_REPLY(entries, p.entries("Entries", "DeleteMessageBatchRequestEntry"));
  std::vector<BatchEntry<std::string>> batch;
  for (const Params& e : entries) {
    EB_TRY_OR_REPLY(id, e.required_string("Id"));
    EB_TRY_OR_REPLY(handle, e.required_string("ReceiptHandle"));
    batch.push_back({std::move(id), std::move(handle)});
  }
  EB_TRY_OR_REPLY(out, call->broker.delete_message_batch(queue, std::move(batch)));
  write_batch<NoOutput>(call, out, "DeleteMessageBatchResultEntry", nullptr);
}

void change_message_visibility(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  EB_TRY_OR_REPLY(handle, p.required_string("ReceiptHandle"));
  EB_TRY_OR_REPLY(timeout, p.integer("VisibilityTimeout"));
  EB_CHECK_OR_REPLY(call->broker.change_message_visibility(queue, {handle, timeout}));
  call->reply_empty();
}

void change_message_visibility_batch(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  EB_TRY_OR_REPLY(entries, p.entries("Entries", "ChangeMessageVisibilityBatchRequestEntry"));
  std::vector<BatchEntry<eb::sqs::ChangeVisibilityInput>> batch;
  for (const Params& e : entries) {
    EB_TRY_OR_REPLY(id, e.required_string("Id"));
    EB_TRY_OR_REPLY(handle, e.required_string("ReceiptHandle"));
    EB_TRY_OR_REPLY(timeout, e.integer("VisibilityTimeout"));
    batch.push_back({std::move(id), {std::move(handle), timeout}});
  }
  EB_TRY_OR_REPLY(out, call->broker.change_message_visibility_batch(queue, std::move(batch)));
  write_batch<NoOutput>(call, out, "ChangeMessageVisibilityBatchResultEntry", nullptr);
}

void purge_queue(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  EB_CHECK_OR_REPLY(call->broker.purge_queue(queue));
  call->reply_empty();
}

void tag_queue(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  EB_TRY_OR_REPLY(tags, p.string_map("Tags", "Tag", "Key", "Value"));
  EB_CHECK_OR_REPLY(call->broker.tag_queue(queue, tags));
  call->reply_empty();
}

void untag_queue(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  EB_TRY_OR_REPLY(keys, p.strings("TagKeys", "TagKey"));
  EB_CHECK_OR_REPLY(call->broker.untag_queue(queue, keys));
  call->reply_empty();
}

void list_queue_tags(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  EB_TRY_OR_REPLY(tags, call->broker.list_queue_tags(queue));
  auto w = call->writer();
  if (!tags.empty()) {
    w.begin_map("Tags", "Tag", "Key", "Value");
    for (const auto& [k, v] : tags) w.entry(k, v);
    w.end_map();
  }
  call->reply(w);
}

void list_dead_letter_source_queues(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  EB_TRY_OR_REPLY(in, decode_page(p));
  EB_TRY_OR_REPLY(out, call->broker.list_dead_letter_source_queues(queue, in));
  write_page(call, out, "queueUrls");
}

void start_message_move_task(const CallPtr& call, const Params& p) {
  eb::sqs::MoveTaskInput in;
  EB_TRY_OR_REPLY(source, p.required_string("SourceArn"));
  EB_TRY_OR_REPLY(destination, p.string("DestinationArn"));
  EB_TRY_OR_REPLY(rate, p.integer("MaxNumberOfMessagesPerSecond"));
  in.source_arn = std::move(source);
  in.destination_arn = destination.value_or("");
  in.max_per_second = rate;
  EB_TRY_OR_REPLY(handle, call->broker.start_message_move_task(in));
  auto w = call->writer();
  w.field("TaskHandle", handle);
  call->reply(w);
}

void cancel_message_move_task(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(handle, p.required_string("TaskHandle"));
  EB_TRY_OR_REPLY(moved, call->broker.cancel_message_move_task(handle));
  auto w = call->writer();
  w.field("ApproximateNumberOfMessagesMoved", moved);
  call->reply(w);
}

void list_message_move_tasks(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(source, p.required_string("SourceArn"));
  EB_TRY_OR_REPLY(max, p.integer("MaxResults"));
  EB_TRY_OR_REPLY(tasks, call->broker.list_message_move_tasks(source, max));
  auto w = call->writer();
  w.begin_list("Results", "ListMessageMoveTasksResultEntry");
  for (const auto& t : tasks) {
    w.begin_item();
    if (t.status == "RUNNING") w.field("TaskHandle", t.task_handle);
    w.field("Status", t.status).field("SourceArn", t.source_arn);
    if (!t.destination_arn.empty()) w.field("DestinationArn", t.destination_arn);
    if (t.max_per_second) {
      w.field("MaxNumberOfMessagesPerSecond", static_cast<std::int64_t>(*t.max_per_second));
    }
    w.field("ApproximateNumberOfMessagesMoved", t.moved);
    w.field("ApproximateNumberOfMessagesToMove", t.to_move);
    if (!t.failure_reason.empty()) w.field("FailureReason", t.failure_reason);
    w.field("StartedTimestamp", t.started);
    w.end_item();
  }
  w.end_list();
  call->reply(w);
}

void add_permission(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  eb::sqs::PermissionInput in;
  EB_TRY_OR_REPLY(label, p.required_string("Label"));
  EB_TRY_OR_REPLY(accounts, p.strings("AWSAccountIds", "AWSAccountId"));
  EB_TRY_OR_REPLY(actions, p.strings("Actions", "ActionName"));
  in.label = std::move(label);
  in.account_ids = std::move(accounts);
  in.actions = std::move(actions);
  EB_CHECK_OR_REPLY(call->broker.add_permission(queue, in));
  call->reply_empty();
}

void remove_permission(const CallPtr& call, const Params& p) {
  EB_TRY_OR_REPLY(queue, call->queue_name(p));
  EB_TRY_OR_REPLY(label, p.required_string("Label"));
  EB_CHECK_OR_REPLY(call->broker.remove_permission(queue, label));
  call->reply_empty();
}

#undef EB_TRY

const std::unordered_map<std::string_view, ActionFn>& actions() {
  static const std::unordered_map<std::string_view, ActionFn> table = {
      {"AddPermission", &add_permission},
      {"CancelMessageMoveTask", &cancel_message_move_task},
      {"ChangeMessageVisibility", &change_message_visibility},
      {"ChangeMessageVisibilityBatch", &change_message_visibility_batch},
      {"CreateQueue", &create_queue},
      {"DeleteMessage", &delete_message},
      {"DeleteMessageBatch", &delete_message_batch},
      {"DeleteQueue", &delete_queue},
      {"GetQueueAttributes", &get_queue_attributes},
      {"GetQueueUrl", &get_queue_url},
      {"ListDeadLetterSourceQueues", &list_dead_letter_source_queues},
      {"ListMessageMoveTasks", &list_message_move_tasks},
      {"ListQueueTags", &list_queue_tags},
      {"ListQueues", &list_queues},
      {"PurgeQueue", &purge_queue},
      {"ReceiveMessage", &receive_message},
      {"RemovePermission", &remove_permission},
      {"SendMessage", &send_message},
      {"SendMessageBatch", &send_message_batch},
      {"SetQueueAttributes", &set_queue_attributes},
      {"StartMessageMoveTask", &start_message_move_task},
      {"TagQueue", &tag_queue},
      {"UntagQueue", &untag_queue},
  };
  return table;
}

}  // namespace

SqsService::SqsService(eb::sqs::Queues& broker) : queues_(broker) {}

bool SqsService::knows_action(std::string_view action) const { return actions().contains(action); }

void SqsService::handle(aws::AwsRequest&& request, net::Respond respond) {
  auto call = std::make_shared<Call>(Call{std::move(request), std::move(respond), queues_});
  auto it = actions().find(call->request.action);
  if (it == actions().end()) {
    call->error({Errc::kInvalidAction, fmt::format("The action {} is not valid for this endpoint.",
                                                   call->request.action)});
    return;
  }
  // The parameters live for this call only: a parked receive keeps what it decoded, not
  // the request document.
  if (call->request.protocol == aws::Protocol::kJson) {
    auto params = Params::from_json(call->request.http.body());
    if (!params) return call->error(params.error());
    it->second(call, *params);
  } else {
    it->second(call, Params::from_form(call->request.form));
  }
}

}  // namespace eb::api::sqs
