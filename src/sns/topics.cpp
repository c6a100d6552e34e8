#include "sns/topics.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "core/encoding.hpp"
#include "sns/delivery_policy.hpp"
#include "sns/message.hpp"
#include "sns/records.hpp"
#include "sns/rules.hpp"
#include "sqs/fifo_dedup.hpp"
#include "sqs/message_rules.hpp"
#include "sqs/queue.hpp"
#include "sqs/queues.hpp"
#include "sqs/records.hpp"
#include "sqs/sequence_number.hpp"
#include "storage/engine.hpp"
#include "storage/event_sink.hpp"
#include "storage/keys.hpp"

namespace eb::sns {

using matching::FilterPolicy;
using matching::FilterPolicyScope;
using sqs::DedupEntry;
using sqs::DedupScope;
using sqs::DedupWindow;
using sqs::is_valid_batch_entry_id;
using sqs::message_size;
using sqs::Queue;
using sqs::SendInput;
using sqs::sequence_number_text;
using sqs::SequenceCounter;

// What a FIFO topic's publishes share across every registry version of the topic. A publish
// holds `mu` from its deduplication check until its write has landed and its copies are
// visible in their queues, so every subscription receives the topic's messages in one order
// and a duplicate never sees another publish's unwritten entry.
struct Topics::FifoState {
  std::mutex mu;
  DedupWindow dedup;
  SequenceCounter sequence;
  std::uint64_t ceiling_written = 0;  // largest sns_seq ceiling on disk (0: none known)
  // DeleteTopic ran: a publish that took the topic from an older snapshot must not write
  // window or sequence records that would outlive it.
  bool deleted = false;
};

struct Topics::Topic {
  std::string name;
  std::string arn;
  AttributeMap attributes;  // as set, defaults not filled in
  TagMap tags;
  std::string data_protection_policy;
  Millis created = 0;
  bool fifo = false;
  SignatureVersion signature_version = SignatureVersion::kSha1;
  std::vector<std::shared_ptr<const Subscription>> subscriptions;  // oldest first
  std::uint64_t subscriptions_deleted = 0;                         // since startup
  std::shared_ptr<FifoState> fifo_state;                           // FIFO topics only
};

struct Topics::State {
  std::map<std::string, std::shared_ptr<const Topic>> topics;                // by ARN
  std::map<std::string, std::shared_ptr<const Subscription>> subscriptions;  // by ARN
};

// A validated publish, ready to fan out (or an archived one being replayed).
struct Topics::Published {
  std::string message_id;
  std::string sequence_number;  // FIFO topics
  bool duplicate = false;       // FIFO: answered with the original, delivered to no one
  std::string dedup_key;        // FIFO: the deduplication window key
  bool replayed = false;        // redelivered from the archive (ReplayPolicy)
  // The deduplication id of the SQS copies when it is not the publish's (replays: a fresh one,
  // so the queue does not drop a copy of a message it saw minutes ago).
  std::string copy_dedup_id;
  Millis timestamp = 0;
  std::string timestamp_text;
  PublishInput input;
  std::optional<MessageVariants> variants;  // MessageStructure=json
  const std::string& message_for(std::string_view protocol) const {
    return variants ? variants->for_protocol(protocol) : input.message;
  }
};

namespace {

constexpr std::size_t kPageSize = 100;
constexpr std::size_t kMaxTags = 50;
constexpr std::size_t kMaxPublishBatchEntries = 10;
// The principal SNS delivers into SQS as (SenderId of SNS-delivered messages).
constexpr std::string_view kSnsSenderId = "AIDAIT2UOQQY3AUEKVGXU";

Result<void> invalid(std::string message) {
  return fail(Errc::kInvalidParameterValue, std::move(message));
}

bool is_json_object(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  return !parser.parse(text.data(), text.size()).get(doc) && doc.is_object();
}

bool is_bool_text(std::string_view v) { return v == "true" || v == "false"; }

bool is_feedback_attribute(std::string_view name) {
  for (std::string_view p : {"HTTP", "Firehose", "Lambda", "SQS", "Application"}) {
    if (!name.starts_with(p)) continue;
    std::string_view rest = name.substr(p.size());
    for (std::string_view kind : {"Success", "Failure"}) {
      if (rest == fmt::format("{}FeedbackRoleArn", kind)) return true;
    }
    if (rest == "SuccessFeedbackSampleRate") return true;
  }
  return false;
}

// ArchivePolicy: {"MessageRetentionPeriod": days} with 1..365 days (a string or a number);
// "{}" turns archiving off (nullopt).
Result<std::optional<int>> parse_archive_policy(std::string_view text) {
  const auto bad = [](std::string_view why) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("Invalid parameter: ArchivePolicy Reason: {}", why));
  };
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text.data(), text.size()).get(doc) || !doc.is_object()) {
    return bad("failed to parse JSON");
  }
  simdjson::dom::object object = doc.get_object().value_unsafe();
  if (object.size() == 0) return std::optional<int>{};
  simdjson::dom::element period;
  if (object["MessageRetentionPeriod"].get(period) || object.size() != 1) {
    return bad("MessageRetentionPeriod is the only key, and it is required");
  }
  std::int64_t days = 0;
  if (period.is_int64()) {
    days = period.get_int64().value_unsafe();
  } else if (period.is_string()) {
    const std::string_view v = period.get_string().value_unsafe();
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), days);
    if (ec != std::errc() || end != v.data() + v.size()) days = 0;
  }
  if (days < 1 || days > 365) return bad("MessageRetentionPeriod must be between 1 and 365 days");
  return std::optional<int>(static_cast<int>(days));
}

struct ReplayWindow {
  Millis from = 0;
  std::optional<Millis> to;
};

// ReplayPolicy: {"PointType":"Timestamp","StartingPoint":<UTC time>[,"EndingPoint":<UTC time>]}.
Result<ReplayWindow> parse_replay_policy(std::string_view text) {
  const auto bad = [](std::string_view why) {
    return fail(Errc::kInvalidParameterValue,
                fmt::format("Invalid parameter: ReplayPolicy Reason: {}", why));
  };
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text.data(), text.size()).get(doc) || !doc.is_object()) {
    return bad("failed to parse JSON");
  }
  std::string_view type;
  if (doc["PointType"].get_string().get(type) || type != "Timestamp") {
    return bad("PointType must be Timestamp");
  }
  std::string_view start;
  if (doc["StartingPoint"].get_string().get(start)) return bad("StartingPoint is required");
  ReplayWindow window;
  auto from = parse_utc_timestamp(start);
  if (!from) return bad("StartingPoint must be a UTC timestamp such as 2026-01-01T00:00:00.000Z");
  window.from = *from;
  simdjson::dom::element end_element;
  if (!doc["EndingPoint"].get(end_element)) {
    std::string_view end;
    auto to = end_element.get_string().get(end) ? std::nullopt : parse_utc_timestamp(end);
    if (!to) return bad("EndingPoint must be a UTC timestamp such as 2026-01-01T00:00:00.000Z");
    if (*to < window.from) return bad("EndingPoint must not be before StartingPoint");
    window.to = *to;
  }
  return window;
}

Result<void> validate_topic_attribute(const std::string& name, const std::string& value, bool fifo,
                                      bool creating) {
  if (name == "DisplayName") {
    if (value.size() > 100) return invalid("Invalid parameter: DisplayName");
  } else if (name == "Policy") {
    if (!is_json_object(value)) return invalid("Invalid parameter: Policy Error: null");
  } else if (name == "DeliveryPolicy") {
    if (!value.empty()) {
      if (auto ok = parse_topic_delivery_policy(value); !ok) return std::unexpected(ok.error());
    }
  } else if (name == "SignatureVersion") {
    if (value != "1" && value != "2") return invalid("Invalid parameter: SignatureVersion");
  } else if (name == "TracingConfig") {
    if (value != "PassThrough" && value != "Active") {
      return invalid("Invalid parameter: TracingConfig");
    }
  } else if (name == "FifoTopic") {
    if (!creating) return invalid("Invalid parameter: AttributeName");
    if (!is_bool_text(value)) return invalid("Invalid parameter: FifoTopic");
  } else if (name == "ContentBasedDeduplication") {
    if (!fifo) {
      return invalid(
          "Invalid parameter: ContentBasedDeduplication Reason: Content-based deduplication can "
          "only be set for FIFO topics");
    }
    if (!is_bool_text(value)) return invalid("Invalid parameter: ContentBasedDeduplication");
  } else if (name == "FifoThroughputScope") {
    if (!fifo || (value != "Topic" && value != "MessageGroup")) {
      return invalid("Invalid parameter: FifoThroughputScope");
    }
  } else if (name == "ArchivePolicy") {
    if (!fifo) return invalid("Invalid parameter: ArchivePolicy Reason: only FIFO topics archive");
    if (auto days = parse_archive_policy(value); !days) return std::unexpected(days.error());
  } else if (name.ends_with("SuccessFeedbackSampleRate") && is_feedback_attribute(name)) {
    int rate = -1;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), rate);
    if (ec != std::errc() || end != value.data() + value.size() || rate < 0 || rate > 100) {
      return invalid(fmt::format("Invalid parameter: {}", name));
    }
  } else if (name == "KmsMasterKeyId" || is_feedback_attribute(name)) {
    // Stored and echoed; nothing is encrypted or logged to CloudWatch locally.
  } else {
    return invalid("Invalid parameter: AttributeName");
  }
  return {};
}

std::string default_topic_policy(const std::string& arn, const std::string& account) {
  return fmt::format(
      R"({{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{{"AWS":"*"}},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"{}","Condition":{{"StringEquals":{{"AWS:SourceOwner":"{}"}}}}}}]}})",
      arn, account);
}

// The deadLetterTargetArn of a RedrivePolicy, or an error in AWS's words.
Result<std::string> parse_redrive_policy(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view arn;
  if (parser.parse(text.data(), text.size()).get(doc) || !doc.is_object()) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: RedrivePolicy: failed to parse JSON.");
  }
  if (doc["deadLetterTargetArn"].get_string().get(arn)) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: RedrivePolicy: deadLetterTargetArn is missing");
  }
  if (arn_resource(arn, "sqs").empty()) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn");
  }
  return std::string(arn);
}

bool supports_raw_delivery(std::string_view protocol) {
  return protocol == "sqs" || protocol == "http" || protocol == "https" || protocol == "firehose";
}

Result<void> validate_subscription_attribute(const std::string& name, const std::string& value,
                                             const std::string& protocol) {
  if (name == "RawMessageDelivery") {
    if (!is_bool_text(value)) return invalid("Invalid parameter: RawMessageDelivery");
    if (value == "true" && !supports_raw_delivery(protocol)) {
      return invalid(fmt::format(
          "Invalid parameter: Attributes Reason: Delivery protocol [{}] does not support raw "
          "message delivery.",
          protocol));
    }
  } else if (name == "FilterPolicyScope") {
    if (value != "MessageAttributes" && value != "MessageBody") {
      return invalid(
          fmt::format("Invalid parameter: FilterPolicyScope: Invalid value [{}]. Please use either "
                      "MessageBody or MessageAttributes",
                      value));
    }
  } else if (name == "FilterPolicy") {
    // Compiled with its scope when the subscription is built.
  } else if (name == "RedrivePolicy") {
    if (auto arn = parse_redrive_policy(value); !arn) return std::unexpected(arn.error());
  } else if (name == "DeliveryPolicy") {
    if (protocol != "http" && protocol != "https") {
      return invalid(fmt::format(
          "Invalid parameter: DeliveryPolicy: Delivery protocol [{}] does not support delivery "
          "policies",
          protocol));
    }
    if (auto ok = parse_subscription_delivery_policy(value); !ok) {
      return std::unexpected(ok.error());
    }
  } else if (name == "SubscriptionRoleArn") {
    if (protocol != "firehose") return invalid("Invalid parameter: SubscriptionRoleArn");
  } else if (name == "ReplayPolicy") {
    if (auto ok = parse_replay_policy(value); !ok) return std::unexpected(ok.error());
  } else if (name == "ReplayStatus") {
    // Kept by the broker itself (SetSubscriptionAttributes refuses it).
  } else {
    return invalid("Invalid parameter: AttributeName");
  }
  return {};
}

// A subscription with its derived fields (compiled filter, raw flag, dead-letter ARN)
// computed from `attributes`, which are validated here.
Result<std::shared_ptr<Subscription>> build_subscription(Subscription s) {
  for (const auto& [name, value] : s.attributes) {
    if (auto ok = validate_subscription_attribute(name, value, s.protocol); !ok) {
      return std::unexpected(ok.error());
    }
  }
  const auto attr = [&](const char* name) -> const std::string* {
    auto it = s.attributes.find(name);
    return it == s.attributes.end() ? nullptr : &it->second;
  };
  s.raw = attr("RawMessageDelivery") != nullptr && *attr("RawMessageDelivery") == "true";
  s.filter.reset();
  if (const std::string* policy = attr("FilterPolicy"); policy != nullptr && !policy->empty()) {
    const std::string* scope = attr("FilterPolicyScope");
    auto compiled = FilterPolicy::compile(*policy, scope != nullptr && *scope == "MessageBody"
                                                       ? FilterPolicyScope::kMessageBody
                                                       : FilterPolicyScope::kMessageAttributes);
    if (!compiled) return std::unexpected(compiled.error());
    s.filter = std::move(*compiled);
  }
  s.dead_letter_arn.clear();
  if (const std::string* redrive = attr("RedrivePolicy")) {
    s.dead_letter_arn = *parse_redrive_policy(*redrive);
  }
  return std::make_shared<Subscription>(std::move(s));
}

std::string random_token() {
  // 128 random bits twice over, as hex: unguessable, and URL-safe as it is.
  const Uuid a = random_uuid_bytes();
  const Uuid b = random_uuid_bytes();
  return to_hex(a.data(), a.size()) + to_hex(b.data(), b.size());
}

std::string page_token(const std::string& last_key) { return base64_encode(last_key); }

Result<std::string> page_start(const PageInput& page) {
  if (page.next_token.empty()) return std::string();
  auto key = base64_decode(page.next_token);
  if (!key) return fail(Errc::kInvalidParameterValue, "Invalid parameter: NextToken");
  return *key;
}

SubscriptionSummary summary(const Subscription& s) {
  return {s.confirmed ? s.arn : std::string("PendingConfirmation"), s.owner, s.protocol, s.endpoint,
          s.topic_arn};
}

Result<void> validate_tags(const TagMap& tags) {
  for (const auto& [key, value] : tags) {
    if (key.empty() || key.size() > 128 || value.size() > 256) {
      return invalid("Invalid parameter: Tags");
    }
    if (key.starts_with("aws:")) {
      return invalid("Invalid parameter: Tag keys starting with 'aws:' are reserved");
    }
  }
  return {};
}

// The policies as set on a topic and a subscription (validated then), parsed again.
std::optional<TopicDeliveryPolicy> topic_policy(const AttributeMap& topic) {
  auto it = topic.find("DeliveryPolicy");
  if (it == topic.end() || it->second.empty()) return std::nullopt;
  auto parsed = parse_topic_delivery_policy(it->second);
  return parsed ? std::optional(std::move(*parsed)) : std::nullopt;
}

std::optional<SubscriptionDeliveryPolicy> subscription_policy(const Subscription& sub) {
  auto it = sub.attributes.find("DeliveryPolicy");
  if (it == sub.attributes.end() || it->second.empty()) return std::nullopt;
  auto parsed = parse_subscription_delivery_policy(it->second);
  return parsed ? std::optional(std::move(*parsed)) : std::nullopt;
}

// The EffectiveDeliveryPolicy of an HTTP(S) subscription (its own parts, else its topic's,
// else SNS's defaults), as JSON; empty for other protocols, which have no retry policy here.
std::string delivery_policy_of(const AttributeMap& topic, const Subscription& sub) {
  if (sub.protocol != "http" && sub.protocol != "https") return {};
  const auto own = subscription_policy(sub);
  const auto inherited = topic_policy(topic);
  return effective_delivery_policy_json(
      effective_delivery_policy(own ? &*own : nullptr, inherited ? &*inherited : nullptr));
}

// The error code a dead-lettered SQS copy carries.
std::string_view sqs_error_code(Errc code) {
  return code == Errc::kQueueDoesNotExist ? "AWS.SimpleQueueService.NonExistentQueue"
                                          : "InvalidParameterValue";
}

TopicRecord to_record(const Topics::Topic& t) {
  TopicRecord r;
  r.name = t.name;
  r.attributes = t.attributes;
  r.tags = t.tags;
  r.data_protection_policy = t.data_protection_policy;
  r.created = t.created;
  return r;
}

SubscriptionRecord to_record(const Subscription& s) {
  SubscriptionRecord r;
  r.arn = s.arn;
  r.topic_arn = s.topic_arn;
  r.protocol = s.protocol;
  r.endpoint = s.endpoint;
  r.owner = s.owner;
  r.attributes = s.attributes;
  r.confirmed = s.confirmed;
  r.token = s.token;
  r.created = s.created;
  return r;
}

void derive_topic_fields(Topics::Topic& t) {
  auto fifo = t.attributes.find("FifoTopic");
  t.fifo = fifo != t.attributes.end() && fifo->second == "true";
  auto version = t.attributes.find("SignatureVersion");
  t.signature_version = version != t.attributes.end() && version->second == "2"
                            ? SignatureVersion::kSha256
                            : SignatureVersion::kSha1;
  if (t.fifo && !t.fifo_state) t.fifo_state = std::make_shared<Topics::FifoState>();
}

std::string_view view_of(const std::optional<std::string>& value) {
  return value ? std::string_view(*value) : std::string_view();
}

std::string topic_attribute(const Topics::Topic& t, const std::string& name) {
  auto it = t.attributes.find(name);
  return it == t.attributes.end() ? std::string() : it->second;
}

// Archiving starts when an ArchivePolicy is set on a topic that had none, and its start is
// kept (stored with the attributes, under a key SetTopicAttributes cannot name) until the
// policy is removed or turned off.
constexpr const char* kArchiveStart = "BeginningArchiveTime";

void note_archive_start(Topics::Topic& t, Millis now) {
  const std::string policy = topic_attribute(t, "ArchivePolicy");
  auto days =
      policy.empty() ? Result<std::optional<int>>(std::nullopt) : parse_archive_policy(policy);
  if (!days || !*days) {
    t.attributes.erase(kArchiveStart);
  } else if (!t.attributes.contains(kArchiveStart)) {
    t.attributes[kArchiveStart] = std::to_string(now);
  }
}

// The earliest publish time a replay may start from: archiving's start, or the retention
// period back from now when that is later. 0 when the topic does not archive.
Millis archive_begins(const Topics::Topic& t, Millis now) {
  auto start = t.attributes.find(kArchiveStart);
  const std::string policy = topic_attribute(t, "ArchivePolicy");
  if (start == t.attributes.end() || policy.empty()) return 0;
  auto days = parse_archive_policy(policy);
  if (!days || !*days) return 0;
  constexpr Millis kDay = Millis{24} * 60 * 60 * 1000;
  return std::max<Millis>(std::atoll(start->second.c_str()), now - **days * kDay);
}
}  // namespace

// ---------------------------------------------------------------------------------------------

Result<std::shared_ptr<const MessageSigner>> load_signing_key(storage::Engine& engine) {
  constexpr std::string_view kKeyName = "sns/signing_key";
  constexpr std::string_view kCertName = "sns/signing_certificate";
  auto key = engine.get(storage::Family::kMeta, kKeyName);
  auto cert = engine.get(storage::Family::kMeta, kCertName);
  if (!key) return std::unexpected(key.error());
  if (!cert) return std::unexpected(cert.error());
  if (*key && *cert) {
    auto signer = MessageSigner::from_pem(**key, **cert);
    if (!signer) return std::unexpected(signer.error());
    return std::make_shared<const MessageSigner>(std::move(*signer));
  }
  auto signer = MessageSigner::generate("sns.eventbrokerd.local");
  if (!signer) return std::unexpected(signer.error());
  storage::Batch batch;
  batch.put(storage::Family::kMeta, std::string(kKeyName), signer->key_pem());
  batch.put(storage::Family::kMeta, std::string(kCertName), signer->certificate_pem());
  if (auto written = engine.write(batch); !written) return std::unexpected(written.error());
  return std::make_shared<const MessageSigner>(std::move(*signer));
}

Topics::Topics(const Clock& clock, storage::Engine& engine, sqs::Queues& queues,
               std::shared_ptr<const MessageSigner> signer, EndpointDelivery& endpoints,
               TopicsOptions options, storage::EventSink* events)
    : clock_(clock),
      engine_(engine),
      queues_(queues),
      signer_(std::move(signer)),
      endpoints_(endpoints),
      options_(std::move(options)),
      events_(events),
      cert_path_(fmt::format("/v1/sns/SimpleNotificationService-{}.pem",
                             sha256_hex(signer_->certificate_pem()).substr(0, 32))),
      state_(std::make_shared<const State>()) {}

Topics::~Topics() = default;

std::shared_ptr<const Topics::State> Topics::snapshot() const { return state_.load(); }

void Topics::when_durable(std::function<void()> done) { queues_.when_durable(std::move(done)); }

std::string Topics::topic_arn(const std::string& name) const {
  return fmt::format("arn:aws:sns:{}:{}:{}", queues_.options().region, queues_.options().account_id,
                     name);
}

std::string Topics::unsubscribe_url(const std::string& subscription_arn) const {
  // ARNs are made of characters a query string carries as they are.
  return fmt::format("{}/?Action=Unsubscribe&SubscriptionArn={}", options_.base_url,
                     subscription_arn);
}

Result<void> Topics::commit_locked(std::shared_ptr<const State> next, storage::Batch& batch) {
  if (auto written = engine_.write(batch); !written) return std::unexpected(written.error());
  state_.store(std::move(next));
  return {};
}

Result<std::shared_ptr<const Topics::Topic>> Topics::require_topic(
    const State& state, const std::string& topic_arn) const {
  if (arn_resource(topic_arn, "sns").empty()) {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: TopicArn");
  }
  auto it = state.topics.find(topic_arn);
  if (it == state.topics.end()) return fail(Errc::kNotFound, "Topic does not exist");
  return it->second;
}

Result<std::shared_ptr<const Subscription>> Topics::require_subscription(
    const State& state, const std::string& subscription_arn) const {
  if (arn_resource(subscription_arn, "sns").empty()) {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: SubscriptionArn");
  }
  auto it = state.subscriptions.find(subscription_arn);
  if (it == state.subscriptions.end()) {
    return fail(Errc::kNotFound, "Subscription does not exist");
  }
  return it->second;
}

Result<void> Topics::recover() {
  auto next = std::make_shared<State>();
  std::vector<TopicRecord> topics;
  std::string undecodable;
  auto scanned = engine_.scan(storage::Family::kTopics, {}, {},
                              [&](std::string_view key, std::string_view value) {
                                auto r = decode_topic(value);
                                if (!r) {
                                  undecodable = std::string(key);
                                  return false;
                                }
                                topics.push_back(std::move(*r));
                                return true;
                              });
  if (!scanned) return std::unexpected(scanned.error());
  if (!undecodable.empty()) {
    return fail(Errc::kInternalError, "undecodable topic record " + undecodable);
  }
  std::map<std::string, std::shared_ptr<Topic>> building;
  for (auto& r : topics) {
    auto t = std::make_shared<Topic>();
    t->name = r.name;
    t->arn = topic_arn(r.name);
    t->attributes = std::move(r.attributes);
    t->tags = std::move(r.tags);
    t->data_protection_policy = std::move(r.data_protection_policy);
    t->created = r.created;
    derive_topic_fields(*t);
    building.emplace(t->arn, t);
  }
  storage::Batch sweep;
  auto subs_scanned = engine_.scan(
      storage::Family::kSubscriptions, {}, {}, [&](std::string_view key, std::string_view value) {
        auto r = decode_subscription(value);
        auto topic = r ? building.find(r->topic_arn) : building.end();
        if (topic == building.end()) {
          sweep.erase(storage::Family::kSubscriptions, std::string(key));
          return true;
        }
        Subscription s{.arn = r->arn,
                       .topic_arn = r->topic_arn,
                       .protocol = r->protocol,
                       .endpoint = r->endpoint,
                       .owner = r->owner,
                       .attributes = r->attributes,
                       .confirmed = r->confirmed,
                       .token = r->token,
                       .created = r->created};
        auto built = build_subscription(std::move(s));
        if (!built) {
          // Stored by an older release with laxer rules: keep it, without the failing part.
          return true;
        }
        std::shared_ptr<const Subscription> shared = std::move(*built);
        topic->second->subscriptions.push_back(shared);
        next->subscriptions.emplace(shared->arn, shared);
        return true;
      });
  if (!subs_scanned) return std::unexpected(subs_scanned.error());
  for (auto& [arn, t] : building) {
    if (t->fifo) {
      if (auto ok = restore_fifo_state(*t, sweep); !ok) return ok;
    }
    std::sort(t->subscriptions.begin(), t->subscriptions.end(),
              [](const auto& a, const auto& b) { return a->created < b->created; });
    next->topics.emplace(arn, std::move(t));
  }
  if (!sweep.empty()) (void)engine_.write(sweep);
  std::lock_guard lock(write_mu_);
  state_.store(std::move(next));
  return {};
}

Result<void> Topics::restore_fifo_state(Topic& topic, storage::Batch& sweep) {
  FifoState& fifo = *topic.fifo_state;
  const std::string seq_prefix = topic_seq_prefix(topic.arn);
  auto ceilings = engine_.scan(storage::Family::kMeta, seq_prefix, seq_prefix + '\xff',
                               [&](std::string_view key, std::string_view) {
                                 if (key.size() == seq_prefix.size() + 8) {
                                   fifo.ceiling_written =
                                       std::max(fifo.ceiling_written,
                                                storage::read_u64(key, seq_prefix.size()));
                                 }
                                 return true;
                               });
  if (!ceilings) return std::unexpected(ceilings.error());
  fifo.sequence = SequenceCounter(fifo.ceiling_written);
  const Millis now = clock_.now_ms();
  const std::string dedup_prefix = topic_dedup_prefix(topic.arn);
  auto entries =
      engine_.scan(storage::Family::kMeta, dedup_prefix, dedup_prefix + '\xff',
                   [&](std::string_view key, std::string_view value) {
                     auto record = sqs::decode_dedup(value);
                     if (!record || record->sent + fifo.dedup.interval() <= now) {
                       sweep.erase(storage::Family::kMeta, std::string(key));
                       return true;
                     }
                     fifo.dedup.restore(std::string(key.substr(dedup_prefix.size())),
                                        DedupEntry{record->message_id, record->seq, record->sent});
                     return true;
                   });
  if (!entries) return std::unexpected(entries.error());
  return {};
}

Result<void> Topics::check_replay_policy(const Topic& topic, const std::string& policy) const {
  auto window = parse_replay_policy(policy);
  if (!window) return std::unexpected(window.error());
  const Millis now = clock_.now_ms();
  const Millis begins = archive_begins(topic, now);
  if (!topic.fifo || begins == 0) {
    return invalid(
        "Invalid parameter: ReplayPolicy Reason: the topic has no ArchivePolicy to replay from");
  }
  if (window->from < begins - 999) {  // the attribute shows whole-second precision and less
    return invalid(
        fmt::format("Invalid parameter: ReplayPolicy Reason: StartingPoint is before the topic's "
                    "BeginningArchiveTime {}",
                    utc_timestamp(begins)));
  }
  if (window->from > now) {
    return invalid("Invalid parameter: ReplayPolicy Reason: StartingPoint is in the future");
  }
  return {};
}

// --- topics ----------------------------------------------------------------------------------

Result<std::string> Topics::create_topic(const CreateTopicInput& input) {
  auto fifo_attr = input.attributes.find("FifoTopic");
  const bool fifo = fifo_attr != input.attributes.end() && fifo_attr->second == "true";
  if (!is_valid_topic_name(input.name, fifo)) {
    return fail(Errc::kInvalidParameterValue,
                fifo || input.name.ends_with(".fifo")
                    ? "Invalid parameter: Fifo Topic names must end with .fifo and must be made "
                      "up of only uppercase and lowercase ASCII letters, numbers, underscores, "
                      "and hyphens, and must be between 1 and 256 characters long."
                    : "Invalid parameter: Topic Name");
  }
  for (const auto& [name, value] : input.attributes) {
    if (auto ok = validate_topic_attribute(name, value, fifo, true); !ok) {
      return std::unexpected(ok.error());
    }
  }
  if (auto ok = validate_tags(input.tags); !ok) return std::unexpected(ok.error());
  if (input.tags.size() > kMaxTags) {
    return fail(Errc::kTagLimitExceeded,
                "Could not complete request: tag quota of per resource exceeded");
  }

  const std::string arn = topic_arn(input.name);
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  if (auto it = current->topics.find(arn); it != current->topics.end()) {
    // Idempotent: the same name with the same (or no) attributes and tags is the same topic.
    const Topic& existing = *it->second;
    for (const auto& [name, value] : input.attributes) {
      auto have = existing.attributes.find(name);
      const std::string fallback = name == "FifoTopic" ? "false" : "";
      if ((have == existing.attributes.end() ? fallback : have->second) != value) {
        return fail(Errc::kInvalidParameterValue,
                    "Invalid parameter: Attributes Reason: Topic already exists with different "
                    "attributes");
      }
    }
    for (const auto& [key, value] : input.tags) {
      auto have = existing.tags.find(key);
      if (have == existing.tags.end() || have->second != value) {
        return fail(Errc::kInvalidParameterValue,
                    "Invalid parameter: Tags Reason: Topic already exists with different tags");
      }
    }
    return arn;
  }
  if (current->topics.size() >= options_.max_topics) {
    return fail(Errc::kTopicLimitExceeded, "Topic limit exceeded");
  }
  auto topic = std::make_shared<Topic>();
  topic->name = input.name;
  topic->arn = arn;
  topic->attributes = input.attributes;
  topic->tags = input.tags;
  topic->data_protection_policy = input.data_protection_policy;
  topic->created = clock_.now_ms();
  note_archive_start(*topic, topic->created);
  derive_topic_fields(*topic);

  auto next = std::make_shared<State>(*current);
  next->topics.emplace(arn, topic);
  storage::Batch batch;
  batch.put(storage::Family::kTopics, arn, encode(to_record(*topic)));
  if (auto ok = commit_locked(std::move(next), batch); !ok) return std::unexpected(ok.error());
  return arn;
}

Result<void> Topics::delete_topic(const std::string& topic_arn) {
  if (arn_resource(topic_arn, "sns").empty()) {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: TopicArn");
  }
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  auto it = current->topics.find(topic_arn);
  if (it == current->topics.end()) return {};  // idempotent, as AWS documents
  auto next = std::make_shared<State>(*current);
  storage::Batch batch;
  for (const auto& s : it->second->subscriptions) {
    next->subscriptions.erase(s->arn);
    batch.erase(storage::Family::kSubscriptions, s->arn);
  }
  next->topics.erase(topic_arn);
  batch.erase(storage::Family::kTopics, topic_arn);
  // A FIFO topic's publishes hold its FIFO mutex through their write: taking it here orders
  // this erase after any publish in progress, and marks the state so none follows.
  const std::shared_ptr<FifoState> fifo = it->second->fifo_state;
  std::unique_lock<std::mutex> fifo_lock;
  if (fifo) fifo_lock = std::unique_lock(fifo->mu);
  for (const std::string& prefix : {topic_dedup_prefix(topic_arn), topic_seq_prefix(topic_arn)}) {
    batch.erase_range(storage::Family::kMeta, prefix, prefix + '\xff');
  }
  auto committed = commit_locked(std::move(next), batch);
  if (committed && fifo) fifo->deleted = true;
  return committed;
}

Result<ListTopicsOutput> Topics::list_topics(const PageInput& page) const {
  auto start = page_start(page);
  if (!start) return std::unexpected(start.error());
  auto state = snapshot();
  ListTopicsOutput out;
  auto it = start->empty() ? state->topics.begin() : state->topics.upper_bound(*start);
  for (; it != state->topics.end() && out.topic_arns.size() < kPageSize; ++it) {
    out.topic_arns.push_back(it->first);
  }
  if (it != state->topics.end()) out.next_token = page_token(out.topic_arns.back());
  return out;
}

Result<AttributeMap> Topics::get_topic_attributes(const std::string& topic_arn) const {
  auto state = snapshot();
  auto topic = require_topic(*state, topic_arn);
  if (!topic) return std::unexpected(topic.error());
  const Topic& t = **topic;
  AttributeMap out = t.attributes;
  const std::string& account = queues_.options().account_id;
  out["TopicArn"] = t.arn;
  out["Owner"] = account;
  out.try_emplace("Policy", default_topic_policy(t.arn, account));
  out.try_emplace("DisplayName", "");
  std::size_t confirmed = 0;
  for (const auto& s : t.subscriptions) confirmed += s->confirmed ? 1 : 0;
  out["SubscriptionsConfirmed"] = std::to_string(confirmed);
  out["SubscriptionsPending"] = std::to_string(t.subscriptions.size() - confirmed);
  out["SubscriptionsDeleted"] = std::to_string(t.subscriptions_deleted);
  const auto policy = topic_policy(t.attributes);
  out["EffectiveDeliveryPolicy"] =
      topic_effective_delivery_policy_json(policy ? &*policy : nullptr);
  if (t.fifo) out.try_emplace("ContentBasedDeduplication", "false");
  if (Millis begin = archive_begins(t, clock_.now_ms()); begin > 0) {
    out["BeginningArchiveTime"] = utc_timestamp(begin);
  } else {
    out.erase("BeginningArchiveTime");
  }
  return out;
}

Result<void> Topics::set_topic_attributes(const std::string& topic_arn, const std::string& name,
                                          const std::string& value) {
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  auto topic = require_topic(*current, topic_arn);
  if (!topic) return std::unexpected(topic.error());
  if (auto ok = validate_topic_attribute(name, value, (*topic)->fifo, false); !ok) return ok;
  auto changed = std::make_shared<Topic>(**topic);
  if (value.empty() && name != "DisplayName") {
    changed->attributes.erase(name);  // an empty value restores the default
  } else {
    changed->attributes[name] = value;
  }
  if (name == "ArchivePolicy") note_archive_start(*changed, clock_.now_ms());
  derive_topic_fields(*changed);
  auto next = std::make_shared<State>(*current);
  next->topics[topic_arn] = changed;
  storage::Batch batch;
  batch.put(storage::Family::kTopics, topic_arn, encode(to_record(*changed)));
  return commit_locked(std::move(next), batch);
}

// --- subscriptions ---------------------------------------------------------------------------

Result<std::string> Topics::subscribe(const SubscribeInput& input) {
  if (input.protocol.empty()) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: Protocol Reason: no value for required parameter");
  }
  if (auto ok = validate_endpoint(input.protocol, input.endpoint); !ok) {
    return std::unexpected(ok.error());
  }
  std::unique_lock lock(write_mu_);
  auto current = snapshot();
  auto topic = require_topic(*current, input.topic_arn);
  if (!topic) return std::unexpected(topic.error());
  if ((*topic)->fifo && input.protocol != "sqs") {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: Invalid protocol type: " + input.protocol +
                    " Reason: FIFO topics only support the sqs protocol");
  }
  if (!(*topic)->fifo && input.protocol == "sqs" && input.endpoint.ends_with(".fifo")) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not "
                "be subscribed to standard SNS topics");
  }
  if (input.attributes.contains("ReplayStatus")) {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: AttributeName");
  }
  const auto replay_policy = input.attributes.find("ReplayPolicy");
  const bool replaying = replay_policy != input.attributes.end() && !replay_policy->second.empty();
  if (replaying) {
    if (auto ok = check_replay_policy(**topic, replay_policy->second); !ok) {
      return std::unexpected(ok.error());
    }
  }

  for (const auto& existing : (*topic)->subscriptions) {
    if (existing->protocol != input.protocol || existing->endpoint != input.endpoint) continue;
    for (const auto& [name, value] : input.attributes) {
      auto have = existing->attributes.find(name);
      if (have == existing->attributes.end() || have->second != value) {
        return fail(Errc::kInvalidParameterValue,
                    "Invalid parameter: Attributes Reason: Subscription already exists with "
                    "different attributes");
      }
    }
    return existing->confirmed || input.return_subscription_arn
               ? existing->arn
               : std::string("pending confirmation");
  }

  Subscription s{.arn = fmt::format("{}:{}", input.topic_arn, random_uuid()),
                 .topic_arn = input.topic_arn,
                 .protocol = input.protocol,
                 .endpoint = input.endpoint,
                 .owner = queues_.options().account_id,
                 .attributes = input.attributes,
                 .confirmed = !needs_confirmation(input.protocol),
                 .created = clock_.now_ms()};
  if (!s.confirmed) s.token = random_token();
  if (replaying) s.attributes["ReplayStatus"] = "Pending";
  auto built = build_subscription(std::move(s));
  if (!built) return std::unexpected(built.error());
  std::shared_ptr<const Subscription> sub = std::move(*built);

  auto changed = std::make_shared<Topic>(**topic);
  changed->subscriptions.push_back(sub);
  auto next = std::make_shared<State>(*current);
  next->topics[input.topic_arn] = changed;
  next->subscriptions.emplace(sub->arn, sub);
  storage::Batch batch;
  batch.put(storage::Family::kSubscriptions, sub->arn, encode(to_record(*sub)));
  if (auto ok = commit_locked(std::move(next), batch); !ok) return std::unexpected(ok.error());
  lock.unlock();

  if (!sub->confirmed) {
    send_confirmation(*changed, *sub);
    if (!input.return_subscription_arn) return std::string("pending confirmation");
  }
  if (replaying) replay(sub->arn);
  return sub->arn;
}

Result<std::string> Topics::confirm_subscription(const std::string& topic_arn,
                                                 const std::string& token) {
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  auto topic = require_topic(*current, topic_arn);
  if (!topic) return std::unexpected(topic.error());
  auto& subs = (*topic)->subscriptions;
  auto it = std::find_if(subs.begin(), subs.end(),
                         [&](const auto& s) { return !token.empty() && s->token == token; });
  if (it == subs.end()) return fail(Errc::kInvalidParameterValue, "Invalid token");
  if ((*it)->confirmed) return (*it)->arn;

  auto confirmed = std::make_shared<Subscription>(**it);
  confirmed->confirmed = true;
  auto changed = std::make_shared<Topic>(**topic);
  changed->subscriptions[static_cast<std::size_t>(it - subs.begin())] = confirmed;
  auto next = std::make_shared<State>(*current);
  next->topics[topic_arn] = changed;
  next->subscriptions[confirmed->arn] = confirmed;
  storage::Batch batch;
  batch.put(storage::Family::kSubscriptions, confirmed->arn, encode(to_record(*confirmed)));
  if (auto ok = commit_locked(std::move(next), batch); !ok) return std::unexpected(ok.error());
  return confirmed->arn;
}

Result<void> Topics::unsubscribe(const std::string& subscription_arn) {
  std::unique_lock lock(write_mu_);
  auto current = snapshot();
  auto sub = require_subscription(*current, subscription_arn);
  if (!sub) return std::unexpected(sub.error());
  auto topic = current->topics.find((*sub)->topic_arn);
  auto next = std::make_shared<State>(*current);
  next->subscriptions.erase(subscription_arn);
  std::shared_ptr<Topic> changed;
  if (topic != current->topics.end()) {
    changed = std::make_shared<Topic>(*topic->second);
    std::erase_if(changed->subscriptions,
                  [&](const auto& s) { return s->arn == subscription_arn; });
    ++changed->subscriptions_deleted;
    next->topics[changed->arn] = changed;
  }
  storage::Batch batch;
  batch.erase(storage::Family::kSubscriptions, subscription_arn);
  if (auto ok = commit_locked(std::move(next), batch); !ok) return ok;
  lock.unlock();
  if (changed && ((*sub)->protocol == "http" || (*sub)->protocol == "https")) {
    send_unsubscribe_confirmation(*changed, **sub);
  }
  return {};
}

Result<ListSubscriptionsOutput> Topics::list_subscriptions(const PageInput& page) const {
  auto start = page_start(page);
  if (!start) return std::unexpected(start.error());
  auto state = snapshot();
  ListSubscriptionsOutput out;
  auto it =
      start->empty() ? state->subscriptions.begin() : state->subscriptions.upper_bound(*start);
  std::string last;
  for (; it != state->subscriptions.end() && out.subscriptions.size() < kPageSize; ++it) {
    out.subscriptions.push_back(summary(*it->second));
    last = it->first;
  }
  if (it != state->subscriptions.end()) out.next_token = page_token(last);
  return out;
}

Result<ListSubscriptionsOutput> Topics::list_subscriptions_by_topic(const std::string& topic_arn,
                                                                    const PageInput& page) const {
  auto start = page_start(page);
  if (!start) return std::unexpected(start.error());
  auto state = snapshot();
  auto topic = require_topic(*state, topic_arn);
  if (!topic) return std::unexpected(topic.error());
  // A topic's subscriptions are kept oldest first; the token is the last ARN returned.
  const auto& subs = (*topic)->subscriptions;
  auto it = subs.begin();
  if (!start->empty()) {
    it = std::find_if(subs.begin(), subs.end(), [&](const auto& s) { return s->arn == *start; });
    if (it == subs.end()) return fail(Errc::kInvalidParameterValue, "Invalid parameter: NextToken");
    ++it;
  }
  ListSubscriptionsOutput out;
  for (; it != subs.end() && out.subscriptions.size() < kPageSize; ++it) {
    out.subscriptions.push_back(summary(**it));
  }
  if (it != subs.end()) out.next_token = page_token((*std::prev(it))->arn);
  return out;
}

Result<AttributeMap> Topics::get_subscription_attributes(
    const std::string& subscription_arn) const {
  auto state = snapshot();
  auto sub = require_subscription(*state, subscription_arn);
  if (!sub) return std::unexpected(sub.error());
  const Subscription& s = **sub;
  AttributeMap out = s.attributes;
  out["SubscriptionArn"] = s.arn;
  out["TopicArn"] = s.topic_arn;
  out["Owner"] = s.owner;
  out["Protocol"] = s.protocol;
  out["Endpoint"] = s.endpoint;
  out["PendingConfirmation"] = s.confirmed ? "false" : "true";
  out["ConfirmationWasAuthenticated"] = s.confirmed ? "true" : "false";
  out.try_emplace("RawMessageDelivery", "false");
  if (s.attributes.contains("FilterPolicy"))
    out.try_emplace("FilterPolicyScope", "MessageAttributes");
  if (s.protocol == "http" || s.protocol == "https") {
    auto topic = state->topics.find(s.topic_arn);
    out["EffectiveDeliveryPolicy"] = delivery_policy_of(
        topic == state->topics.end() ? AttributeMap() : topic->second->attributes, s);
  }
  return out;
}

Result<void> Topics::set_subscription_attributes(const std::string& subscription_arn,
                                                 const std::string& name,
                                                 const std::string& value) {
  if (name == "ReplayStatus") return invalid("Invalid parameter: AttributeName");
  std::unique_lock lock(write_mu_);
  auto current = snapshot();
  auto sub = require_subscription(*current, subscription_arn);
  if (!sub) return std::unexpected(sub.error());
  const bool replaying = name == "ReplayPolicy" && !value.empty();
  if (replaying) {
    auto topic = require_topic(*current, (*sub)->topic_arn);
    if (!topic) return std::unexpected(topic.error());
    if (auto ok = check_replay_policy(**topic, value); !ok) return ok;
  }
  Subscription copy = **sub;
  if (value.empty() && (name == "FilterPolicy" || name == "RedrivePolicy" ||
                        name == "DeliveryPolicy" || name == "ReplayPolicy")) {
    copy.attributes.erase(name);  // an empty policy removes it
  } else {
    copy.attributes[name] = value;
  }
  if (name == "ReplayPolicy") {
    if (replaying) {
      copy.attributes["ReplayStatus"] = "Pending";
    } else {
      copy.attributes.erase("ReplayStatus");
    }
  }
  if (auto ok = replace_subscription_locked(*current, std::move(copy)); !ok) return ok;
  lock.unlock();
  if (replaying) replay(subscription_arn);
  return {};
}

// --- tags ------------------------------------------------------------------------------------

Result<void> Topics::tag_resource(const std::string& arn, const TagMap& tags) {
  if (auto ok = validate_tags(tags); !ok) return ok;
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  auto it = current->topics.find(arn);
  if (it == current->topics.end()) {
    return fail(Errc::kResourceNotFound, "Resource does not exist");
  }
  auto changed = std::make_shared<Topic>(*it->second);
  for (const auto& [k, v] : tags) changed->tags[k] = v;
  if (changed->tags.size() > kMaxTags) {
    return fail(Errc::kTagLimitExceeded,
                "Could not complete request: tag quota of per resource exceeded");
  }
  auto next = std::make_shared<State>(*current);
  next->topics[arn] = changed;
  storage::Batch batch;
  batch.put(storage::Family::kTopics, arn, encode(to_record(*changed)));
  return commit_locked(std::move(next), batch);
}

Result<void> Topics::untag_resource(const std::string& arn, const std::vector<std::string>& keys) {
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  auto it = current->topics.find(arn);
  if (it == current->topics.end()) {
    return fail(Errc::kResourceNotFound, "Resource does not exist");
  }
  auto changed = std::make_shared<Topic>(*it->second);
  for (const auto& k : keys) changed->tags.erase(k);
  auto next = std::make_shared<State>(*current);
  next->topics[arn] = changed;
  storage::Batch batch;
  batch.put(storage::Family::kTopics, arn, encode(to_record(*changed)));
  return commit_locked(std::move(next), batch);
}

Result<TagMap> Topics::list_tags_for_resource(const std::string& arn) const {
  auto state = snapshot();
  auto it = state->topics.find(arn);
  if (it == state->topics.end()) {
    return fail(Errc::kResourceNotFound, "Resource does not exist");
  }
  return it->second->tags;
}

// --- signing and endpoint messages -----------------------------------------------------------

std::string Topics::sign(const SnsDocument& doc, SignatureVersion version) const {
  auto signature = signer_->sign(string_to_sign(doc), version);
  // Signing only fails when OpenSSL cannot allocate; deliver unsigned rather than not at all.
  return signature ? std::move(*signature) : std::string();
}

void Topics::send_confirmation(const Topic& topic, const Subscription& subscription) {
  send_control_message(
      topic, subscription, "SubscriptionConfirmation",
      fmt::format("A subscription of this endpoint to topic {} awaits confirmation: open the "
                  "SubscribeURL of this message, or call ConfirmSubscription with its Token.",
                  topic.arn));
}

void Topics::send_unsubscribe_confirmation(const Topic& topic, const Subscription& subscription) {
  send_control_message(
      topic, subscription, "UnsubscribeConfirmation",
      fmt::format("Subscription {} was deleted. Opening the SubscribeURL of this message "
                  "subscribes this endpoint again.",
                  subscription.arn));
}

void Topics::send_control_message(const Topic& topic, const Subscription& subscription,
                                  std::string_view type, const std::string& text) {
  const Millis now = clock_.now_ms();
  const std::string message_id = random_uuid();
  const std::string token = subscription.token.empty() ? random_token() : subscription.token;
  const std::string subscribe_url = fmt::format(
      "{}/?Action=ConfirmSubscription&TopicArn={}&Token={}", options_.base_url, topic.arn, token);
  SnsDocument doc{.type = type,
                  .message_id = message_id,
                  .topic_arn = topic.arn,
                  .message = text,
                  .timestamp = utc_timestamp(now),
                  .token = token,
                  .subscribe_url = subscribe_url};
  const std::string signature = sign(doc, topic.signature_version);
  endpoints_.deliver(EndpointMessage{
      .subscription_arn = subscription.arn,
      .topic_arn = topic.arn,
      .protocol = subscription.protocol,
      .endpoint = subscription.endpoint,
      .message_type = std::string(type),
      .message_id = message_id,
      .body = render_document(doc, topic.signature_version, signature, signing_cert_url()),
      .delivery_policy = delivery_policy_of(topic.attributes, subscription),
      .timestamp = now});
}

// --- publishing ------------------------------------------------------------------------------

Result<Topics::Published> Topics::validate_publish(const Topic& topic, PublishInput input) const {
  if (input.message.empty()) {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: Empty message");
  }
  if (message_size(input.message, input.attributes) > kMaxPublishBytes) {
    return fail(Errc::kInvalidParameterValue, "Invalid parameter: Message too long");
  }
  if (input.subject) {
    if (auto ok = validate_subject(*input.subject); !ok) return std::unexpected(ok.error());
  }
  if (auto ok = validate_publish_attributes(input.attributes); !ok) {
    return std::unexpected(ok.error());
  }
  Published p;
  if (!input.message_structure.empty()) {
    if (input.message_structure != "json") {
      return fail(Errc::kInvalidParameterValue, "Invalid parameter: MessageStructure");
    }
    auto variants = parse_message_structure(input.message);
    if (!variants) return std::unexpected(variants.error());
    p.variants = std::move(*variants);
  }
  if (topic.fifo) {
    if (!input.group_id || input.group_id->empty()) {
      return fail(Errc::kInvalidParameterValue,
                  "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
    }
    if (!is_valid_fifo_token(*input.group_id)) {
      return fail(Errc::kInvalidParameterValue,
                  "Invalid parameter: MessageGroupId Reason: MessageGroupId can only include "
                  "alphanumeric and punctuation characters. 1 to 128 in length.");
    }
    if (input.deduplication_id && !is_valid_fifo_token(*input.deduplication_id)) {
      return fail(Errc::kInvalidParameterValue,
                  "Invalid parameter: MessageDeduplicationId Reason: MessageDeduplicationId can "
                  "only include alphanumeric and punctuation characters. 1 to 128 in length.");
    }
    auto cbd = topic.attributes.find("ContentBasedDeduplication");
    if (!input.deduplication_id && (cbd == topic.attributes.end() || cbd->second != "true")) {
      return fail(Errc::kInvalidParameterValue,
                  "Invalid parameter: The topic should either have ContentBasedDeduplication "
                  "enabled or MessageDeduplicationId provided explicitly");
    }
  } else if (input.deduplication_id) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: MessageDeduplicationId Reason: The request includes "
                "MessageDeduplicationId parameter that is not valid for this topic type");
  }
  p.message_id = random_uuid();
  p.timestamp = clock_.now_ms();
  p.timestamp_text = utc_timestamp(p.timestamp);
  p.input = std::move(input);
  return p;
}

// Builds the deliveries of a set of publishes to one topic: SQS copies grouped per queue and
// staged into one batch with the publishes' event-log records; endpoint messages handed over
// once that batch is written.
class Topics::Fanout {
 public:
  // `log`: the publishes enter the event log with their copies (not when replaying them).
  Fanout(Topics& topics, const Topic& topic, bool log = true)
      : topics_(topics), topic_(topic), log_(log) {}

  void add(const Published& p) {
    // One signature per message variant: the signed text leaves out the subscription.
    std::unordered_map<const std::string*, std::string> signatures;
    for (const auto& sub : topic_.subscriptions) add_for(*sub, p, signatures);
  }

  // The copy of `p` for one subscription, if it is confirmed and its filter matches.
  void add_for(const Subscription& sub, const Published& p,
               std::unordered_map<const std::string*, std::string>& signatures) {
    if (!sub.confirmed) return;
    const std::string& message = p.message_for(sub.protocol);
    if (sub.filter) {
      const bool match = sub.filter->scope() == FilterPolicyScope::kMessageBody
                             ? sub.filter->matches_body(message)
                             : sub.filter->matches(p.input.attributes);
      if (!match) return;
    }
    if (sub.protocol == "sqs") {
      add_sqs(sub, p, message, signatures);
    } else {
      add_endpoint(sub, p, message, signatures);
    }
  }

  // Stages every SQS copy and the event-log records, writes them as one batch, then makes the
  // copies visible and hands endpoint messages over. Fails only when the write fails.
  Result<void> commit(const std::vector<const Published*>& published, storage::Batch batch) {
    // A FIFO queue's finish_sends may wait for earlier sends to it: stage and finish queues in
    // uid order, as every multi-queue stager does, so two fan-outs never wait on each other.
    std::sort(queues_.begin(), queues_.end(), [](const QueueSends& a, const QueueSends& b) {
      return a.queue->uid() < b.queue->uid();
    });
    for (auto& q : queues_) q.staged = q.queue->stage_sends(std::move(q.inputs), batch);
    storage::EventSink::Staged logged;
    std::vector<storage::IncomingMessage> incoming;
    if (topics_.events_ != nullptr && log_) {
      incoming.reserve(published.size());
      for (const Published* p : published) {
        // The log is a FIFO topic's archive: it keeps what a replay needs to publish again.
        incoming.push_back(
            {.source_arn = topic_.arn,
             .message_id = p->message_id,
             .body = p->input.message,
             .attributes = p->input.attributes.empty() ? nullptr : &p->input.attributes,
             .timestamp = p->timestamp,
             .group_id = view_of(p->input.group_id),
             .deduplication_id = view_of(p->input.deduplication_id),
             .subject = view_of(p->input.subject)});
      }
      if (!incoming.empty()) logged = topics_.events_->stage(incoming, batch);
    }
    auto written = topics_.engine_.write(batch);
    if (!incoming.empty()) topics_.events_->finish(logged, written.has_value());
    for (auto& q : queues_) {
      auto results = q.queue->finish_sends(std::move(q.staged), written);
      if (!written) continue;
      for (std::size_t i = 0; i < results.size(); ++i) {
        if (!results[i])
          failed_.push_back({q.subscriptions[i], std::move(q.bodies[i]), std::move(q.attributes[i]),
                             results[i].error(), std::move(q.groups[i])});
      }
    }
    if (!written) return std::unexpected(written.error());
    for (auto& m : endpoint_messages_) topics_.endpoints_.deliver(std::move(m));
    for (auto& f : failed_) {
      topics_.dead_letter_sqs(*f.subscription, std::move(f.body), std::move(f.attributes), f.error,
                              f.group_id);
    }
    return {};
  }

 private:
  struct QueueSends {
    std::shared_ptr<Queue> queue;
    std::vector<SendInput> inputs;
    // Parallel to inputs, kept for the dead-letter queue should a copy be refused.
    std::vector<const Subscription*> subscriptions;
    std::vector<std::string> bodies;
    std::vector<MessageAttributes> attributes;
    std::vector<std::string> groups;  // FIFO topics' copies with a dead-letter queue
    Queue::StagedSends staged;
  };
  struct Failed {
    const Subscription* subscription;
    std::string body;
    MessageAttributes attributes;
    Error error;
    std::string group_id;  // FIFO topics: the publish's MessageGroupId
  };

  const std::string& signature_for(const Published& p, const std::string& message,
                                   std::unordered_map<const std::string*, std::string>& cache) {
    auto [it, inserted] = cache.try_emplace(&message);
    if (inserted) it->second = topics_.sign(document(p, message), topic_.signature_version);
    return it->second;
  }

  SnsDocument document(const Published& p, const std::string& message) const {
    SnsDocument doc{.type = "Notification",
                    .message_id = p.message_id,
                    .sequence_number = p.sequence_number,
                    .replayed = p.replayed,
                    .topic_arn = topic_.arn,
                    .message = message,
                    .timestamp = p.timestamp_text,
                    .attributes = &p.input.attributes};
    if (p.input.subject) doc.subject = *p.input.subject;
    return doc;
  }

  std::string envelope(const Subscription& sub, const Published& p, const std::string& message,
                       const std::string& signature) const {
    SnsDocument doc = document(p, message);
    const std::string unsubscribe = topics_.unsubscribe_url(sub.arn);
    doc.unsubscribe_url = unsubscribe;
    return render_document(doc, topic_.signature_version, signature, topics_.signing_cert_url());
  }

  void add_sqs(const Subscription& sub, const Published& p, const std::string& message,
               std::unordered_map<const std::string*, std::string>& signatures) {
    SendInput in;
    if (sub.raw) {
      in.body = message;
      in.attributes = p.input.attributes;
    } else {
      static const std::string kUnsigned;
      const std::string& signature =
          topics_.options_.sign_sqs_envelopes ? signature_for(p, message, signatures) : kUnsigned;
      in.body = envelope(sub, p, message, signature);
    }
    in.sender_id = std::string(kSnsSenderId);
    auto queue = topics_.queues_.find_by_arn(sub.endpoint);
    if (!queue) {
      failed_.push_back({&sub, std::move(in.body), std::move(in.attributes),
                         Error{Errc::kQueueDoesNotExist, "The destination queue does not exist."},
                         topic_.fifo ? p.input.group_id.value_or("") : std::string()});
      return;
    }
    if (topic_.fifo && queue->fifo()) {
      // The copy keeps the publish's group and effective deduplication id, so the queue
      // orders and deduplicates it as the topic did.
      in.group_id = p.input.group_id;
      in.deduplication_id =
          p.copy_dedup_id.empty() ? p.input.deduplication_id : std::optional(p.copy_dedup_id);
    } else if (!topic_.fifo && !queue->fifo()) {
      in.group_id = p.input.group_id;  // a standard topic feeding a fair queue
    }
    auto [it, inserted] = queue_index_.try_emplace(queue.get(), queues_.size());
    if (inserted) queues_.push_back(QueueSends{.queue = queue});
    QueueSends& q = queues_[it->second];
    q.subscriptions.push_back(&sub);
    // Copies are kept only where a refused delivery has somewhere to go.
    q.bodies.push_back(sub.dead_letter_arn.empty() ? std::string() : in.body);
    q.attributes.push_back(sub.dead_letter_arn.empty() ? MessageAttributes() : in.attributes);
    q.groups.push_back(sub.dead_letter_arn.empty() || !topic_.fifo ? std::string()
                                                                   : p.input.group_id.value_or(""));
    q.inputs.push_back(std::move(in));
  }

  void add_endpoint(const Subscription& sub, const Published& p, const std::string& message,
                    std::unordered_map<const std::string*, std::string>& signatures) {
    EndpointMessage m{.subscription_arn = sub.arn,
                      .topic_arn = topic_.arn,
                      .protocol = sub.protocol,
                      .endpoint = sub.endpoint,
                      .message_type = "Notification",
                      .message_id = p.message_id,
                      .raw = sub.raw,
                      .dead_letter_arn = sub.dead_letter_arn,
                      .timestamp = p.timestamp};
    // E-mail, SMS and push endpoints get the text itself; the others a signed JSON document.
    const bool plain = sub.raw || sub.protocol == "email" || sub.protocol == "sms" ||
                       sub.protocol == "application";
    m.body = plain ? message : envelope(sub, p, message, signature_for(p, message, signatures));
    m.delivery_policy = delivery_policy_of(topic_.attributes, sub);
    endpoint_messages_.push_back(std::move(m));
  }

  Topics& topics_;
  const Topic& topic_;
  const bool log_;
  std::unordered_map<const Queue*, std::size_t> queue_index_;
  std::vector<QueueSends> queues_;
  std::vector<EndpointMessage> endpoint_messages_;
  std::vector<Failed> failed_;
};

// --- replays of a FIFO topic's archive --------------------------------------------------------

void Topics::replay(const std::string& subscription_arn) {
  auto state = snapshot();
  auto sub = state->subscriptions.find(subscription_arn);
  if (sub == state->subscriptions.end()) return;  // unsubscribed meanwhile
  auto topic = state->topics.find(sub->second->topic_arn);
  auto policy = sub->second->attributes.find("ReplayPolicy");
  if (topic == state->topics.end() || !topic->second->fifo ||
      policy == sub->second->attributes.end()) {
    return;
  }
  const Topic& t = *topic->second;
  const Subscription& s = *sub->second;
  auto window = parse_replay_policy(policy->second);
  bool done = false;
  if (window && archive_reader_) {
    // Live publishes wait meanwhile, so the subscriber gets the archive, then what follows.
    std::lock_guard fifo_lock(t.fifo_state->mu);
    const Millis now = clock_.now_ms();
    const Millis from = std::max(window->from, archive_begins(t, now));
    auto archived = archive_reader_(t.arn, from, window->to.value_or(now));
    if (archived) {
      // A replay's copies get deduplication ids of their own: the queue may still hold the
      // originals' ids in its window, and a replay must deliver every selected message.
      const std::string nonce = random_uuid();
      std::vector<Published> published;
      published.reserve(archived->size());
      for (ArchivedMessage& a : *archived) {
        Published p;
        p.message_id = std::move(a.message_id);
        p.timestamp = a.timestamp;
        p.timestamp_text = utc_timestamp(a.timestamp);
        p.replayed = true;
        p.copy_dedup_id = nonce + "-" + p.message_id;
        p.input.topic_arn = t.arn;
        p.input.message = std::move(a.message);
        if (!a.subject.empty()) p.input.subject = std::move(a.subject);
        p.input.attributes = std::move(a.attributes);
        if (!a.group_id.empty()) p.input.group_id = std::move(a.group_id);
        if (!a.deduplication_id.empty()) p.input.deduplication_id = std::move(a.deduplication_id);
        published.push_back(std::move(p));
      }
      Fanout fanout(*this, t, /*log=*/false);
      std::unordered_map<const std::string*, std::string> signatures;
      std::vector<const Published*> valid;
      for (const Published& p : published) {
        signatures.clear();
        fanout.add_for(s, p, signatures);
        valid.push_back(&p);
      }
      done = valid.empty() || fanout.commit(valid, storage::Batch{}).has_value();
    }
  }
  set_replay_status(subscription_arn, done ? "Completed" : "Failed");
}

void Topics::set_replay_status(const std::string& subscription_arn, const std::string& status) {
  std::lock_guard lock(write_mu_);
  auto current = snapshot();
  auto sub = current->subscriptions.find(subscription_arn);
  if (sub == current->subscriptions.end()) return;
  Subscription copy = *sub->second;
  copy.attributes["ReplayStatus"] = status;
  (void)replace_subscription_locked(*current, std::move(copy));
}

Result<void> Topics::replace_subscription_locked(const State& current, Subscription changed) {
  auto built = build_subscription(std::move(changed));
  if (!built) return std::unexpected(built.error());
  std::shared_ptr<const Subscription> sub = std::move(*built);
  auto next = std::make_shared<State>(current);
  next->subscriptions[sub->arn] = sub;
  if (auto topic = current.topics.find(sub->topic_arn); topic != current.topics.end()) {
    auto t = std::make_shared<Topic>(*topic->second);
    for (auto& s : t->subscriptions) {
      if (s->arn == sub->arn) s = sub;
    }
    next->topics[t->arn] = t;
  }
  storage::Batch batch;
  batch.put(storage::Family::kSubscriptions, sub->arn, encode(to_record(*sub)));
  return commit_locked(std::move(next), batch);
}

Result<std::vector<Result<PublishOutput>>> Topics::fan_out(
    const Topic& topic, std::vector<Result<Published>> messages) {
  storage::Batch batch;
  std::unique_lock<std::mutex> fifo_lock;
  if (topic.fifo) {
    fifo_lock = std::unique_lock(topic.fifo_state->mu);
    if (topic.fifo_state->deleted) return fail(Errc::kNotFound, "Topic does not exist");
    deduplicate_locked(topic, messages, batch);
  }
  Fanout fanout(*this, topic);
  std::vector<const Published*> valid;
  for (const auto& m : messages) {
    if (!m || m->duplicate) continue;
    fanout.add(*m);
    valid.push_back(&*m);
  }
  Result<void> committed;
  if (!valid.empty()) committed = fanout.commit(valid, std::move(batch));
  if (topic.fifo) {
    // The window entries of this publish exist exactly when its write landed.
    FifoState& fifo = *topic.fifo_state;
    for (const Published* p : valid) {
      const std::string& key = p->dedup_key;
      if (committed) {
        fifo.dedup.confirm(key);
      } else {
        fifo.dedup.erase(key);
      }
    }
    if (!committed) fifo.ceiling_written = 0;  // write the bound again with the next publish
  }
  if (!committed) return std::unexpected(committed.error());
  std::vector<Result<PublishOutput>> out;
  out.reserve(messages.size());
  for (auto& m : messages) {
    if (!m) {
      out.push_back(std::unexpected(std::move(m.error())));
    } else {
      out.push_back(
          PublishOutput{.message_id = m->message_id, .sequence_number = m->sequence_number});
    }
  }
  return out;
}

void Topics::deduplicate_locked(const Topic& topic, std::vector<Result<Published>>& messages,
                                storage::Batch& batch) {
  FifoState& fifo = *topic.fifo_state;
  const Millis now = clock_.now_ms();
  std::vector<std::string> expired;
  fifo.dedup.expire(now, &expired);
  const std::string dedup_prefix = topic_dedup_prefix(topic.arn);
  for (const auto& key : expired) batch.erase(storage::Family::kMeta, dedup_prefix + key);
  const DedupScope scope = topic_attribute(topic, "FifoThroughputScope") == "MessageGroup"
                               ? DedupScope::kMessageGroup
                               : DedupScope::kQueue;
  for (auto& m : messages) {
    if (!m) continue;
    PublishInput& in = m->input;
    // validate_publish made sure there is an id or content-based deduplication. The content
    // id hashes the message as published, never an envelope (which differs per subscriber).
    if (!in.deduplication_id) in.deduplication_id = DedupWindow::content_id(in.message);
    m->dedup_key = DedupWindow::key(scope, *in.group_id, *in.deduplication_id);
    if (const DedupEntry* original = fifo.dedup.find(m->dedup_key, now)) {
      m->duplicate = true;
      m->message_id = original->message_id;
      m->sequence_number = sequence_number_text(original->sequence);
      continue;
    }
    const SequenceCounter::Issued issued = fifo.sequence.next();
    m->sequence_number = sequence_number_text(issued.value);
    fifo.dedup.insert(m->dedup_key, DedupEntry{m->message_id, issued.value, now, true}, now);
    batch.put(storage::Family::kMeta, dedup_prefix + m->dedup_key,
              encode(sqs::DedupRecord{m->message_id, issued.value, now}));
    if (issued.ceiling > fifo.ceiling_written) {
      // Publishes of this topic are serialised through their write, so one key suffices:
      // the newer bound replaces the older in the same batch.
      if (fifo.ceiling_written > 0) {
        batch.erase(storage::Family::kMeta, topic_seq_key(topic.arn, fifo.ceiling_written));
      }
      batch.put(storage::Family::kMeta, topic_seq_key(topic.arn, issued.ceiling), "");
      fifo.ceiling_written = issued.ceiling;
    }
  }
}

Result<PublishOutput> Topics::publish(PublishInput input) {
  const int targets = static_cast<int>(!input.topic_arn.empty()) +
                      static_cast<int>(!input.target_arn.empty()) +
                      static_cast<int>(!input.phone_number.empty());
  if (targets == 0) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: TopicArn or TargetArn Reason: no value for required "
                "parameter");
  }
  if (targets > 1) {
    return fail(Errc::kInvalidParameterValue,
                "Invalid parameter: TopicArn or TargetArn Reason: Only one of TopicArn, "
                "TargetArn or PhoneNumber may be specified");
  }
  if (!input.phone_number.empty()) {
    if (auto ok = validate_endpoint("sms", input.phone_number); !ok) {
      return fail(Errc::kInvalidParameterValue,
                  fmt::format("Invalid parameter: PhoneNumber Reason: {} is not valid to publish "
                              "to",
                              input.phone_number));
    }
    if (input.message.empty()) {
      return fail(Errc::kInvalidParameterValue, "Invalid parameter: Empty message");
    }
    const std::string id = random_uuid();
    endpoints_.deliver(EndpointMessage{.protocol = "sms",
                                       .endpoint = input.phone_number,
                                       .message_type = "Notification",
                                       .message_id = id,
                                       .body = input.message,
                                       .timestamp = clock_.now_ms()});
    return PublishOutput{.message_id = id};
  }
  const std::string arn = input.topic_arn.empty() ? input.target_arn : input.topic_arn;
  auto state = snapshot();
  auto topic = require_topic(*state, arn);
  if (!topic) {
    if (!input.target_arn.empty() && topic.error().code == Errc::kNotFound) {
      return fail(Errc::kNotFound, "Endpoint does not exist");
    }
    return std::unexpected(topic.error());
  }
  std::vector<Result<Published>> one;
  one.push_back(validate_publish(**topic, std::move(input)));
  if (!one.front()) return std::unexpected(one.front().error());
  auto out = fan_out(**topic, std::move(one));
  if (!out) return std::unexpected(out.error());
  return std::move(out->front());
}

Result<BatchOutput<PublishOutput>> Topics::publish_batch(
    const std::string& topic_arn, std::vector<BatchEntry<PublishInput>> entries) {
  auto state = snapshot();
  auto topic = require_topic(*state, topic_arn);
  if (!topic) return std::unexpected(topic.error());
  if (entries.empty()) {
    return fail(Errc::kEmptyBatchRequest, "The batch request doesn't contain any entries.");
  }
  if (entries.size() > kMaxPublishBatchEntries) {
    return fail(Errc::kTooManyEntriesInBatchRequest,
                "The batch request contains more entries than permissible.");
  }
  std::size_t total = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!is_valid_batch_entry_id(entries[i].id)) {
      return fail(Errc::kInvalidBatchEntryId,
                  "The Id of a batch entry in a batch request doesn't abide by the "
                  "specification.");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (entries[j].id == entries[i].id) {
        return fail(Errc::kBatchEntryIdsNotDistinct,
                    "Two or more batch entries in the request have the same Id.");
      }
    }
    total += message_size(entries[i].input.message, entries[i].input.attributes);
  }
  if (total > kMaxPublishBytes) {
    return fail(Errc::kBatchRequestTooLong,
                "The length of all the messages put together is more than the limit.");
  }
  std::vector<Result<Published>> messages;
  messages.reserve(entries.size());
  for (auto& e : entries) {
    e.input.topic_arn = topic_arn;
    messages.push_back(validate_publish(**topic, std::move(e.input)));
  }
  auto results = fan_out(**topic, std::move(messages));
  if (!results) return std::unexpected(results.error());
  BatchOutput<PublishOutput> out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if ((*results)[i]) {
      out.successful.emplace_back(entries[i].id, std::move(*(*results)[i]));
    } else {
      out.failed.push_back({entries[i].id, std::move((*results)[i].error()), true});
    }
  }
  return out;
}

Result<std::vector<Result<PublishOutput>>> Topics::publish_many(const std::string& topic_arn,
                                                                std::vector<PublishInput> inputs) {
  auto state = snapshot();
  auto topic = require_topic(*state, topic_arn);
  if (!topic) return std::unexpected(topic.error());
  std::vector<Result<Published>> messages;
  messages.reserve(inputs.size());
  for (auto& in : inputs) {
    in.topic_arn = topic_arn;
    messages.push_back(validate_publish(**topic, std::move(in)));
  }
  return fan_out(**topic, std::move(messages));
}

// --- dead letters ----------------------------------------------------------------------------

void Topics::dead_letter_sqs(const Subscription& subscription, std::string body,
                             MessageAttributes attributes, const Error& error,
                             const std::string& group_id) {
  if (subscription.dead_letter_arn.empty()) return;  // dropped, as SNS does without a DLQ
  (void)send_dead_letter(subscription.dead_letter_arn, std::move(body), std::move(attributes),
                         sqs_error_code(error.code), error.message, random_uuid(), group_id);
}

bool Topics::dead_letter(const EndpointMessage& message, const std::string& error_code,
                         const std::string& error_message) {
  if (message.dead_letter_arn.empty()) return false;
  return send_dead_letter(message.dead_letter_arn, message.body, {}, error_code, error_message,
                          random_uuid());
}

bool Topics::send_dead_letter(const std::string& queue_arn, std::string body,
                              MessageAttributes attributes, std::string_view error_code,
                              std::string_view error_message, const std::string& request_id,
                              const std::string& group_id) {
  auto queue = queues_.find_by_arn(queue_arn);
  if (!queue) return false;
  SendInput in;
  in.body = std::move(body);
  if (queue->fifo()) {
    // A FIFO dead-letter queue needs a group: the publish's (FIFO topics) or one for all
    // dead letters; each dead letter is a message of its own, never a duplicate.
    in.group_id = group_id.empty() ? std::string("dead-letters") : group_id;
    in.deduplication_id = request_id;
  }
  in.sender_id = std::string(kSnsSenderId);
  in.attributes = attributes;
  // What went wrong travels with the message, as SNS's dead letters carry it; a message that
  // already has all ten attributes SQS allows keeps its own instead.
  const auto add = [&](const char* name, std::string_view value) {
    if (!value.empty())
      in.attributes[name] = MessageAttributeValue{"String", std::string(value), {}};
  };
  add("ErrorCode", error_code);
  add("ErrorMessage", error_message.substr(0, 1024));
  add("RequestID", request_id);
  if (in.attributes.size() > 10) in.attributes = std::move(attributes);
  return queue->send(std::move(in)).has_value();
}

}  // namespace eb::sns
