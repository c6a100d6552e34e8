#pragma once
// The RSA key and self-signed certificate SNS messages are signed with (SignatureVersion 1:
// SHA1withRSA, 2: SHA256withRSA). Generated once, then kept as PEM by whoever owns storage,
// so a restart signs with the same key and the certificate at SigningCertURL stays valid.
// Immutable after construction: sign() may be called from any thread.
#include <memory>
#include <string>
#include <string_view>

#include "core/errors.hpp"

namespace eb {

enum class SignatureVersion { kSha1 = 1, kSha256 = 2 };

class MessageSigner {
 public:
  // A fresh 2048-bit RSA key and a self-signed certificate for `common_name`, valid ten years.
  static Result<MessageSigner> generate(std::string_view common_name);
  // From PEM text written by key_pem() / certificate_pem().
  static Result<MessageSigner> from_pem(std::string_view key_pem, std::string_view cert_pem);

  MessageSigner(MessageSigner&&) noexcept;
  MessageSigner& operator=(MessageSigner&&) noexcept;
  ~MessageSigner();

  // Base64 of the PKCS#1 v1.5 signature of `text` with the version's digest.
  Result<std::string> sign(std::string_view text, SignatureVersion version) const;
  // Whether `signature_base64` is a valid signature of `text` by this key (tests, self-check).
  bool verify(std::string_view text, std::string_view signature_base64,
              SignatureVersion version) const;

  const std::string& key_pem() const { return key_pem_; }
  const std::string& certificate_pem() const { return cert_pem_; }

 private:
  struct Keys;
  MessageSigner(std::unique_ptr<Keys> keys, std::string key_pem, std::string cert_pem);

  std::unique_ptr<Keys> keys_;
  std::string key_pem_;
  std::string cert_pem_;
};

}  // namespace eb
