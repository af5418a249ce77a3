#include "tools/lab/intent_log.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <unistd.h>
#include <utility>

namespace mixnet::lab {

Result<IntentLog> IntentLog::open(const std::string& dir) {
  const std::string path = dir + "/" + kStateFile;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!fd.valid()) return fail_errno("open " + path, errno);
  return IntentLog(std::move(fd));
}

Result<void> IntentLog::record(const nlohmann::json& entry) {
  const std::string line = entry.dump() + "\n";
  // One write of one line: O_APPEND keeps it whole unless the process dies inside the call, and
  // a torn last line is skipped by the reader.
  const ssize_t n = ::write(fd_.get(), line.data(), line.size());
  if (n < 0) return fail_errno("write state file", errno);
  if (static_cast<std::size_t>(n) != line.size()) return fail(Errc::io, "short write to the state file");
  if (::fdatasync(fd_.get()) != 0) return fail_errno("sync state file", errno);
  return {};
}

Result<LabState> read_state(const std::string& dir) {
  const std::string path = dir + "/" + kStateFile;
  std::ifstream in(path);
  if (!in) return fail(Errc::not_found, "no state file " + path);
  LabState s;
  std::string line;
  for (int lines = 0; lines < 1'000'000 && std::getline(in, line); ++lines) {
    const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) continue;  // torn or foreign line
    auto strings = [&](const char* key, std::vector<std::string>& out) {
      if (!j.contains(key)) return;
      const auto& v = j.at(key);
      if (v.is_string()) out.push_back(v.get<std::string>());
      if (v.is_array()) {
        for (const auto& e : v) {
          if (e.is_string()) out.push_back(e.get<std::string>());
        }
      }
    };
    if (j.contains("lab") && j["lab"].is_string()) s.name = j["lab"].get<std::string>();
    if (j.value("created_dir", false)) s.created_dir = true;
    if (j.value("created_parent", false)) s.created_parent = true;
    if (j.contains("mgmt_octet") && j["mgmt_octet"].is_number_integer()) s.mgmt_octet = j["mgmt_octet"].get<int>();
    strings("file", s.files);
    strings("subdir", s.dirs);
    strings("netns", s.netns);
    strings("root_links", s.root_links);
    if (j.contains("pid") && j["pid"].is_number_integer()) {
      s.processes.push_back({j["pid"].get<pid_t>(), j.value("what", std::string{})});
    }
    if (j.value("up", std::string{}) == "done") s.complete = true;
    if (j.value("plain_http", false)) s.plain_http = true;
  }
  return s;
}

}  // namespace mixnet::lab
