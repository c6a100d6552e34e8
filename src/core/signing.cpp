#include "core/signing.hpp"

#include <algorithm>
#include <future>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "core/encoding.hpp"

namespace eb {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using Bio = std::unique_ptr<BIO, BioFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

constexpr long kValiditySeconds = 10L * 365 * 24 * 3600;

std::unexpected<Error> crypto_error(std::string_view what) {
  return fail(Errc::kInternalError, std::string("signing key: ") + std::string(what));
}

const EVP_MD* digest(SignatureVersion version) {
  return version == SignatureVersion::kSha1 ? EVP_sha1() : EVP_sha256();
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

Bio read_bio(std::string_view text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

}  // namespace

struct MessageSigner::Keys {
  Pkey key;  // null when a lazy generation failed
  Cert cert;
  std::string key_pem;
  std::string cert_pem;
};

// The thread prefetch() starts, at most one per key; its future's destructor waits for it.
struct MessageSigner::Prefetch {
  std::once_flag started;
  std::future<void> done;
};

namespace {

std::string id_of(std::string_view cert_pem) { return sha256_hex(cert_pem).substr(0, 32); }

}  // namespace

MessageSigner::MessageSigner(std::shared_future<std::shared_ptr<const Keys>> keys,
                             std::string certificate_id)
    : keys_(std::move(keys)),
      prefetch_(std::make_shared<Prefetch>()),
      certificate_id_(std::move(certificate_id)) {}
MessageSigner::MessageSigner(MessageSigner&&) noexcept = default;
MessageSigner& MessageSigner::operator=(MessageSigner&&) noexcept = default;
MessageSigner::~MessageSigner() = default;

namespace {

// A ready shared future holding `value`.
template <typename T>
std::shared_future<T> ready(T value) {
  std::promise<T> promise;
  promise.set_value(std::move(value));
  return promise.get_future().share();
}

}  // namespace

Result<MessageSigner> MessageSigner::generate(std::string_view common_name) {
  Pkey key(EVP_RSA_gen(2048));
  if (!key) return crypto_error("RSA key generation failed");
  Cert cert(X509_new());
  if (!cert) return crypto_error("X509_new failed");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn(common_name);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return crypto_error("certificate signing failed");
  }
  Bio key_out(BIO_new(BIO_s_mem()));
  Bio cert_out(BIO_new(BIO_s_mem()));
  if (!key_out || !cert_out ||
      PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_out.get(), cert.get()) != 1) {
    return crypto_error("PEM encoding failed");
  }
  std::string cert_pem = bio_text(cert_out.get());
  std::string id = id_of(cert_pem);
  auto keys = std::make_shared<const Keys>(
      Keys{std::move(key), std::move(cert), bio_text(key_out.get()), std::move(cert_pem)});
  return MessageSigner(ready(std::shared_ptr<const Keys>(std::move(keys))), std::move(id));
}

MessageSigner MessageSigner::generate_lazily(std::string common_name, Generated generated) {
  // Random, since the certificate it would be derived from does not exist yet.
  std::string id = uuid_text(random_uuid_bytes());
  std::erase(id, '-');
  // A deferred state runs on the first wait and only once; later waiters block until it is done.
  auto keys = std::async(std::launch::deferred, [common_name = std::move(common_name), id,
                                                 generated = std::move(generated)] {
    auto signer = generate(common_name);
    if (!signer) return std::make_shared<const Keys>();
    const Keys& made = signer->keys();
    if (generated) generated(made.key_pem, made.cert_pem, id);
    return signer->keys_.get();
  });
  return MessageSigner(keys.share(), std::move(id));
}

void MessageSigner::prefetch() const {
  if (keys_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) return;
  std::call_once(prefetch_->started, [this] {
    prefetch_->done = std::async(std::launch::async, [keys = keys_] { keys.wait(); });
  });
}

Result<MessageSigner> MessageSigner::from_pem(std::string_view key_pem, std::string_view cert_pem,
                                              std::string_view certificate_id) {
  Bio key_in = read_bio(key_pem);
  Bio cert_in = read_bio(cert_pem);
  if (!key_in || !cert_in) return crypto_error("out of memory");
  Pkey key(PEM_read_bio_PrivateKey(key_in.get(), nullptr, nullptr, nullptr));
  Cert cert(PEM_read_bio_X509(cert_in.get(), nullptr, nullptr, nullptr));
  if (!key || !cert) return crypto_error("stored PEM is unreadable");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return crypto_error("stored certificate does not belong to the stored key");
  }
  std::string id = certificate_id.empty() ? id_of(cert_pem) : std::string(certificate_id);
  auto keys = std::make_shared<const Keys>(
      Keys{std::move(key), std::move(cert), std::string(key_pem), std::string(cert_pem)});
  return MessageSigner(ready(std::shared_ptr<const Keys>(std::move(keys))), std::move(id));
}

const std::string& MessageSigner::key_pem() const { return keys().key_pem; }
const std::string& MessageSigner::certificate_pem() const { return keys().cert_pem; }

Result<std::string> MessageSigner::sign(std::string_view text, SignatureVersion version) const {
  MdCtx ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, digest(version), nullptr, keys().key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(text.data()),
                     text.size()) != 1) {
    return crypto_error("signing failed");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(text.data()), text.size()) != 1) {
    return crypto_error("signing failed");
  }
  signature.resize(size);
  return base64_encode(signature);
}

bool MessageSigner::verify(std::string_view text, std::string_view signature_base64,
                           SignatureVersion version) const {
  auto signature = base64_decode(signature_base64);
  if (!signature) return false;
  if (!keys().cert) return false;
  EVP_PKEY* public_key = X509_get0_pubkey(keys().cert.get());
  MdCtx ctx(EVP_MD_CTX_new());
  return ctx && public_key != nullptr &&
         EVP_DigestVerifyInit(ctx.get(), nullptr, digest(version), nullptr, public_key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                          signature->size(), reinterpret_cast<const unsigned char*>(text.data()),
                          text.size()) == 1;
}

}  // namespace eb
