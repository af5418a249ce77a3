#include "common/http/tls_server_context.hpp"

#include <sys/stat.h>

#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <memory>
#include <string>
#include <openssl/ssl.h>

#include "common/token_file.hpp"

namespace mixnet::http {

namespace ssl = boost::asio::ssl;

namespace {

// A file the context will read: it must exist and be a regular file; the error names the flag.
Result<struct stat> stat_regular_file(const std::string& path, const std::string& field) {
  struct stat st {};
  if (path.empty()) return fail(Errc::invalid_argument, "no file given", field);
  if (::stat(path.c_str(), &st) != 0) {
    auto e = fail_errno(path, errno);
    e.error().field = field;
    return e;
  }
  if (!S_ISREG(st.st_mode)) return fail(Errc::invalid_argument, path + " is not a regular file", field);
  return st;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_tls_server_context(const TlsServerFiles& files) {
  auto cert = stat_regular_file(files.cert_file, "tls-cert");
  if (!cert) return std::unexpected(cert.error());
  auto key = stat_regular_file(files.key_file, "tls-key");
  if (!key) return std::unexpected(key.error());
  // Before the key is read: a private key others could read is not used at all.
  if (auto ok = require_private_mode(files.key_file, key->st_mode, "tls-key"); !ok) return std::unexpected(ok.error());

  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  // TLS 1.2 is the oldest version still considered sound; compression off (CRIME).
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression);
  // OpenSSL's default for an encrypted PEM key is to ask for its passphrase on the terminal: an
  // agent started by hand would hang at "Enter PEM pass phrase:" (found by tests/fuzz/
  // fuzz_tls_files). No passphrase is ever given; an encrypted key is refused, saying so.
  // Shared: the context keeps the callback after this function returns.
  auto passphrase_asked = std::make_shared<bool>(false);
  ctx->set_password_callback([passphrase_asked](std::size_t, ssl::context::password_purpose) {
    *passphrase_asked = true;
    return std::string();
  });
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(files.cert_file, ec);
  if (ec) return fail(Errc::invalid_argument, files.cert_file + ": not a PEM certificate chain: " + ec.message(), "tls-cert");
  ctx->use_private_key_file(files.key_file, ssl::context::pem, ec);
  if (ec && *passphrase_asked) {
    return fail(Errc::invalid_argument,
                files.key_file + ": the key is encrypted (it needs a passphrase); give the key unencrypted, mode 600 "
                                 "(openssl pkey -in KEY -out PLAIN)",
                "tls-key");
  }
  if (ec) return fail(Errc::invalid_argument, files.key_file + ": not a PEM private key: " + ec.message(), "tls-key");
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return fail(Errc::invalid_argument, files.key_file + " is not the key of the certificate in " + files.cert_file,
                "tls-key");
  }
  if (!files.client_ca_file.empty()) {
    auto ca = stat_regular_file(files.client_ca_file, "tls-client-ca");
    if (!ca) return std::unexpected(ca.error());
    ctx->load_verify_file(files.client_ca_file, ec);
    if (ec) {
      return fail(Errc::invalid_argument, files.client_ca_file + ": not a PEM CA bundle: " + ec.message(),
                  "tls-client-ca");
    }
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    // A server that verifies clients must name its session context, or OpenSSL refuses every
    // resumed session with an internal_error alert (SSL_R_SESSION_ID_CONTEXT_UNINITIALIZED):
    // libcurl resumes by default, and each refusal cost the coordinator a retry 50 ms later.
    static constexpr unsigned char kSessionContext[] = "mixnet";
    if (SSL_CTX_set_session_id_context(ctx->native_handle(), kSessionContext, sizeof kSessionContext - 1) != 1) {
      return fail(Errc::internal, "cannot set the TLS session context", "tls-client-ca");
    }
  }
  return ctx;
}

}  // namespace mixnet::http
