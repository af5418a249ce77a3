#pragma once
// Is the coordinator that started a run still alive? A pid alone can be reused, so a run also
// records its process's start time (field 22 of /proc/PID/stat) and both must match.
#include <string>
#include <sys/types.h>

namespace mixnet::coord {

std::string process_start_token(pid_t pid);       // "" when the process does not exist
bool process_alive(pid_t pid, const std::string& start_token);
std::string this_hostname();

}  // namespace mixnet::coord
