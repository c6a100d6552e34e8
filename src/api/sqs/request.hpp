#pragma once
// Request decoding for SQS, one decoder per action, each reading either protocol through
// `Params` (JSON 1.0 document or query form): the inputs of one `sqs::Queues` call. Errors
// (missing members, wrong JSON types, bad integers or base64) are worded as SQS words them.
// Stateless functions; safe from any thread.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/sqs/params.hpp"
#include "core/errors.hpp"
#include "sqs/types.hpp"

namespace eb::api::sqs {

// What decoding needs besides the parameters.
struct RequestContext {
  // The request target: query-protocol clients POST to the queue URL instead of naming it.
  std::string_view path;
  std::string_view account_id;  // ours: queue URLs and GetQueueUrl's QueueOwnerAWSAccountId
  std::string_view sender_id;   // the caller's access key id, recorded as SenderId
};

// An action's input addressed to one queue (QueueUrl, decoded to its name).
template <class T>
struct QueueCall {
  std::string queue;
  T input;
};

// A call with nothing but its queue: DeleteQueue, PurgeQueue, ListQueueTags.
Result<std::string> decode_queue(const Params& p, const RequestContext& context);

Result<eb::sqs::CreateQueueInput> decode_create_queue(const Params& p);
// The queue name; a QueueOwnerAWSAccountId other than ours names no queue of ours.
Result<std::string> decode_get_queue_url(const Params& p, const RequestContext& context);
Result<eb::sqs::ListQueuesInput> decode_list_queues(const Params& p);
Result<QueueCall<std::vector<std::string>>> decode_get_queue_attributes(
    const Params& p, const RequestContext& context);
Result<QueueCall<eb::AttributeMap>> decode_set_queue_attributes(const Params& p,
                                                                const RequestContext& context);
Result<QueueCall<eb::sqs::SendInput>> decode_send_message(const Params& p,
                                                          const RequestContext& context);
Result<QueueCall<std::vector<BatchEntry<eb::sqs::SendInput>>>> decode_send_message_batch(
    const Params& p, const RequestContext& context);
Result<QueueCall<eb::sqs::ReceiveInput>> decode_receive_message(const Params& p,
                                                                const RequestContext& context);
// The receipt handle.
Result<QueueCall<std::string>> decode_delete_message(const Params& p,
                                                     const RequestContext& context);
Result<QueueCall<std::vector<BatchEntry<std::string>>>> decode_delete_message_batch(
    const Params& p, const RequestContext& context);
Result<QueueCall<eb::sqs::ChangeVisibilityInput>> decode_change_message_visibility(
    const Params& p, const RequestContext& context);
Result<QueueCall<std::vector<BatchEntry<eb::sqs::ChangeVisibilityInput>>>>
decode_change_message_visibility_batch(const Params& p, const RequestContext& context);
Result<QueueCall<eb::TagMap>> decode_tag_queue(const Params& p, const RequestContext& context);
// The tag keys.
Result<QueueCall<std::vector<std::string>>> decode_untag_queue(const Params& p,
                                                               const RequestContext& context);
Result<QueueCall<eb::sqs::ListQueuesInput>> decode_list_dead_letter_source_queues(
    const Params& p, const RequestContext& context);
Result<eb::sqs::MoveTaskInput> decode_start_message_move_task(const Params& p);
// The task handle.
Result<std::string> decode_cancel_message_move_task(const Params& p);

struct ListMoveTasksInput {
  std::string source_arn;
  std::optional<int> max_results;
};
Result<ListMoveTasksInput> decode_list_message_move_tasks(const Params& p);
Result<QueueCall<eb::sqs::PermissionInput>> decode_add_permission(const Params& p,
                                                                  const RequestContext& context);
// The label.
Result<QueueCall<std::string>> decode_remove_permission(const Params& p,
                                                        const RequestContext& context);

}  // namespace eb::api::sqs
