#include "sqs/queue_config.hpp"

#include <simdjson.h>

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <charconv>

#include "core/json_writer.hpp"

namespace eb::sqs {
namespace {

constexpr std::array kSettable = {
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "Policy",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
};

constexpr std::array kComputed = {
    "All",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
};

Error invalid_value(const std::string& name) {
  return Error{Errc::kInvalidAttributeValue,
               fmt::format("Invalid value for the parameter {}.", name)};
}

Result<int> parse_int(const std::string& name, const std::string& value, int lo, int hi) {
  int out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() || out < lo || out > hi) {
    return std::unexpected(invalid_value(name));
  }
  return out;
}

Result<bool> parse_bool(const std::string& name, const std::string& value) {
  if (value == "true") return true;
  if (value == "false") return false;
  return std::unexpected(invalid_value(name));
}

Error bad_redrive(const std::string& value, std::string_view reason) {
  return Error{
      Errc::kInvalidParameterValue,
      fmt::format("Value {} for parameter RedrivePolicy is invalid. Reason: {}", value, reason)};
}

Result<std::optional<RedrivePolicy>> parse_redrive(const std::string& value) {
  if (value.empty()) return std::optional<RedrivePolicy>{};
  simdjson::ondemand::parser parser;
  simdjson::padded_string json(value);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  if (parser.iterate(json).get(doc) || doc.get_object().get(obj)) {
    return std::unexpected(bad_redrive(value, "Redrive policy is not a valid JSON map."));
  }
  RedrivePolicy policy;
  bool have_arn = false;
  bool have_count = false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return std::unexpected(bad_redrive(value, "Invalid JSON."));
    if (key == "deadLetterTargetArn") {
      std::string_view arn;
      if (field.value().get_string().get(arn)) {
        return std::unexpected(bad_redrive(value, "Invalid value for deadLetterTargetArn."));
      }
      policy.dead_letter_target_arn = std::string(arn);
      have_arn = true;
    } else if (key == "maxReceiveCount") {
      auto v = field.value();
      int64_t n = 0;
      std::string_view text;
      if (v.type() == simdjson::ondemand::json_type::string) {
        if (v.get_string().get(text) ||
            std::from_chars(text.data(), text.data() + text.size(), n).ec != std::errc()) {
          return std::unexpected(bad_redrive(value, "Invalid value for maxReceiveCount."));
        }
      } else if (v.get_int64().get(n)) {
        return std::unexpected(bad_redrive(value, "Invalid value for maxReceiveCount."));
      }
      if (n < 1 || n > 1000) {
        return std::unexpected(bad_redrive(value, "Invalid value for maxReceiveCount."));
      }
      policy.max_receive_count = static_cast<int>(n);
      have_count = true;
    } else {
      return std::unexpected(bad_redrive(value, fmt::format("Unknown key {}.", key)));
    }
  }
  if (!have_arn)
    return std::unexpected(bad_redrive(
        value, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn."));
  if (!have_count)
    return std::unexpected(bad_redrive(
        value, "Redrive policy does not contain mandatory attribute: maxReceiveCount."));
  if (!policy.dead_letter_target_arn.starts_with("arn:")) {
    return std::unexpected(bad_redrive(value, "Invalid value for deadLetterTargetArn."));
  }
  return std::optional<RedrivePolicy>{policy};
}

Error bad_allow(const std::string& value, std::string_view reason) {
  return Error{Errc::kInvalidParameterValue,
               fmt::format("Value {} for parameter RedriveAllowPolicy is invalid. Reason: {}",
                           value, reason)};
}

Result<std::optional<RedriveAllowPolicy>> parse_redrive_allow(const std::string& value) {
  if (value.empty()) return std::optional<RedriveAllowPolicy>{};
  simdjson::ondemand::parser parser;
  simdjson::padded_string json(value);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  if (parser.iterate(json).get(doc) || doc.get_object().get(obj)) {
    return std::unexpected(bad_allow(value, "Invalid JSON."));
  }
  RedriveAllowPolicy policy;
  bool have_permission = false;
  bool have_arns = false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return std::unexpected(bad_allow(value, "Invalid JSON."));
    if (key == "redrivePermission") {
      std::string_view p;
      if (field.value().get_string().get(p)) {
        return std::unexpected(bad_allow(value, "Invalid value for redrivePermission."));
      }
      if (p == "allowAll") {
        policy.permission = RedriveAllowPolicy::Permission::kAllowAll;
      } else if (p == "denyAll") {
        policy.permission = RedriveAllowPolicy::Permission::kDenyAll;
      } else if (p == "byQueue") {
        policy.permission = RedriveAllowPolicy::Permission::kByQueue;
      } else {
        return std::unexpected(bad_allow(value, "Invalid value for redrivePermission."));
      }
      have_permission = true;
    } else if (key == "sourceQueueArns") {
      simdjson::ondemand::array arr;
      if (field.value().get_array().get(arr)) {
        return std::unexpected(bad_allow(value, "Invalid value for sourceQueueArns."));
      }
      for (auto item : arr) {
        std::string_view arn;
        if (item.get_string().get(arn) || !arn.starts_with("arn:")) {
          return std::unexpected(bad_allow(value, "Invalid value for sourceQueueArns."));
        }
        policy.source_queue_arns.emplace_back(arn);
      }
      have_arns = true;
    } else {
      return std::unexpected(bad_allow(value, fmt::format("Unknown key {}.", key)));
    }
  }
  if (!have_permission) {
    return std::unexpected(bad_allow(value, "Missing redrivePermission."));
  }
  if (policy.permission == RedriveAllowPolicy::Permission::kByQueue) {
    if (policy.source_queue_arns.empty() || policy.source_queue_arns.size() > 10) {
      return std::unexpected(bad_allow(
          value, "sourceQueueArns must contain 1 to 10 ARNs when redrivePermission is byQueue."));
    }
  } else if (have_arns) {
    return std::unexpected(bad_allow(
        value, "sourceQueueArns can only be specified when redrivePermission is byQueue."));
  }
  return std::optional<RedriveAllowPolicy>{policy};
}

std::string render_redrive(const RedrivePolicy& p) {
  std::string out;
  JsonWriter(out)
      .begin_object()
      .member("deadLetterTargetArn", p.dead_letter_target_arn)
      .member("maxReceiveCount", static_cast<std::int64_t>(p.max_receive_count))
      .end_object();
  return out;
}

std::string render_redrive_allow(const RedriveAllowPolicy& p) {
  std::string_view perm = p.permission == RedriveAllowPolicy::Permission::kAllowAll  ? "allowAll"
                          : p.permission == RedriveAllowPolicy::Permission::kDenyAll ? "denyAll"
                                                                                     : "byQueue";
  std::string out;
  JsonWriter j(out);
  j.begin_object().member("redrivePermission", perm);
  if (p.permission == RedriveAllowPolicy::Permission::kByQueue) {
    j.key("sourceQueueArns").begin_array();
    for (const auto& arn : p.source_queue_arns) j.string(arn);
    j.end_array();
  }
  j.end_object();
  return out;
}

}  // namespace

bool RedriveAllowPolicy::allows(const std::string& source_arn) const {
  switch (permission) {
    case Permission::kAllowAll:
      return true;
    case Permission::kDenyAll:
      return false;
    case Permission::kByQueue:
      return std::find(source_queue_arns.begin(), source_queue_arns.end(), source_arn) !=
             source_queue_arns.end();
  }
  return false;
}

bool is_settable_queue_attribute(std::string_view name) {
  return std::find(kSettable.begin(), kSettable.end(), name) != kSettable.end();
}

bool is_queue_attribute_name(const std::string& name) {
  return is_settable_queue_attribute(name) ||
         std::find(kComputed.begin(), kComputed.end(), name) != kComputed.end() ||
         name == "SqsManagedSseEnabled";
}

Result<QueueConfig> QueueConfig::with(const AttributeMap& attributes, bool creating) const {
  QueueConfig c = *this;
  for (const auto& [name, value] : attributes) {
    if (!is_settable_queue_attribute(name)) {
      return fail(Errc::kInvalidAttributeName, fmt::format("Unknown Attribute {}.", name));
    }
    if (name == "VisibilityTimeout") {
      auto v = parse_int(name, value, 0, kMaxVisibilityTimeout);
      if (!v) return std::unexpected(v.error());
      c.visibility_timeout = *v;
    } else if (name == "MaximumMessageSize") {
      auto v = parse_int(name, value, 1024, 1'048'576);
      if (!v) return std::unexpected(v.error());
      c.maximum_message_size = *v;
    } else if (name == "MessageRetentionPeriod") {
      auto v = parse_int(name, value, 60, 1'209'600);
      if (!v) return std::unexpected(v.error());
      c.message_retention_period = *v;
    } else if (name == "DelaySeconds") {
      auto v = parse_int(name, value, 0, kMaxDelaySeconds);
      if (!v) return std::unexpected(v.error());
      c.delay_seconds = *v;
    } else if (name == "ReceiveMessageWaitTimeSeconds") {
      auto v = parse_int(name, value, 0, kMaxWaitSeconds);
      if (!v) return std::unexpected(v.error());
      c.receive_message_wait_time_seconds = *v;
    } else if (name == "KmsDataKeyReusePeriodSeconds") {
      auto v = parse_int(name, value, 60, 86'400);
      if (!v) return std::unexpected(v.error());
      c.kms_data_key_reuse_period_seconds = *v;
    } else if (name == "RedrivePolicy") {
      auto v = parse_redrive(value);
      if (!v) return std::unexpected(v.error());
      c.redrive_policy = *v;
    } else if (name == "RedriveAllowPolicy") {
      auto v = parse_redrive_allow(value);
      if (!v) return std::unexpected(v.error());
      c.redrive_allow_policy = *v;
    } else if (name == "Policy") {
      c.policy = value;
    } else if (name == "KmsMasterKeyId") {
      c.kms_master_key_id = value;
      if (!value.empty()) c.sqs_managed_sse_enabled = false;
    } else if (name == "SqsManagedSseEnabled") {
      auto v = parse_bool(name, value);
      if (!v) return std::unexpected(v.error());
      c.sqs_managed_sse_enabled = *v;
    } else if (name == "FifoQueue") {
      auto v = parse_bool(name, value);
      if (!v) return std::unexpected(v.error());
      if (!creating && *v != fifo) {
        return fail(Errc::kInvalidAttributeName, "Unknown Attribute FifoQueue.");
      }
      c.fifo = *v;
    } else if (name == "ContentBasedDeduplication" || name == "DeduplicationScope" ||
               name == "FifoThroughputLimit") {
      // FIFO-only attributes: a standard queue does not know them.
      if (!c.fifo && !(attributes.contains("FifoQueue") && attributes.at("FifoQueue") == "true")) {
        return fail(Errc::kInvalidAttributeName, fmt::format("Unknown Attribute {}.", name));
      }
      if (name == "ContentBasedDeduplication") {
        auto v = parse_bool(name, value);
        if (!v) return std::unexpected(v.error());
        c.content_based_deduplication = *v;
      } else if (name == "DeduplicationScope") {
        if (value != "messageGroup" && value != "queue")
          return std::unexpected(invalid_value(name));
        c.deduplication_scope = value;
      } else {
        if (value != "perQueue" && value != "perMessageGroupId") {
          return std::unexpected(invalid_value(name));
        }
        c.fifo_throughput_limit = value;
      }
    }
  }
  return c;
}

AttributeMap QueueConfig::render() const {
  AttributeMap out;
  out["VisibilityTimeout"] = std::to_string(visibility_timeout);
  out["MaximumMessageSize"] = std::to_string(maximum_message_size);
  out["MessageRetentionPeriod"] = std::to_string(message_retention_period);
  out["DelaySeconds"] = std::to_string(delay_seconds);
  out["ReceiveMessageWaitTimeSeconds"] = std::to_string(receive_message_wait_time_seconds);
  out["SqsManagedSseEnabled"] = sqs_managed_sse_enabled ? "true" : "false";
  if (redrive_policy) out["RedrivePolicy"] = render_redrive(*redrive_policy);
  if (redrive_allow_policy) out["RedriveAllowPolicy"] = render_redrive_allow(*redrive_allow_policy);
  if (!policy.empty()) out["Policy"] = policy;
  if (!kms_master_key_id.empty()) {
    out["KmsMasterKeyId"] = kms_master_key_id;
    out["KmsDataKeyReusePeriodSeconds"] = std::to_string(kms_data_key_reuse_period_seconds);
  }
  if (fifo) {
    out["FifoQueue"] = "true";
    out["ContentBasedDeduplication"] = content_based_deduplication ? "true" : "false";
    out["DeduplicationScope"] = deduplication_scope.empty() ? "queue" : deduplication_scope;
    out["FifoThroughputLimit"] = fifo_throughput_limit.empty() ? "perQueue" : fifo_throughput_limit;
  }
  return out;
}

std::optional<std::string> QueueConfig::rendered(const std::string& name) const {
  auto all = render();
  if (auto it = all.find(name); it != all.end()) return it->second;
  if (name == "FifoQueue") return std::string(fifo ? "true" : "false");
  return std::nullopt;
}

}  // namespace eb::sqs

namespace eb::sqs {

std::string render_permission_policy(const std::string& arn,
                                     const std::map<std::string, PermissionInput>& permissions) {
  std::string out;
  JsonWriter j(out);
  j.begin_object()
      .member("Version", "2012-10-17")
      .member("Id", fmt::format("{}/SQSDefaultPolicy", arn))
      .key("Statement")
      .begin_array();
  for (const auto& [label, p] : permissions) {
    j.begin_object().member("Sid", label).member("Effect", "Allow");
    j.key("Principal").begin_object().key("AWS").begin_array();
    for (const auto& account : p.account_ids)
      j.string(fmt::format("arn:aws:iam::{}:root", account));
    j.end_array().end_object();
    j.key("Action").begin_array();
    for (const auto& action : p.actions) j.string(fmt::format("SQS:{}", action));
    j.end_array();
    j.member("Resource", arn).end_object();
  }
  j.end_array().end_object();
  return out;
}

}  // namespace eb::sqs
