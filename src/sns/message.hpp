#pragma once
// The JSON documents SNS delivers (Notification, SubscriptionConfirmation,
// UnsubscribeConfirmation) and the text their signatures cover. Pure functions.
#include <optional>
#include <string>
#include <string_view>

#include "core/attributes.hpp"
#include "core/clock.hpp"
#include "core/signing.hpp"

namespace eb::sns {

struct SnsDocument {
  std::string_view type;  // "Notification", "SubscriptionConfirmation", ...
  std::string_view message_id;
  std::string_view sequence_number;  // FIFO topics' notifications; not signed
  bool replayed = false;             // redelivered by a ReplayPolicy; not signed
  std::string_view topic_arn;
  std::optional<std::string_view> subject;  // Notification only, when the publisher gave one
  std::string_view message;
  std::string timestamp;                          // utc_timestamp() of the publish
  std::string_view token;                         // confirmations only
  std::string_view subscribe_url;                 // confirmations only
  std::string_view unsubscribe_url;               // Notification only; not signed
  const MessageAttributes* attributes = nullptr;  // Notification only; not signed
};

// The canonical text of a document that Signature covers: "Name\nvalue\n" for each signed
// field present, in the byte order of the names, as SNS documents.
std::string string_to_sign(const SnsDocument& doc);

// The document as SNS writes it, with its signature fields. `signature` is the base64 text
// from MessageSigner::sign over string_to_sign(doc).
std::string render_document(const SnsDocument& doc, SignatureVersion version,
                            std::string_view signature, std::string_view signing_cert_url);

}  // namespace eb::sns
