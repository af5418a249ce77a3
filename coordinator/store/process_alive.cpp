#include "coordinator/store/process_alive.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace mixnet::coord {

std::string process_start_token(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return {};
  // The command name (field 2) may hold spaces and parentheses: fields count from the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  for (int n = 3; n <= 22 && rest >> field; ++n) {
    if (n == 22) return field;
  }
  return {};
}

bool process_alive(pid_t pid, const std::string& start_token) {
  if (pid <= 0) return false;
  const auto now = process_start_token(pid);
  if (now.empty()) return false;
  // A zombie has exited: it is not running our run any more.
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  const auto close = line.rfind(')');
  if (close != std::string::npos && close + 2 < line.size() && (line[close + 2] == 'Z' || line[close + 2] == 'X')) return false;
  return start_token.empty() || now == start_token;
}

std::string this_hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

}  // namespace mixnet::coord
