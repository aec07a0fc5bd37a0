#include "http/tls_certificate.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace lockbox::http {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

Status AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  Extension ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return Status::Internal("cannot add certificate extension " + std::string(OBJ_nid2sn(nid)) +
                            " = " + value);
  }
  return Status::Ok();
}

// Writes `pem` to a new file with `mode`; O_EXCL so an existing file is never replaced.
Status WriteNewFile(const std::string& path, const std::string& pem, mode_t mode) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return Status::AlreadyExists(path + " exists; it was left as it is");
    return Status::IoError("cannot create " + path + ": " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < pem.size()) {
    const ssize_t n = write(fd, pem.data() + done, pem.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string error = std::strerror(errno);
      close(fd);
      return Status::IoError("writing " + path + " failed: " + error);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    return Status::IoError("writing " + path + " failed: " + std::strerror(errno));
  }
  return Status::Ok();
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

Status CreateSelfSignedCertificate(const SelfSignedCertificateRequest& request,
                                   const std::string& cert_path, const std::string& key_path) {
  PKey key(EVP_EC_gen("P-256"));
  Cert cert(X509_new());
  if (!key || !cert) return Status::Internal("OpenSSL could not create a P-256 key");

  uint8_t serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return Status::Internal("OpenSSL RNG failed");
  serial[0] &= 0x7F;  // a positive serial number
  BIGNUM* serial_bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  const bool serial_ok =
      serial_bn != nullptr && BN_to_ASN1_INTEGER(serial_bn, X509_get_serialNumber(cert.get()));
  BN_free(serial_bn);

  X509_NAME* name = X509_get_subject_name(cert.get());
  const bool ok =
      serial_ok && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&  // clock skew
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), request.valid_days, 0, nullptr) != nullptr &&
      X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(request.common_name.c_str()), -1, -1, 0) == 1 &&
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>("Lockbox (self-signed)"),
                                 -1, -1, 0) == 1 &&
      X509_set_issuer_name(cert.get(), name) == 1 && X509_set_pubkey(cert.get(), key.get()) == 1;
  if (!ok) return Status::Internal("OpenSSL could not fill in the certificate");

  std::string san;
  for (const std::string& dns : request.dns_names) san += (san.empty() ? "" : ",") + ("DNS:" + dns);
  for (const std::string& ip : request.ip_addresses) san += (san.empty() ? "" : ",") + ("IP:" + ip);
  LOCKBOX_RETURN_IF_ERROR(AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  LOCKBOX_RETURN_IF_ERROR(AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature"));
  LOCKBOX_RETURN_IF_ERROR(AddExtension(cert.get(), NID_ext_key_usage, "serverAuth"));
  LOCKBOX_RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_key_identifier, "hash"));
  if (!san.empty()) LOCKBOX_RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_alt_name, san));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return Status::Internal("OpenSSL could not sign the certificate");
  }

  Bio key_pem(BIO_new(BIO_s_mem()));
  Bio cert_pem(BIO_new(BIO_s_mem()));
  if (!key_pem || !cert_pem ||
      PEM_write_bio_PrivateKey(key_pem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_pem.get(), cert.get()) != 1) {
    return Status::Internal("OpenSSL could not encode the key and certificate as PEM");
  }
  std::string key_text = BioText(key_pem.get());
  const Status key_written = WriteNewFile(key_path, key_text, 0600);
  OPENSSL_cleanse(key_text.data(), key_text.size());
  LOCKBOX_RETURN_IF_ERROR(key_written);
  const Status cert_written = WriteNewFile(cert_path, BioText(cert_pem.get()), 0644);
  if (!cert_written.ok()) unlink(key_path.c_str());  // no key without its certificate
  return cert_written;
}

}  // namespace lockbox::http
