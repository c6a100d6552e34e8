#include "api/sqs/sqs_service.hpp"

#include <fmt/format.h>

#include <memory>
#include <unordered_map>

#include "api/aws/error_table.hpp"
#include "api/aws/reply.hpp"
#include "api/sqs/params.hpp"
#include "api/sqs/queue_url.hpp"
#include "api/sqs/request.hpp"
#include "api/sqs/response.hpp"
#include "core/encoding.hpp"
#include "sqs/queues.hpp"

namespace eb::api::sqs {

namespace {

// One SQS call in flight: the request and the way to answer it. Shared so ReceiveMessage can
// answer after a long poll.
struct Call {
  aws::AwsRequest request;
  net::Respond respond;
  eb::sqs::Queues& queues;
  const SqsService::SignEnvelope& sign_envelope;

  RequestContext context() const {
    return {request.http.target(), queues.options().account_id, request.access_key};
  }
  ResponseContext response() const {
    return {request.protocol, request.action, request.request_id};
  }

  void reply(std::string&& body) {
    queues.when_durable(aws::success_reply(request, respond, std::move(body)));
  }

  void error(const Error& e) {
    const unsigned version = request.http.version();
    const bool keep_alive = request.http.keep_alive();
    respond(request.protocol == aws::Protocol::kJson
                ? aws::json_error_response(e, request.request_id, version, keep_alive)
                : aws::xml_error_response(e, request.request_id, version, keep_alive));
  }

  std::string queue_url(const std::string& name) const {
    return make_queue_url(request.host, queues.options().account_id, name);
  }
};

using CallPtr = std::shared_ptr<Call>;
// Each action decodes, makes one Queues call and encodes. An error from any step comes back
// to SqsService::handle, which answers it.
using ActionFn = Result<void> (*)(const CallPtr&, const Params&);

Result<void> create_queue(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_create_queue(p));
  EB_ASSIGN_OR_RETURN(auto created, call->queues.create_queue(in));
  call->reply(encode_queue_url(call->response(), call->queue_url(created)));
  return {};
}

Result<void> delete_queue(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto queue, decode_queue(p, call->context()));
  EB_TRY(call->queues.delete_queue(queue));
  call->reply(encode_empty(call->response()));
  return {};
}

Result<void> get_queue_url(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto name, decode_get_queue_url(p, call->context()));
  EB_ASSIGN_OR_RETURN(auto found, call->queues.get_queue(name));
  call->reply(encode_queue_url(call->response(), call->queue_url(found)));
  return {};
}

// ListQueues ("QueueUrls") and ListDeadLetterSourceQueues ("queueUrls").
void reply_urls(const CallPtr& call, std::string_view member,
                const eb::sqs::ListQueuesOutput& out) {
  std::vector<std::string> urls;
  urls.reserve(out.names.size());
  for (const auto& name : out.names) urls.push_back(call->queue_url(name));
  call->reply(encode_queue_urls(call->response(), member, urls, out.next_token));
}

Result<void> list_queues(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_list_queues(p));
  EB_ASSIGN_OR_RETURN(auto out, call->queues.list_queues(in));
  reply_urls(call, "QueueUrls", out);
  return {};
}

Result<void> get_queue_attributes(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_get_queue_attributes(p, call->context()));
  EB_ASSIGN_OR_RETURN(auto attributes, call->queues.get_queue_attributes(in.queue, in.input));
  call->reply(encode_attributes(call->response(), attributes));
  return {};
}

Result<void> set_queue_attributes(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_set_queue_attributes(p, call->context()));
  EB_TRY(call->queues.set_queue_attributes(in.queue, in.input));
  call->reply(encode_empty(call->response()));
  return {};
}

Result<void> send_message(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_send_message(p, call->context()));
  EB_ASSIGN_OR_RETURN(auto out, call->queues.send_message(in.queue, std::move(in.input)));
  call->reply(encode_send_message(call->response(), out));
  return {};
}

Result<void> send_message_batch(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_send_message_batch(p, call->context()));
  EB_ASSIGN_OR_RETURN(auto out, call->queues.send_message_batch(in.queue, std::move(in.input)));
  call->reply(encode_send_message_batch(call->response(), out));
  return {};
}

Result<void> receive_message(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_receive_message(p, call->context()));
  call->queues.receive_message(in.queue, std::move(in.input), [call](auto result) {
    if (!result) return call->error(result.error());
    for (eb::sqs::ReceivedMessage& m : *result) {
      if (!m.signature_deferred || !call->sign_envelope) continue;
      call->sign_envelope(m.body);
      const Md5Digest digest = md5(m.body);
      m.md5_of_body = to_hex(digest.data(), digest.size());
    }
    call->reply(encode_receive_message(call->response(), *result));
  });
  return {};
}

Result<void> delete_message(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_delete_message(p, call->context()));
  EB_TRY(call->queues.delete_message(in.queue, in.input));
  call->reply(encode_empty(call->response()));
  return {};
}

Result<void> delete_message_batch(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_delete_message_batch(p, call->context()));
  EB_ASSIGN_OR_RETURN(auto out, call->queues.delete_message_batch(in.queue, std::move(in.input)));
  call->reply(encode_batch(call->response(), "DeleteMessageBatchResultEntry", out));
  return {};
}

Result<void> change_message_visibility(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_change_message_visibility(p, call->context()));
  EB_TRY(call->queues.change_message_visibility(in.queue, in.input));
  call->reply(encode_empty(call->response()));
  return {};
}

Result<void> change_message_visibility_batch(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_change_message_visibility_batch(p, call->context()));
  EB_ASSIGN_OR_RETURN(auto out,
                      call->queues.change_message_visibility_batch(in.queue, std::move(in.input)));
  call->reply(encode_batch(call->response(), "ChangeMessageVisibilityBatchResultEntry", out));
  return {};
}

Result<void> purge_queue(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto queue, decode_queue(p, call->context()));
  EB_TRY(call->queues.purge_queue(queue));
  call->reply(encode_empty(call->response()));
  return {};
}

Result<void> tag_queue(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_tag_queue(p, call->context()));
  EB_TRY(call->queues.tag_queue(in.queue, in.input));
  call->reply(encode_empty(call->response()));
  return {};
}

Result<void> untag_queue(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_untag_queue(p, call->context()));
  EB_TRY(call->queues.untag_queue(in.queue, in.input));
  call->reply(encode_empty(call->response()));
  return {};
}

Result<void> list_queue_tags(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto queue, decode_queue(p, call->context()));
  EB_ASSIGN_OR_RETURN(auto tags, call->queues.list_queue_tags(queue));
  call->reply(encode_tags(call->response(), tags));
  return {};
}

Result<void> list_dead_letter_source_queues(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_list_dead_letter_source_queues(p, call->context()));
  EB_ASSIGN_OR_RETURN(auto out, call->queues.list_dead_letter_source_queues(in.queue, in.input));
  reply_urls(call, "queueUrls", out);
  return {};
}

Result<void> start_message_move_task(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_start_message_move_task(p));
  EB_ASSIGN_OR_RETURN(auto handle, call->queues.start_message_move_task(in));
  call->reply(encode_start_message_move_task(call->response(), handle));
  return {};
}

Result<void> cancel_message_move_task(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto handle, decode_cancel_message_move_task(p));
  EB_ASSIGN_OR_RETURN(auto moved, call->queues.cancel_message_move_task(handle));
  call->reply(encode_cancel_message_move_task(call->response(), moved));
  return {};
}

Result<void> list_message_move_tasks(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_list_message_move_tasks(p));
  EB_ASSIGN_OR_RETURN(auto tasks,
                      call->queues.list_message_move_tasks(in.source_arn, in.max_results));
  call->reply(encode_list_message_move_tasks(call->response(), tasks));
  return {};
}

Result<void> add_permission(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_add_permission(p, call->context()));
  EB_TRY(call->queues.add_permission(in.queue, in.input));
  call->reply(encode_empty(call->response()));
  return {};
}

Result<void> remove_permission(const CallPtr& call, const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_remove_permission(p, call->context()));
  EB_TRY(call->queues.remove_permission(in.queue, in.input));
  call->reply(encode_empty(call->response()));
  return {};
}

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

// The parameters of the request and the action's run over them. They live for this call
// only: a parked receive keeps what it decoded, not the request document.
Result<void> run(const CallPtr& call, ActionFn action) {
  if (call->request.protocol == aws::Protocol::kJson) {
    EB_ASSIGN_OR_RETURN(auto params, Params::from_json(call->request.http.body()));
    return action(call, params);
  }
  return action(call, Params::from_form(call->request.form));
}

}  // namespace

SqsService::SqsService(eb::sqs::Queues& queues, SignEnvelope sign_envelope)
    : queues_(queues), sign_envelope_(std::move(sign_envelope)) {}

bool SqsService::knows_action(std::string_view action) const { return actions().contains(action); }

void SqsService::handle(aws::AwsRequest&& request, net::Respond respond) {
  // Built in place: a temporary Call moved in cost a second move of the whole request.
  auto call =
      std::make_shared<Call>(std::move(request), std::move(respond), queues_, sign_envelope_);
  auto it = actions().find(call->request.action);
  auto done = it == actions().end()
                  ? Result<void>(fail(Errc::kInvalidAction,
                                      fmt::format("The action {} is not valid for this endpoint.",
                                                  call->request.action)))
                  : run(call, it->second);
  if (!done) call->error(done.error());
}

}  // namespace eb::api::sqs
