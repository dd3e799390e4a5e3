#include "tools/fake_wechat/self_signed.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace minsheng::tools::fake_wechat {
namespace {

template <class T, void (*Free)(T*)>
struct deleter {
    void operator()(T* p) const { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, deleter<X509_EXTENSION, X509_EXTENSION_free>>;

void bio_free(BIO* b) { BIO_free(b); }
using bio_ptr = std::unique_ptr<BIO, deleter<BIO, bio_free>>;

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("make_self_signed: ") + what);
}

std::string drain(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

void add_extension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
    ext_ptr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
    check(ext != nullptr, "bad certificate extension");
    check(X509_add_ext(cert, ext.get(), -1) == 1, "cannot add an extension");
}

}  // namespace

tls_identity make_self_signed(const std::vector<std::string>& dns_names,
                              const std::vector<std::string>& ip_addresses) {
    pkey_ptr key(EVP_EC_gen("P-256"));
    check(key != nullptr, "cannot generate a key");
    x509_ptr cert(X509_new());
    check(cert != nullptr, "out of memory");

    unsigned char serial[8];
    check(RAND_bytes(serial, sizeof serial) == 1, "no randomness");
    serial[0] &= 0x7F;  // positive
    long serial_value = 0;
    for (unsigned char b : serial) serial_value = (serial_value << 8) | b;
    check(X509_set_version(cert.get(), 2) == 1, "version");
    check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial_value) == 1, "serial");
    check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr, "notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) != nullptr, "notAfter");
    check(X509_set_pubkey(cert.get(), key.get()) == 1, "public key");

    const std::string cn = dns_names.empty() ? "fake-wechat" : dns_names.front();
    X509_NAME* name = X509_get_subject_name(cert.get());
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                     0) == 1,
          "subject");
    check(X509_set_issuer_name(cert.get(), name) == 1, "issuer");

    std::string san;
    for (const auto& d : dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + d;
    for (const auto& ip : ip_addresses) san += (san.empty() ? "IP:" : ",IP:") + ip;
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth");
    if (!san.empty()) add_extension(cert.get(), &ctx, NID_subject_alt_name, san);
    check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "cannot sign");

    bio_ptr cert_bio(BIO_new(BIO_s_mem()));
    bio_ptr key_bio(BIO_new(BIO_s_mem()));
    check(cert_bio && key_bio, "out of memory");
    check(PEM_write_bio_X509(cert_bio.get(), cert.get()) == 1, "cannot write the certificate");
    check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                   nullptr) == 1,
          "cannot write the key");
    return {drain(cert_bio.get()), drain(key_bio.get())};
}

}  // namespace minsheng::tools::fake_wechat
