#pragma once
// The TLS side of the one HTTP server (common/http/server.hpp): the files an operator names
// (--tls-cert, --tls-key, optional --tls-client-ca) turned into an OpenSSL context, checked at
// start so a wrong file fails the program's start, naming the flag, not the first handshake.
#include <memory>
#include <string>

#include "common/result.hpp"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace mixnet::http {

struct TlsServerFiles {
  std::string cert_file;       // PEM: the server certificate, then any intermediates
  std::string key_file;        // PEM: its private key; owner-only (mode 0600 or stricter)
  std::string client_ca_file;  // PEM CA bundle; set: every client must present a certificate it signed
};

// Builds a server context: TLS 1.2 or newer, the certificate chain and its key (which must match),
// and with client_ca_file mutual TLS (a client without a certificate from that CA fails the
// handshake). The key file is refused before it is read when group or others may open it
// (Errc::insecure_file). Errors name the flag: "tls-cert", "tls-key" or "tls-client-ca".
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_server_context(const TlsServerFiles& files);

}  // namespace mixnet::http
