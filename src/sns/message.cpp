#include "sns/message.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "core/encoding.hpp"
#include "core/json_escape.hpp"

namespace eb::sns {
namespace {

bool is_notification(const SnsDocument& doc) { return doc.type == "Notification"; }

void add_signed(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).push_back('\n');
  out.append(value).push_back('\n');
}

// Members are written one per line, two-space indented, `"Name" : value`: the layout SNS uses,
// which some consumers' fixtures compare byte for byte.
class DocumentWriter {
 public:
  explicit DocumentWriter(std::string& out) : out_(out) { out_.append("{\n"); }
  void string(std::string_view name, std::string_view value) {
    key(name);
    out_.push_back('"');
    append_json_escaped(out_, value);
    out_.push_back('"');
  }
  void key(std::string_view name) {
    if (!first_) out_.append(",\n");
    first_ = false;
    out_.append("  \"").append(name).append("\" : ");
  }
  std::string& raw() { return out_; }
  void finish() { out_.append("\n}"); }

 private:
  std::string& out_;
  bool first_ = true;
};

void write_attributes(DocumentWriter& w, const MessageAttributes& attributes) {
  w.key("MessageAttributes");
  std::string& out = w.raw();
  out.push_back('{');
  bool first = true;
  for (const auto& [name, value] : attributes) {
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    append_json_escaped(out, name);
    out.append("\":{\"Type\":\"");
    append_json_escaped(out, value.data_type);
    out.append("\",\"Value\":\"");
    append_json_escaped(out, value.is_binary() ? base64_encode(value.binary_value)
                                               : std::string_view(value.string_value));
    out.append("\"}");
  }
  out.push_back('}');
}

}  // namespace

std::string string_to_sign(const SnsDocument& doc) {
  std::string text;
  text.reserve(doc.message.size() + 256);
  add_signed(text, "Message", doc.message);
  add_signed(text, "MessageId", doc.message_id);
  if (is_notification(doc)) {
    if (doc.subject) add_signed(text, "Subject", *doc.subject);
  } else {
    add_signed(text, "SubscribeURL", doc.subscribe_url);
  }
  add_signed(text, "Timestamp", doc.timestamp);
  if (!is_notification(doc)) add_signed(text, "Token", doc.token);
  add_signed(text, "TopicArn", doc.topic_arn);
  add_signed(text, "Type", doc.type);
  return text;
}

std::string render_document(const SnsDocument& doc, SignatureVersion version,
                            std::string_view signature, std::string_view signing_cert_url) {
  std::string out;
  out.reserve(doc.message.size() + 1024);
  DocumentWriter w(out);
  w.string("Type", doc.type);
  w.string("MessageId", doc.message_id);
  if (!doc.sequence_number.empty()) w.string("SequenceNumber", doc.sequence_number);
  if (!is_notification(doc)) w.string("Token", doc.token);
  w.string("TopicArn", doc.topic_arn);
  if (is_notification(doc) && doc.subject) w.string("Subject", *doc.subject);
  w.string("Message", doc.message);
  if (!is_notification(doc)) w.string("SubscribeURL", doc.subscribe_url);
  w.string("Timestamp", doc.timestamp);
  if (doc.replayed) {
    w.key("Replayed");
    w.raw().append("true");
  }
  w.string("SignatureVersion", version == SignatureVersion::kSha256 ? "2" : "1");
  w.string("Signature", signature);
  w.string("SigningCertURL", signing_cert_url);
  if (is_notification(doc)) {
    w.string("UnsubscribeURL", doc.unsubscribe_url);
    if (doc.attributes != nullptr && !doc.attributes->empty()) write_attributes(w, *doc.attributes);
  }
  w.finish();
  return out;
}

DocumentSigner::DocumentSigner(std::shared_ptr<const MessageSigner> signer, std::string base_url)
    : signer_(std::move(signer)),
      base_url_(std::move(base_url)),
      cert_path_(
          fmt::format("/v1/sns/SimpleNotificationService-{}.pem", signer_->certificate_id())) {}

std::string DocumentSigner::sign(const SnsDocument& doc, SignatureVersion version) const {
  auto signature = signer_->sign(string_to_sign(doc), version);
  return signature ? std::move(*signature) : std::string();
}

std::string DocumentSigner::render(const SnsDocument& doc, SignatureVersion version) const {
  return render_document(doc, version, sign(doc, version), signing_cert_url());
}

bool DocumentSigner::complete(std::string& document) const {
  // render_document() writes one member per line, so the empty Signature member is this exact
  // text; a string value cannot hold it (its quotes and line breaks are escaped).
  static constexpr std::string_view kEmptySignature = "\n  \"Signature\" : \"\"";
  const std::size_t at = document.find(kEmptySignature);
  if (at == std::string::npos) return false;

  thread_local simdjson::dom::parser parser;
  simdjson::dom::object members;
  if (parser.parse(document).get(members)) return false;
  auto text = [&members](std::string_view name) {
    std::string_view value;
    return members[name].get_string().get(value) ? std::string_view() : value;
  };
  SnsDocument doc{.type = text("Type"),
                  .message_id = text("MessageId"),
                  .topic_arn = text("TopicArn"),
                  .message = text("Message"),
                  .timestamp = std::string(text("Timestamp"))};
  if (doc.type != "Notification") return false;
  std::string_view subject;
  if (!members["Subject"].get_string().get(subject)) doc.subject = subject;
  const SignatureVersion version =
      text("SignatureVersion") == "2" ? SignatureVersion::kSha256 : SignatureVersion::kSha1;
  const std::string signature = sign(doc, version);
  document.insert(at + kEmptySignature.size() - 1, signature);
  return true;
}

std::string DocumentSigner::unsubscribe_url(std::string_view subscription_arn) const {
  // ARNs are made of characters a query string carries as they are.
  return fmt::format("{}/?Action=Unsubscribe&SubscriptionArn={}", base_url_, subscription_arn);
}

std::string DocumentSigner::confirm_url(std::string_view topic_arn, std::string_view token) const {
  return fmt::format("{}/?Action=ConfirmSubscription&TopicArn={}&Token={}", base_url_, topic_arn,
                     token);
}

}  // namespace eb::sns
