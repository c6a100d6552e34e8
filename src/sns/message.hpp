#pragma once
// The JSON documents SNS delivers (Notification, SubscriptionConfirmation,
// UnsubscribeConfirmation), the text their signatures cover, and the signer that puts both
// together.
#include <memory>
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

// Signs documents with the daemon's key and makes the URLs they carry (all under the daemon's
// base URL). set_base_url() only before serving; everything else from any thread.
class DocumentSigner {
 public:
  DocumentSigner(std::shared_ptr<const MessageSigner> signer, std::string base_url);

  void set_base_url(std::string base_url) { base_url_ = std::move(base_url); }
  const MessageSigner& signer() const { return *signer_; }
  // Path of the certificate under the base URL ("/v1/sns/SimpleNotificationService-<sha>.pem").
  const std::string& cert_path() const { return cert_path_; }

  // The Signature of `doc`; empty when signing fails (OpenSSL out of memory), since an
  // unsigned delivery beats none.
  std::string sign(const SnsDocument& doc, SignatureVersion version) const;
  // sign() and render_document() in one.
  std::string render(const SnsDocument& doc, SignatureVersion version) const;
  // Fills in the empty Signature of a Notification that render_document() wrote without one
  // (an SQS copy whose signing was deferred to its receive), in place. RSA PKCS#1 v1.5 is
  // deterministic, so every receive of the copy gets the same bytes. False, with `document`
  // unchanged, when it is not such a notification.
  bool complete(std::string& document) const;
  std::string signing_cert_url() const { return base_url_ + cert_path_; }
  std::string unsubscribe_url(std::string_view subscription_arn) const;
  std::string confirm_url(std::string_view topic_arn, std::string_view token) const;

 private:
  std::shared_ptr<const MessageSigner> signer_;
  std::string base_url_;
  std::string cert_path_;
};

}  // namespace eb::sns
