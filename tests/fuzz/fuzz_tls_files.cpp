// Fuzzes the agent's TLS start-up (common/http/tls_server_context.hpp) with arbitrary bytes as its
// PEM files: the certificate chain, the private key and the client CA bundle an operator names
// with --tls-cert, --tls-key and --tls-client-ca. This is where a file's contents meet our code
// before any peer does (a truncated chain, a key of another certificate, an encrypted key, binary
// junk, several keys in one file), and a start that hangs or crashes takes the agent's API down.
// The input is the files' contents separated by "\n%%\n": cert, key, then (optionally) the CA;
// the first byte's bit 0 makes the key file group-readable. Beyond "no crash, no hang": every
// refusal names one of the three flags, and a group-readable key is always refused (insecure_file,
// tls-key) whatever it holds, before it is read.
#include <sys/stat.h>

#include <boost/asio/ssl/context.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/http/tls_server_context.hpp"
#include "tests/support/scratch_dir.hpp"

namespace {

using namespace mixnet;

void check(bool ok) {
  if (!ok) std::abort();
}

void write_file(const std::string& path, std::string_view bytes, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    check(out.good());
  }
  check(::chmod(path.c_str(), mode) == 0);
}

std::vector<std::string_view> split_files(std::string_view input) {
  std::vector<std::string_view> parts;
  constexpr std::string_view kSeparator = "\n%%\n";
  while (parts.size() < 2) {
    const auto at = input.find(kSeparator);
    if (at == std::string_view::npos) break;
    parts.push_back(input.substr(0, at));
    input.remove_prefix(at + kSeparator.size());
  }
  parts.push_back(input);
  return parts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const testing::ScratchDir dir("mixnet-fuzz-tls");
  const bool key_readable_by_group = (data[0] & 1) != 0;
  const auto parts = split_files(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));

  http::TlsServerFiles files{.cert_file = dir.path + "/cert.pem", .key_file = dir.path + "/key.pem", .client_ca_file = {}};
  write_file(files.cert_file, parts[0], 0644);
  write_file(files.key_file, parts.size() > 1 ? parts[1] : std::string_view{}, key_readable_by_group ? 0640 : 0600);
  if (parts.size() > 2) {
    files.client_ca_file = dir.path + "/ca.pem";
    write_file(files.client_ca_file, parts[2], 0644);
  }

  auto ctx = http::make_tls_server_context(files);
  if (key_readable_by_group) {
    check(!ctx && ctx.error().code == Errc::insecure_file && ctx.error().field == "tls-key");
    return 0;
  }
  if (!ctx) {
    const std::string& field = ctx.error().field;
    check(field == "tls-cert" || field == "tls-key" || field == "tls-client-ca");
    check(!ctx.error().message.empty());
  }
  return 0;
}
