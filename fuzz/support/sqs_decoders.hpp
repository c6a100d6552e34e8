#pragma once
// Every SQS action's decoder over one set of parameters: the JSON 1.0 and query targets both
// read their input through all of them (decoding is cheap; which action a client names does not
// change how the parameters are read).
#include "api/sqs/params.hpp"
#include "api/sqs/request.hpp"

namespace eb::fuzz {

// Evaluates its arguments (the decoders' results) and drops them.
template <class... Results>
void discard(const Results&... /*results*/) {}

inline void decode_every_sqs_action(const api::sqs::Params& p) {
  namespace sqs = api::sqs;
  const sqs::RequestContext context{
      .path = "/000000000000/fuzz-queue", .account_id = "000000000000", .sender_id = "AKIDFUZZ"};
  discard(sqs::decode_queue(p, context), sqs::decode_create_queue(p),
          sqs::decode_get_queue_url(p, context), sqs::decode_list_queues(p),
          sqs::decode_get_queue_attributes(p, context),
          sqs::decode_set_queue_attributes(p, context), sqs::decode_send_message(p, context),
          sqs::decode_send_message_batch(p, context), sqs::decode_receive_message(p, context),
          sqs::decode_delete_message(p, context), sqs::decode_delete_message_batch(p, context),
          sqs::decode_change_message_visibility(p, context),
          sqs::decode_change_message_visibility_batch(p, context),
          sqs::decode_tag_queue(p, context), sqs::decode_untag_queue(p, context),
          sqs::decode_list_dead_letter_source_queues(p, context),
          sqs::decode_start_message_move_task(p), sqs::decode_cancel_message_move_task(p),
          sqs::decode_list_message_move_tasks(p), sqs::decode_add_permission(p, context),
          sqs::decode_remove_permission(p, context));
}

}  // namespace eb::fuzz
