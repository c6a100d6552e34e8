#pragma once
// The RSA key and self-signed certificate SNS messages are signed with (SignatureVersion 1:
// SHA1withRSA, 2: SHA256withRSA). Generated once, then kept as PEM by whoever owns storage,
// so a restart signs with the same key and the certificate at SigningCertURL stays valid.
// Immutable after construction (a key generated in the background is waited for, never
// changed): every member may be called from any thread.
#include <functional>
#include <future>
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
  // generate(), later: an RSA-2048 key takes 50-300 ms of CPU, which neither the daemon's start
  // nor a daemon that never signs should pay. Nothing runs until prefetch() starts it on a
  // thread of its own, or the first sign(), verify() or PEM read runs it on the caller's thread
  // (other callers wait for it). certificate_id() is known at once. `generated` runs once, with
  // the new PEM texts and the id, before any waiter is released (the owner stores them there).
  // A failed generation leaves a signer whose sign() fails and whose PEM texts are empty. The
  // last copy's destruction waits for a prefetch under way.
  using Generated = std::function<void(const std::string& key_pem, const std::string& cert_pem,
                                       const std::string& certificate_id)>;
  static MessageSigner generate_lazily(std::string common_name, Generated generated);
  // From PEM text written by key_pem() / certificate_pem(), and the id the certificate was
  // published under (empty: derived from the certificate, as generate() does).
  static Result<MessageSigner> from_pem(std::string_view key_pem, std::string_view cert_pem,
                                        std::string_view certificate_id = {});

  MessageSigner(MessageSigner&&) noexcept;
  MessageSigner& operator=(MessageSigner&&) noexcept;
  ~MessageSigner();

  // Starts a lazily generated key on a thread of its own, once; a no-op for a key that exists.
  // For the first need the owner sees coming (a topic is created), so it does not wait.
  void prefetch() const;

  // Base64 of the PKCS#1 v1.5 signature of `text` with the version's digest.
  Result<std::string> sign(std::string_view text, SignatureVersion version) const;
  // Whether `signature_base64` is a valid signature of `text` by this key (tests, self-check).
  bool verify(std::string_view text, std::string_view signature_base64,
              SignatureVersion version) const;

  const std::string& key_pem() const;
  const std::string& certificate_pem() const;
  // 32 hex digits naming the certificate (SNS's SigningCertURL ends in
  // "SimpleNotificationService-<id>.pem"), stable for a key across restarts.
  const std::string& certificate_id() const { return certificate_id_; }

 private:
  struct Keys;
  struct Prefetch;
  MessageSigner(std::shared_future<std::shared_ptr<const Keys>> keys, std::string certificate_id);
  const Keys& keys() const { return *keys_.get(); }

  std::shared_future<std::shared_ptr<const Keys>> keys_;
  std::shared_ptr<Prefetch> prefetch_;  // shared by the copies
  std::string certificate_id_;
};

}  // namespace eb
