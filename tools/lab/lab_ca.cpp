#include "tools/lab/lab_ca.hpp"

#include <cerrno>
#include <chrono>
#include <sys/stat.h>

#include "common/subprocess.hpp"

namespace mixnet::lab {

namespace {

using namespace std::chrono_literals;

// A lab lives hours; a month leaves room for a long run without making a key worth stealing.
constexpr const char* kValidDays = "30";
constexpr const char* kCaName = "ca";

std::string tls_dir(const std::string& dir) { return dir + "/" + kTlsDir; }

Result<void> run_openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  auto r = run_program(args, "", 30s);
  if (!r) return std::unexpected(r.error().context("openssl"));
  if (r->exit_code != 0) return fail(Errc::io, "the lab CA: " + shell_quote(args) + " failed: " + r->out);
  return {};
}

// A new EC P-256 key and a certificate for it: self-signed (the CA) or signed by the CA with
// `extensions`. The key is chmod 600 at once; it is never readable by others in between because
// DIR/tls is 700.
Result<void> new_certificate(const std::string& dir, const std::string& name, const std::string& subject,
                             const std::vector<std::string>& extensions) {
  const CertificateFiles files = lab_certificate(dir, name);
  std::vector<std::string> args = {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                   "-keyout", files.key, "-out", files.cert, "-days", kValidDays, "-subj", subject};
  if (name != kCaName) {
    const CertificateFiles ca = lab_certificate(dir, kCaName);
    args.insert(args.end(), {"-CA", ca.cert, "-CAkey", ca.key, "-addext", "basicConstraints=critical,CA:FALSE"});
  }
  for (const auto& e : extensions) args.insert(args.end(), {"-addext", e});
  if (auto r = run_openssl(std::move(args)); !r) return r;
  if (::chmod(files.key.c_str(), 0600) != 0) return fail_errno("chmod 600 " + files.key, errno);
  return {};
}

}  // namespace

CertificateFiles lab_certificate(const std::string& dir, const std::string& name) {
  return {tls_dir(dir) + "/" + name + ".crt", tls_dir(dir) + "/" + name + ".key"};
}

std::string lab_ca_cert(const std::string& dir) { return lab_certificate(dir, kCaName).cert; }

TlsClientFiles lab_client_tls(const std::string& dir) {
  const CertificateFiles client = lab_certificate(dir, kClientCertName);
  return {.ca_file = lab_ca_cert(dir), .cert_file = client.cert, .key_file = client.key};
}

std::vector<std::string> lab_tls_files(const std::vector<std::string>& names) {
  std::vector<std::string> files;
  for (const std::string& name : names) {
    files.push_back(std::string(kTlsDir) + "/" + name + ".crt");
    files.push_back(std::string(kTlsDir) + "/" + name + ".key");
  }
  files.push_back(std::string(kTlsDir) + "/" + kCaName + ".crt");
  files.push_back(std::string(kTlsDir) + "/" + kCaName + ".key");
  files.push_back(std::string(kTlsDir) + "/" + kCaName + ".srl");   // openssl may keep a serial file
  return files;
}

Result<void> make_lab_ca(const std::string& dir) {
  if (::mkdir(tls_dir(dir).c_str(), 0700) != 0 && errno != EEXIST) return fail_errno("create " + tls_dir(dir), errno);
  return new_certificate(dir, kCaName, "/CN=mixnet-lab CA", {});
}

Result<void> issue_server_certificate(const std::string& dir, const std::string& name, const std::string& ip) {
  return new_certificate(dir, name, "/CN=" + ip, {"subjectAltName=IP:" + ip, "extendedKeyUsage=serverAuth"});
}

Result<void> issue_client_certificate(const std::string& dir, const std::string& name) {
  return new_certificate(dir, name, "/CN=mixnet-lab " + name, {"extendedKeyUsage=clientAuth"});
}

}  // namespace mixnet::lab
