#pragma once
// The lab's throw-away certificate authority (docs/lab.md, docs/tls.md): in DIR/tls/ a CA and,
// signed by it, a server certificate per agent (its management address as subjectAltName, so
// clients verify the address they dial), one for the emulator's RESTCONF on 127.0.0.1, and a
// client certificate for coordinators and tools (mutual TLS). EC P-256, keys mode 600, made with
// the openssl CLI through run_program: one call per certificate (about 10 ms each), issued in
// parallel by the caller, so 32 agents add a fraction of a second to `up`.
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/http/tls_client_files.hpp"

namespace mixnet::lab {

inline constexpr const char* kTlsDir = "tls";

// Paths of one certificate and its key under DIR/tls/: NAME.crt and NAME.key.
struct CertificateFiles {
  std::string cert;
  std::string key;
};
CertificateFiles lab_certificate(const std::string& dir, const std::string& name);
std::string lab_ca_cert(const std::string& dir);
// What a coordinator or tool of the lab uses: the lab CA and the client certificate.
TlsClientFiles lab_client_tls(const std::string& dir);

// Every file the CA may write for certificates `names`, relative to DIR (for the intent log,
// which names files before they are made), and the subdirectory itself.
std::vector<std::string> lab_tls_files(const std::vector<std::string>& names);

// Makes DIR/tls (mode 700) and the CA in it.
Result<void> make_lab_ca(const std::string& dir);
// A server certificate NAME for `ip` (its subjectAltName), signed by the lab CA.
Result<void> issue_server_certificate(const std::string& dir, const std::string& name, const std::string& ip);
// A client certificate NAME (extendedKeyUsage clientAuth), signed by the lab CA.
Result<void> issue_client_certificate(const std::string& dir, const std::string& name);

// The client certificate's name: the one the coordinator presents.
inline constexpr const char* kClientCertName = "client";
// The emulator's RESTCONF certificate's name.
inline constexpr const char* kOcsCertName = "ocs";

}  // namespace mixnet::lab
