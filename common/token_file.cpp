#include "common/token_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "common/text.hpp"

namespace mixnet {

Result<void> require_private_mode(const std::string& path, mode_t mode, std::string_view field) {
  const mode_t open_bits = mode & (S_IRWXG | S_IRWXO);
  if (open_bits == 0) return {};
  const char* what = (open_bits & (S_IRGRP | S_IROTH)) != 0 ? "read it" : "change or run it";
  return fail(Errc::insecure_file, fmt::format("{}: mode {:04o} lets group/others {}; chmod 600", path, mode & 07777, what),
              std::string(field));
}

Result<struct stat> stat_private_file(const std::string& path, std::string_view what, std::string_view field) {
  const std::string f(field);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    auto e = fail_errno(std::string(what) + " " + path, errno);
    e.error().field = f;
    return std::unexpected(e.error());
  }
  if (!S_ISREG(st.st_mode)) return fail(Errc::invalid_argument, std::string(what) + " " + path + " is not a regular file", f);
  if (auto ok = require_private_mode(path, st.st_mode, f); !ok) return std::unexpected(ok.error());
  return st;
}

Result<BearerToken> read_token_file(const std::string& path, std::string_view field) {
  const std::string f(field);
  // Before the content is read: a secret others could read is not used at all.
  auto stat = stat_private_file(path, "token file", field);
  if (!stat) return std::unexpected(stat.error());
  const struct stat& st = *stat;
  if (static_cast<std::size_t>(st.st_size) > kMaxTokenFileBytes) {
    return fail(Errc::invalid_argument, fmt::format("token file {} is larger than {} bytes", path, kMaxTokenFileBytes), f);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::io, "cannot read token file " + path, f);
  const std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  BearerToken out{.token = trim(content)};
  if (out.token.empty()) return fail(Errc::invalid_argument, "token file " + path + " is empty", f);
  for (const char c : out.token) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) {
      return fail(Errc::invalid_argument, "token in " + path + " must be printable ASCII without whitespace", f);
    }
  }
  return out;
}

}  // namespace mixnet
