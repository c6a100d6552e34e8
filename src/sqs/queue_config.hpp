#pragma once
// The settable attributes of a queue, parsed and validated. Parsing is where AWS's rules
// for each attribute live (ranges, JSON policies); rendering gives back the strings
// GetQueueAttributes returns.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "sqs/types.hpp"

namespace eb::sqs {

struct RedrivePolicy {
  std::string dead_letter_target_arn;
  int max_receive_count = 10;
};

struct RedriveAllowPolicy {
  enum class Permission { kAllowAll, kDenyAll, kByQueue };
  Permission permission = Permission::kAllowAll;
  std::vector<std::string> source_queue_arns;
  bool allows(const std::string& source_arn) const;
};

struct QueueConfig {
  int visibility_timeout = 30;
  int maximum_message_size = 1'048'576;
  int message_retention_period = 345'600;
  int delay_seconds = 0;
  int receive_message_wait_time_seconds = 0;
  std::optional<RedrivePolicy> redrive_policy;
  std::optional<RedriveAllowPolicy> redrive_allow_policy;
  std::string policy;  // as set through SetQueueAttributes
  // Statements added by AddPermission, by label; rendered into Policy.
  std::map<std::string, PermissionInput> permissions;
  bool fifo = false;
  bool content_based_deduplication = false;
  std::string deduplication_scope;
  std::string fifo_throughput_limit;
  std::string kms_master_key_id;
  int kms_data_key_reuse_period_seconds = 300;
  bool sqs_managed_sse_enabled = true;

  // Applies `attributes` on top of this config. `creating` allows FifoQueue.
  Result<QueueConfig> with(const AttributeMap& attributes, bool creating) const;
  // The settable attributes as GetQueueAttributes shows them.
  AttributeMap render() const;
  // The value this config gives attribute `name`, for CreateQueue's idempotency check.
  std::optional<std::string> rendered(const std::string& name) const;
};

inline constexpr int kMaxVisibilityTimeout = 43'200;
inline constexpr int kMaxDelaySeconds = 900;
inline constexpr int kMaxWaitSeconds = 20;
inline constexpr int kMaxBatchEntries = 10;
inline constexpr int kMaxBatchBytes = 1'048'576;
inline constexpr int kMaxMessageAttributes = 10;

// Every attribute name GetQueueAttributes knows, computed ones included.
bool is_queue_attribute_name(const std::string& name);
// The attributes CreateQueue and SetQueueAttributes take.
bool is_settable_queue_attribute(std::string_view name);

}  // namespace eb::sqs

namespace eb::sqs {
// The policy document AddPermission statements form for the queue `arn`.
std::string render_permission_policy(const std::string& arn,
                                     const std::map<std::string, PermissionInput>& permissions);
}  // namespace eb::sqs
