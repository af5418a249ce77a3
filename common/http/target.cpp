#include "common/http/target.hpp"

#include <charconv>

namespace mixnet::http {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) {
        return fail(Errc::invalid_argument, "truncated percent escape", "target");
      }
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return fail(Errc::invalid_argument, "bad percent escape", "target");
      const char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') return fail(Errc::invalid_argument, "NUL byte in target", "target");
      out.push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '\0') {
      return fail(Errc::invalid_argument, "NUL byte in target", "target");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<Target> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return fail(Errc::invalid_argument, "request target must start with '/'", "target");
  }
  Target t;
  const auto qpos = target.find('?');
  const std::string_view raw_path = target.substr(0, qpos);
  auto path = percent_decode(raw_path, false);
  if (!path) return std::unexpected(path.error());
  // Reject dot-dot segments: no route needs them and they only ever mean trouble.
  std::string_view p = *path;
  for (std::size_t start = 0; start <= p.size();) {
    const auto end = p.find('/', start);
    const auto seg = p.substr(start, end == std::string_view::npos ? p.npos : end - start);
    if (seg == "..") return fail(Errc::invalid_argument, "'..' in request path", "target");
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  t.path = std::move(*path);
  if (qpos != std::string_view::npos) {
    std::string_view q = target.substr(qpos + 1);
    while (!q.empty()) {
      const auto amp = q.find('&');
      const std::string_view pair = q.substr(0, amp);
      q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
      if (pair.empty()) continue;
      const auto eq = pair.find('=');
      auto key = percent_decode(pair.substr(0, eq), true);
      if (!key) return std::unexpected(key.error());
      auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
      if (!value) return std::unexpected(value.error());
      t.query[std::move(*key)] = std::move(*value);
    }
  }
  return t;
}

bool match_pattern(std::string_view pattern, std::string_view path,
                   std::map<std::string, std::string>& params) {
  params.clear();
  while (true) {
    if (pattern.empty() || path.empty()) return pattern.empty() && path.empty();
    if (pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto pend = pattern.find('/');
    const auto send = path.find('/');
    const std::string_view pseg = pattern.substr(0, pend);
    const std::string_view sseg = path.substr(0, send);
    if (pseg.size() >= 2 && pseg.front() == '{' && pseg.back() == '}') {
      if (sseg.empty()) return false;
      params.emplace(std::string(pseg.substr(1, pseg.size() - 2)), std::string(sseg));
    } else if (pseg != sseg) {
      return false;
    }
    pattern = pend == std::string_view::npos ? std::string_view{} : pattern.substr(pend);
    path = send == std::string_view::npos ? std::string_view{} : path.substr(send);
  }
}

Result<std::uint64_t> query_uint(const Target& t, const std::string& key, std::uint64_t fallback,
                                 std::uint64_t max) {
  const auto it = t.query.find(key);
  if (it == t.query.end()) return fallback;
  const std::string& s = it->second;
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size()) {
    return fail(Errc::invalid_argument, "must be a non-negative integer, got '" + s + "'", key);
  }
  if (v > max) {
    return fail(Errc::invalid_argument, "must be at most " + std::to_string(max), key);
  }
  return v;
}

}  // namespace mixnet::http
