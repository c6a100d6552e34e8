#pragma once
// Response encoding for SQS, one encoder per result, each writing either protocol: JSON 1.0
// gets {"Member": ...}; the query protocol gets
// <ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>... with SQS's flattened
// lists (<QueueUrl> repeated) and maps (<Attribute><Name/><Value/></Attribute>). Stateless
// functions; safe from any thread.
#include <string>
#include <string_view>
#include <vector>

#include "api/aws/service.hpp"
#include "sqs/types.hpp"

namespace eb::api::sqs {

inline constexpr std::string_view kXmlNamespace = "http://queue.amazonaws.com/doc/2012-11-05/";

// Which answer a body is: the protocol, the action (names the XML elements) and the request id
// (echoed in <ResponseMetadata>).
struct ResponseContext {
  aws::Protocol protocol = aws::Protocol::kJson;
  std::string_view action;
  std::string_view request_id;
};

// Actions without output members (DeleteQueue, DeleteMessage, TagQueue, ...).
std::string encode_empty(const ResponseContext& context);
// CreateQueue and GetQueueUrl.
std::string encode_queue_url(const ResponseContext& context, std::string_view url);
// ListQueues (`urls_member` "QueueUrls", omitted when empty) and ListDeadLetterSourceQueues
// ("queueUrls", always present): `urls` are the names' URLs, in order.
std::string encode_queue_urls(const ResponseContext& context, std::string_view urls_member,
                              const std::vector<std::string>& urls, std::string_view next_token);
// GetQueueAttributes ("Attributes") and ListQueueTags ("Tags"); an empty map is omitted.
std::string encode_attributes(const ResponseContext& context, const eb::AttributeMap& attributes);
std::string encode_tags(const ResponseContext& context, const eb::TagMap& tags);
std::string encode_send_message(const ResponseContext& context, const eb::sqs::SendOutput& out);
// Failed entries carry SQS's error code for their Errc (api/aws/error_table).
std::string encode_send_message_batch(const ResponseContext& context,
                                      const BatchOutput<eb::sqs::SendOutput>& out);
// DeleteMessageBatch and ChangeMessageVisibilityBatch: ids only, each in a `result_entry`
// element ("DeleteMessageBatchResultEntry").
std::string encode_batch(const ResponseContext& context, std::string_view result_entry,
                         const BatchOutput<NoOutput>& out);
std::string encode_receive_message(const ResponseContext& context,
                                   const std::vector<eb::sqs::ReceivedMessage>& messages);
std::string encode_start_message_move_task(const ResponseContext& context,
                                           std::string_view task_handle);
std::string encode_cancel_message_move_task(const ResponseContext& context, std::int64_t moved);
std::string encode_list_message_move_tasks(const ResponseContext& context,
                                           const std::vector<eb::sqs::MoveTaskInfo>& tasks);

}  // namespace eb::api::sqs
