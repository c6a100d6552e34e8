#include "api/sqs/response.hpp"

#include "api/aws/error_table.hpp"
#include "api/aws/xml_writer.hpp"
#include "core/encoding.hpp"
#include "core/json_writer.hpp"

namespace eb::api::sqs {
namespace {

constexpr std::size_t kInitialBody = 256;

// Builds one body for either protocol from the same calls; the encoders below are its users.
class ResponseWriter {
 public:
  explicit ResponseWriter(const ResponseContext& context);

  ResponseWriter& field(std::string_view name, std::string_view value);
  ResponseWriter& field(std::string_view name, std::int64_t value);
  ResponseWriter& flag(std::string_view name, bool value);

  // Lists: `json_name` names the JSON array; `xml_member` the repeated XML element.
  ResponseWriter& begin_list(std::string_view json_name, std::string_view xml_member);
  ResponseWriter& item(std::string_view value);
  ResponseWriter& begin_item();
  ResponseWriter& end_item();
  ResponseWriter& end_list();

  // Maps: JSON object `json_name`; XML repeated <xml_entry><key_name/><value_name/></xml_entry>.
  ResponseWriter& begin_map(std::string_view json_name, std::string_view xml_entry,
                            std::string_view key_name = "Name",
                            std::string_view value_name = "Value");
  ResponseWriter& entry(std::string_view key, std::string_view value);
  ResponseWriter& begin_entry(std::string_view key);  // a structure value
  ResponseWriter& end_entry();
  ResponseWriter& end_map();

  // Closes the document and returns the body.
  std::string finish();

 private:
  struct Level {
    std::string member;  // list item / map entry element
    std::string key_name;
    std::string value_name;
  };
  bool json() const { return protocol_ == aws::Protocol::kJson; }

  aws::Protocol protocol_;
  std::string_view action_;  // the context's, which outlives the writer
  std::string_view request_id_;
  std::string body_;
  JsonWriter json_;
  aws::XmlWriter xml_;
  std::vector<Level> levels_;
};

ResponseWriter::ResponseWriter(const ResponseContext& context)
    : protocol_(context.protocol),
      action_(context.action),
      request_id_(context.request_id),
      json_(body_),
      xml_(body_) {
  // Room for a whole SendMessage or DeleteMessage answer at once, instead of growing through
  // three reallocations on the way there.
  body_.reserve(kInitialBody);
  if (json()) {
    json_.begin_object();
  } else {
    xml_.declaration();
    xml_.open(std::string(action_).append("Response"), kXmlNamespace);
    xml_.open(std::string(action_).append("Result"));
  }
}

ResponseWriter& ResponseWriter::field(std::string_view name, std::string_view value) {
  if (json()) {
    json_.member(name, value);
  } else {
    xml_.element(name, value);
  }
  return *this;
}

ResponseWriter& ResponseWriter::field(std::string_view name, std::int64_t value) {
  if (json()) {
    json_.member(name, value);
  } else {
    xml_.element(name, std::to_string(value));
  }
  return *this;
}

ResponseWriter& ResponseWriter::flag(std::string_view name, bool value) {
  if (json()) {
    json_.key(name).boolean(value);
  } else {
    xml_.element(name, value ? "true" : "false");
  }
  return *this;
}

ResponseWriter& ResponseWriter::begin_list(std::string_view json_name,
                                           std::string_view xml_member) {
  if (json()) {
    json_.key(json_name).begin_array();
  } else {
    levels_.push_back({std::string(xml_member), {}, {}});
  }
  return *this;
}

ResponseWriter& ResponseWriter::item(std::string_view value) {
  if (json()) {
    json_.string(value);
  } else {
    xml_.element(levels_.back().member, value);
  }
  return *this;
}

ResponseWriter& ResponseWriter::begin_item() {
  if (json()) {
    json_.begin_object();
  } else {
    xml_.open(levels_.back().member);
  }
  return *this;
}

ResponseWriter& ResponseWriter::end_item() {
  if (json()) {
    json_.end_object();
  } else {
    xml_.close();
  }
  return *this;
}

ResponseWriter& ResponseWriter::end_list() {
  if (json()) {
    json_.end_array();
  } else {
    levels_.pop_back();
  }
  return *this;
}

ResponseWriter& ResponseWriter::begin_map(std::string_view json_name, std::string_view xml_entry,
                                          std::string_view key_name, std::string_view value_name) {
  if (json()) {
    json_.key(json_name).begin_object();
  } else {
    levels_.push_back({std::string(xml_entry), std::string(key_name), std::string(value_name)});
  }
  return *this;
}

ResponseWriter& ResponseWriter::entry(std::string_view key, std::string_view value) {
  if (json()) {
    json_.member(key, value);
  } else {
    const Level& l = levels_.back();
    xml_.open(l.member).element(l.key_name, key).element(l.value_name, value).close();
  }
  return *this;
}

ResponseWriter& ResponseWriter::begin_entry(std::string_view key) {
  if (json()) {
    json_.key(key).begin_object();
  } else {
    const Level& l = levels_.back();
    xml_.open(l.member).element(l.key_name, key).open(l.value_name);
  }
  return *this;
}

ResponseWriter& ResponseWriter::end_entry() {
  if (json()) {
    json_.end_object();
  } else {
    xml_.close().close();
  }
  return *this;
}

ResponseWriter& ResponseWriter::end_map() {
  if (json()) {
    json_.end_object();
  } else {
    levels_.pop_back();
  }
  return *this;
}

std::string ResponseWriter::finish() {
  if (json()) {
    json_.end_object();
  } else {
    xml_.close();  // ...Result
    xml_.open("ResponseMetadata").element("RequestId", request_id_).close();
    xml_.close();  // ...Response
  }
  return std::move(body_);
}

// The members of a SendMessage result and of each SendMessageBatch success.
void write_send(ResponseWriter& w, const eb::sqs::SendOutput& out) {
  w.field("MD5OfMessageBody", out.md5_of_body);
  if (!out.md5_of_attributes.empty()) w.field("MD5OfMessageAttributes", out.md5_of_attributes);
  if (!out.md5_of_system_attributes.empty()) {
    w.field("MD5OfMessageSystemAttributes", out.md5_of_system_attributes);
  }
  w.field("MessageId", out.message_id);
  if (!out.sequence_number.empty()) w.field("SequenceNumber", out.sequence_number);
}

template <class T>
std::string write_batch(const ResponseContext& context, const BatchOutput<T>& out,
                        std::string_view result_entry,
                        void (*write_success)(ResponseWriter&, const T&)) {
  ResponseWriter w(context);
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
  return w.finish();
}

// A string map as `json_name` / repeated <xml_entry><key_name/><value_name/>; empty: omitted.
template <class Map>
std::string write_map(const ResponseContext& context, const Map& map, std::string_view json_name,
                      std::string_view xml_entry, std::string_view key_name) {
  ResponseWriter w(context);
  if (!map.empty()) {
    w.begin_map(json_name, xml_entry, key_name);
    for (const auto& [k, v] : map) w.entry(k, v);
    w.end_map();
  }
  return w.finish();
}

}  // namespace

std::string encode_empty(const ResponseContext& context) {
  return ResponseWriter(context).finish();
}

std::string encode_queue_url(const ResponseContext& context, std::string_view url) {
  ResponseWriter w(context);
  w.field("QueueUrl", url);
  return w.finish();
}

std::string encode_queue_urls(const ResponseContext& context, std::string_view urls_member,
                              const std::vector<std::string>& urls, std::string_view next_token) {
  ResponseWriter w(context);
  if (!urls.empty() || urls_member == "queueUrls") {
    w.begin_list(urls_member, "QueueUrl");
    for (const auto& url : urls) w.item(url);
    w.end_list();
  }
  if (!next_token.empty()) w.field("NextToken", next_token);
  return w.finish();
}

std::string encode_attributes(const ResponseContext& context, const eb::AttributeMap& attributes) {
  return write_map(context, attributes, "Attributes", "Attribute", "Name");
}

std::string encode_tags(const ResponseContext& context, const eb::TagMap& tags) {
  return write_map(context, tags, "Tags", "Tag", "Key");
}

std::string encode_send_message(const ResponseContext& context, const eb::sqs::SendOutput& out) {
  ResponseWriter w(context);
  write_send(w, out);
  return w.finish();
}

std::string encode_send_message_batch(const ResponseContext& context,
                                      const BatchOutput<eb::sqs::SendOutput>& out) {
  return write_batch<eb::sqs::SendOutput>(context, out, "SendMessageBatchResultEntry", &write_send);
}

std::string encode_batch(const ResponseContext& context, std::string_view result_entry,
                         const BatchOutput<NoOutput>& out) {
  return write_batch<NoOutput>(context, out, result_entry, nullptr);
}

std::string encode_receive_message(const ResponseContext& context,
                                   const std::vector<eb::sqs::ReceivedMessage>& messages) {
  ResponseWriter w(context);
  if (!messages.empty()) {
    w.begin_list("Messages", "Message");
    for (const auto& m : messages) {
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
  return w.finish();
}

std::string encode_start_message_move_task(const ResponseContext& context,
                                           std::string_view task_handle) {
  ResponseWriter w(context);
  w.field("TaskHandle", task_handle);
  return w.finish();
}

std::string encode_cancel_message_move_task(const ResponseContext& context, std::int64_t moved) {
  ResponseWriter w(context);
  w.field("ApproximateNumberOfMessagesMoved", moved);
  return w.finish();
}

std::string encode_list_message_move_tasks(const ResponseContext& context,
                                           const std::vector<eb::sqs::MoveTaskInfo>& tasks) {
  ResponseWriter w(context);
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
  return w.finish();
}

}  // namespace eb::api::sqs
