#include "common/token_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "common/text.hpp"

namespace mixnet {

Result<BearerToken> read_token_file(const std::string& path, std::string_view field) {
  const std::string f(field);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    auto e = fail_errno("token file " + path, errno);
    e.error().field = f;
    return e;
  }
  if (!S_ISREG(st.st_mode)) return fail(Errc::invalid_argument, "token file " + path + " is not a regular file", f);
  if (static_cast<std::size_t>(st.st_size) > kMaxTokenFileBytes) {
    return fail(Errc::invalid_argument, fmt::format("token file {} is larger than {} bytes", path, kMaxTokenFileBytes), f);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::io, "cannot read token file " + path, f);
  const std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  BearerToken out{.token = trim(content), .warning = {}};
  if (out.token.empty()) return fail(Errc::invalid_argument, "token file " + path + " is empty", f);
  for (const char c : out.token) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) {
      return fail(Errc::invalid_argument, "token in " + path + " must be printable ASCII without whitespace", f);
    }
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    out.warning = fmt::format("token file {} can be read by group or others (mode {:03o}); chmod 600 it", path,
                              st.st_mode & 0777);
  }
  return out;
}

}  // namespace mixnet
