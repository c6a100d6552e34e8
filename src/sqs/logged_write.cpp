#include "sqs/logged_write.hpp"

namespace eb::sqs {

const Result<void>& LoggedWrite::commit() {
  // The event-log records join the batch here, unlocked: envelope parsing is not cheap.
  storage::EventSink::Staged logged;
  if (!incoming_.empty()) logged = events_->stage(incoming_, batch_);
  written_ = engine_.write(batch_);
  if (!incoming_.empty()) events_->finish(logged, written_.has_value());
  return written_;
}

}  // namespace eb::sqs
