#pragma once
// The lab's state file (DIR/state.jsonl): an intent log. `up` appends a line naming each resource
// BEFORE it creates it (and flushes it to the file system), so whatever point `up` dies at —
// an error, a crash, kill -9 — `down` finds everything that might exist and removes it. A
// resource named but never created is simply not found. A torn last line is ignored.
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace mixnet::lab {

inline constexpr const char* kStateFile = "state.jsonl";

struct RecordedProcess {
  pid_t pid = 0;
  std::string what;   // "agent h1", "ocs-emu"
};

struct LabState {
  std::string name;                 // the lab's name (first record)
  bool created_dir = false;         // `up` made DIR, so `down` removes it
  bool created_parent = false;      // and its parent (/run/mixnet-lab)
  std::vector<std::string> files;   // relative to DIR (or absolute)
  std::vector<std::string> dirs;    // made inside DIR, removed when empty
  std::vector<std::string> netns;
  std::vector<std::string> root_links;
  std::vector<RecordedProcess> processes;
  int mgmt_octet = 0;
  bool complete = false;            // `up` finished
  bool plain_http = false;          // agents serve plain HTTP (--insecure-plain-http)
};

class IntentLog {
 public:
  // Opens DIR/state.jsonl for appending (creating it, mode 600).
  static Result<IntentLog> open(const std::string& dir);
  IntentLog(IntentLog&&) noexcept = default;
  IntentLog& operator=(IntentLog&&) = delete;
  IntentLog(const IntentLog&) = delete;
  ~IntentLog() = default;

  // Appends one record and syncs it; returns only once it is durable.
  Result<void> record(const nlohmann::json& entry);

 private:
  explicit IntentLog(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// Reads DIR/state.jsonl; not_found when there is none.
Result<LabState> read_state(const std::string& dir);

}  // namespace mixnet::lab
