#include "api/sqs/request.hpp"

#include <utility>

#include "api/sqs/queue_url.hpp"

namespace eb::api::sqs {
namespace {

// SendMessage and each SendMessageBatch entry share these members.
Result<eb::sqs::SendInput> decode_send(const Params& p, const RequestContext& context) {
  eb::sqs::SendInput in;
  EB_ASSIGN_OR_RETURN(in.body, p.required_string("MessageBody"));
  EB_ASSIGN_OR_RETURN(in.delay_seconds, p.integer("DelaySeconds"));
  EB_ASSIGN_OR_RETURN(in.attributes, p.message_attributes("MessageAttributes", "MessageAttribute"));
  EB_ASSIGN_OR_RETURN(in.system_attributes,
                      p.message_attributes("MessageSystemAttributes", "MessageSystemAttribute"));
  EB_ASSIGN_OR_RETURN(in.group_id, p.string("MessageGroupId"));
  EB_ASSIGN_OR_RETURN(in.deduplication_id, p.string("MessageDeduplicationId"));
  in.sender_id = std::string(context.sender_id);
  return in;
}

// MaxResults and NextToken of the paged lists.
Result<eb::sqs::ListQueuesInput> decode_page(const Params& p) {
  eb::sqs::ListQueuesInput in;
  EB_ASSIGN_OR_RETURN(in.max_results, p.integer("MaxResults"));
  EB_ASSIGN_OR_RETURN(auto token, p.string("NextToken"));
  in.next_token = std::move(token).value_or("");
  return in;
}

// The batch entries of `json_name` / `query_member`, each decoded by `decode_entry`.
template <class T, class Decode>
Result<QueueCall<std::vector<BatchEntry<T>>>> decode_batch(const Params& p,
                                                           const RequestContext& context,
                                                           std::string_view json_name,
                                                           std::string_view query_member,
                                                           Decode decode_entry) {
  QueueCall<std::vector<BatchEntry<T>>> out;
  EB_ASSIGN_OR_RETURN(out.queue, decode_queue(p, context));
  EB_ASSIGN_OR_RETURN(auto entries, p.entries(json_name, query_member));
  out.input.reserve(entries.size());
  for (const Params& e : entries) {
    EB_ASSIGN_OR_RETURN(auto id, e.required_string("Id"));
    EB_ASSIGN_OR_RETURN(auto in, decode_entry(e));
    out.input.push_back({std::move(id), std::move(in)});
  }
  return out;
}

}  // namespace

Result<std::string> decode_queue(const Params& p, const RequestContext& context) {
  EB_ASSIGN_OR_RETURN(auto url, p.string("QueueUrl"));
  if (!url) {
    if (!p.is_json()) {
      if (auto name = queue_name_from_path(context.path, context.account_id)) return *name;
    }
    return fail(Errc::kMissingParameter, "The request must contain the parameter QueueUrl.");
  }
  return queue_name_from_url(*url, context.account_id);
}

Result<eb::sqs::CreateQueueInput> decode_create_queue(const Params& p) {
  eb::sqs::CreateQueueInput in;
  EB_ASSIGN_OR_RETURN(in.name, p.required_string("QueueName"));
  EB_ASSIGN_OR_RETURN(in.attributes, p.string_map("Attributes", "Attribute", "Name", "Value"));
  EB_ASSIGN_OR_RETURN(in.tags, p.string_map("tags", "Tag", "Key", "Value"));
  return in;
}

Result<std::string> decode_get_queue_url(const Params& p, const RequestContext& context) {
  EB_ASSIGN_OR_RETURN(auto name, p.required_string("QueueName"));
  EB_ASSIGN_OR_RETURN(auto owner, p.string("QueueOwnerAWSAccountId"));
  if (owner && *owner != context.account_id) {
    return fail(Errc::kQueueDoesNotExist, "The specified queue does not exist.");
  }
  return name;
}

Result<eb::sqs::ListQueuesInput> decode_list_queues(const Params& p) {
  EB_ASSIGN_OR_RETURN(auto in, decode_page(p));
  EB_ASSIGN_OR_RETURN(auto prefix, p.string("QueueNamePrefix"));
  in.prefix = std::move(prefix).value_or("");
  return in;
}

Result<QueueCall<std::vector<std::string>>> decode_get_queue_attributes(
    const Params& p, const RequestContext& context) {
  QueueCall<std::vector<std::string>> out;
  EB_ASSIGN_OR_RETURN(out.queue, decode_queue(p, context));
  EB_ASSIGN_OR_RETURN(out.input, p.strings("AttributeNames", "AttributeName"));
  return out;
}

Result<QueueCall<eb::AttributeMap>> decode_set_queue_attributes(const Params& p,
                                                                const RequestContext& context) {
  QueueCall<eb::AttributeMap> out;
  EB_ASSIGN_OR_RETURN(out.queue, decode_queue(p, context));
  if (!p.has("Attributes", "Attribute")) {
    return fail(Errc::kMissingParameter, "The request must contain the parameter Attributes.");
  }
  EB_ASSIGN_OR_RETURN(out.input, p.string_map("Attributes", "Attribute", "Name", "Value"));
  return out;
}

Result<QueueCall<eb::sqs::SendInput>> decode_send_message(const Params& p,
                                                          const RequestContext& context) {
  QueueCall<eb::sqs::SendInput> out;
  EB_ASSIGN_OR_RETURN(out.queue, decode_queue(p, context));
  EB_ASSIGN_OR_RETURN(out.input, decode_send(p, context));
  return out;
}

Result<QueueCall<std::vector<BatchEntry<eb::sqs::SendInput>>>> decode_send_message_batch(
    const Params& p, const RequestContext& context) {
  return decode_batch<eb::sqs::SendInput>(p, context, "Entries", "SendMessageBatchRequestEntry",
                                          [&](const Params& e) { return decode_send(e, context); });
}

Result<QueueCall<eb::sqs::ReceiveInput>> decode_receive_message(const Params& p,
                                                                const RequestContext& context) {
  QueueCall<eb::sqs::ReceiveInput> out;
  eb::sqs::ReceiveInput& in = out.input;
  EB_ASSIGN_OR_RETURN(out.queue, decode_queue(p, context));
  EB_ASSIGN_OR_RETURN(in.system_attribute_names, p.strings("AttributeNames", "AttributeName"));
  EB_ASSIGN_OR_RETURN(auto system_names,
                      p.strings("MessageSystemAttributeNames", "MessageSystemAttributeName"));
  in.system_attribute_names.insert(in.system_attribute_names.end(),
                                   std::make_move_iterator(system_names.begin()),
                                   std::make_move_iterator(system_names.end()));
  EB_ASSIGN_OR_RETURN(in.message_attribute_names,
                      p.strings("MessageAttributeNames", "MessageAttributeName"));
  EB_ASSIGN_OR_RETURN(in.max_messages, p.integer("MaxNumberOfMessages"));
  EB_ASSIGN_OR_RETURN(in.visibility_timeout, p.integer("VisibilityTimeout"));
  EB_ASSIGN_OR_RETURN(in.wait_seconds, p.integer("WaitTimeSeconds"));
  EB_ASSIGN_OR_RETURN(auto attempt, p.string("ReceiveRequestAttemptId"));
  in.receive_request_attempt_id = std::move(attempt).value_or("");
  return out;
}

Result<QueueCall<std::string>> decode_delete_message(const Params& p,
                                                     const RequestContext& context) {
  QueueCall<std::string> out;
  EB_ASSIGN_OR_RETURN(out.queue, decode_queue(p, context));
  EB_ASSIGN_OR_RETURN(out.input, p.required_string("ReceiptHandle"));
  return out;
}

Result<QueueCall<std::vector<BatchEntry<std::string>>>> decode_delete_message_batch(
    const Params& p, const RequestContext& context) {
  return decode_batch<std::string>(
      p, context, "Entries", "DeleteMessageBatchRequestEntry",
      [](const Params& e) { return e.required_string("ReceiptHandle"); });
}

namespace {

Result<eb::sqs::ChangeVisibilityInput> decode_visibility(const Params& p) {
  eb::sqs::ChangeVisibilityInput in;
  EB_ASSIGN_OR_RETURN(in.receipt_handle, p.required_string("ReceiptHandle"));
  EB_ASSIGN_OR_RETURN(in.visibility_timeout, p.integer("VisibilityTimeout"));
  return in;
}

}  // namespace

Result<QueueCall<eb::sqs::ChangeVisibilityInput>> decode_change_message_visibility(
    const Params& p, const RequestContext& context) {
  QueueCall<eb::sqs::ChangeVisibilityInput> out;
  EB_ASSIGN_OR_RETURN(out.queue, decode_queue(p, context));
  EB_ASSIGN_OR_RETURN(out.input, decode_visibility(p));
  return out;
}

Result<QueueCall<std::vector<BatchEntry<eb::sqs::ChangeVisibilityInput>>>>
decode_change_message_visibility_batch(const Params& p, const RequestContext& context) {
  return decode_batch<eb::sqs::ChangeVisibilityInput>(
      p, context, "Entries", "ChangeMessageVisibilityBatchRequestEntry", &decode_visibility);
}

Result<QueueCall<eb::TagMap>> decode_tag_queue(const Params& p, const RequestContext& context) {
  QueueCall<eb::TagMap> out;
  EB_ASSIGN_OR_RETURN(out.queue, decode_queue(p, context));
  EB_ASSIGN_OR_RETURN(out.input, p.string_map("Tags", "Tag", "Key", "Value"));
  return out;
}

Result<QueueCall<std::vector<std::string>>> decode_untag_queue(const Params& p,
                                                               const RequestContext& context) {
  QueueCall<std::vector<std::string>> out;
  EB_ASSIGN_OR_RETURN(out.queue, decode_queue(p, context));
  EB_ASSIGN_OR_RETURN(out.input, p.strings("TagKeys", "TagKey"));
  return out;
}

Result<QueueCall<eb::sqs::ListQueuesInput>> decode_list_dead_letter_source_queues(
    const Params& p, const RequestContext& context) {
  QueueCall<eb::sqs::ListQueuesInput> out;
  EB_ASSIGN_OR_RETURN(out.queue, decode_queue(p, context));
  EB_ASSIGN_OR_RETURN(out.input, decode_page(p));
  return out;
}

Result<eb::sqs::MoveTaskInput> decode_start_message_move_task(const Params& p) {
  eb::sqs::MoveTaskInput in;
  EB_ASSIGN_OR_RETURN(in.source_arn, p.required_string("SourceArn"));
  EB_ASSIGN_OR_RETURN(auto destination, p.string("DestinationArn"));
  EB_ASSIGN_OR_RETURN(in.max_per_second, p.integer("MaxNumberOfMessagesPerSecond"));
  in.destination_arn = std::move(destination).value_or("");
  return in;
}

Result<std::string> decode_cancel_message_move_task(const Params& p) {
  return p.required_string("TaskHandle");
}

Result<ListMoveTasksInput> decode_list_message_move_tasks(const Params& p) {
  ListMoveTasksInput in;
  EB_ASSIGN_OR_RETURN(in.source_arn, p.required_string("SourceArn"));
  EB_ASSIGN_OR_RETURN(in.max_results, p.integer("MaxResults"));
  return in;
}

Result<QueueCall<eb::sqs::PermissionInput>> decode_add_permission(const Params& p,
                                                                  const RequestContext& context) {
  QueueCall<eb::sqs::PermissionInput> out;
  EB_ASSIGN_OR_RETURN(out.queue, decode_queue(p, context));
  EB_ASSIGN_OR_RETURN(out.input.label, p.required_string("Label"));
  EB_ASSIGN_OR_RETURN(out.input.account_ids, p.strings("AWSAccountIds", "AWSAccountId"));
  EB_ASSIGN_OR_RETURN(out.input.actions, p.strings("Actions", "ActionName"));
  return out;
}

Result<QueueCall<std::string>> decode_remove_permission(const Params& p,
                                                        const RequestContext& context) {
  QueueCall<std::string> out;
  EB_ASSIGN_OR_RETURN(out.queue, decode_queue(p, context));
  EB_ASSIGN_OR_RETURN(out.input, p.required_string("Label"));
  return out;
}

}  // namespace eb::api::sqs
