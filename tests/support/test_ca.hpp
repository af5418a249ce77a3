#pragma once
// A throw-away certificate authority for one test: a CA, a server certificate for an IP address
// and a client certificate, all signed by the CA, made with the openssl CLI through the project's
// process runner in a folder removed with the object. Keys are mode 600 (as the agent demands).
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/subprocess.hpp"
#include "tests/support/scratch_dir.hpp"

namespace mixnet::testing {

class TestCa {
 public:
  // `server_ip`: the address clients connect to; it is the server certificate's subjectAltName.
  explicit TestCa(const std::string& server_ip = "127.0.0.1") : dir_("mixnet-test-ca") {
    run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", ca_key(), "-out", ca_cert(), "-days", "2", "-subj", "/CN=mixnet test CA"});
    issue("server", "/CN=" + server_ip, "subjectAltName=IP:" + server_ip);
    issue("client", "/CN=mixnet test client", "extendedKeyUsage=clientAuth");
  }

  [[nodiscard]] std::string ca_cert() const { return dir_.path + "/ca.crt"; }
  [[nodiscard]] std::string server_cert() const { return dir_.path + "/server.crt"; }
  [[nodiscard]] std::string server_key() const { return dir_.path + "/server.key"; }
  [[nodiscard]] std::string client_cert() const { return dir_.path + "/client.crt"; }
  [[nodiscard]] std::string client_key() const { return dir_.path + "/client.key"; }
  [[nodiscard]] const std::string& dir() const { return dir_.path; }

 private:
  [[nodiscard]] std::string ca_key() const { return dir_.path + "/ca.key"; }

  void issue(const std::string& name, const std::string& subject, const std::string& extension) {
    const std::string key = dir_.path + "/" + name + ".key";
    run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", dir_.path + "/" + name + ".crt", "-days", "2", "-subj", subject,
         "-CA", ca_cert(), "-CAkey", ca_key(), "-addext", extension,
         "-addext", "basicConstraints=critical,CA:FALSE"});
    std::filesystem::permissions(key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }

  static void run(std::vector<std::string> argv) {
    auto r = run_program(argv, "", std::chrono::seconds(30));
    if (!r || r->exit_code != 0) {
      throw std::runtime_error("test CA: " + shell_quote(argv) + " failed: " + (r ? r->out : r.error().message));
    }
  }

  ScratchDir dir_;
};

}  // namespace mixnet::testing
