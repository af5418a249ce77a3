// mixnet-lab down: removes everything the intent log names plus whatever carries the lab's prefix,
// in the order that cannot strand anything: processes (they hold namespaces busy and would see
// their links vanish), the root link, the namespaces (their links go with them), then the files.
#include <cstdio>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/lab/intent_log.hpp"
#include "tools/lab/kernel.hpp"
#include "tools/lab/lab_commands.hpp"
#include "tools/lab/lab_plan.hpp"
#include "tools/lab/processes.hpp"

namespace mixnet::lab {

namespace {

using namespace std::chrono_literals;

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

bool dir_is_empty(const std::string& path) {
  // rmdir refuses a non-empty directory, which is exactly the test we need.
  return ::rmdir(path.c_str()) == 0;
}

}  // namespace

bool lab_exists(const std::string& name, const std::string& dir) {
  if (exists(dir + "/" + kStateFile)) return true;
  const std::string prefix = lab_prefix(name);
  return !namespaces_with_prefix(prefix).empty() || !root_links_with_prefix(prefix).empty();
}

Result<DownReport> tear_down(const LabRef& ref, bool quiet) {
  const std::string dir = ref.resolved_dir();
  auto state = read_state(dir);
  // The name recorded in the directory wins: `down --dir D` needs no --name.
  const std::string name = (state && !state->name.empty()) ? state->name : ref.name;
  const std::string prefix = lab_prefix(name);
  DownReport report;

  std::set<std::string> namespaces;
  std::set<std::string> links;
  std::vector<pid_t> recorded;
  if (state) {
    namespaces.insert(state->netns.begin(), state->netns.end());
    links.insert(state->root_links.begin(), state->root_links.end());
    for (const auto& p : state->processes) recorded.push_back(p.pid);
  }
  for (const auto& ns : namespaces_with_prefix(prefix)) namespaces.insert(ns);
  for (const auto& l : root_links_with_prefix(prefix)) links.insert(l);

  // 1. Processes: in our namespaces, or proven ours by their command line.
  std::set<unsigned long> inodes;
  for (const auto& ns : namespaces) {
    if (const auto ino = named_netns_inode(ns); ino != 0) inodes.insert(ino);
  }
  // Twice: an `ip netns exec` caught half-way may exec its agent between the scan and the signal.
  for (int round = 0; round < 2; ++round) {
    const auto pids = find_lab_processes(name, dir, inodes, recorded);
    if (pids.empty()) break;
    report.processes += stop_processes(pids, 3s);
  }

  // 2. The root link (deleting one veth end deletes its peer), 3. the namespaces.
  std::vector<std::string> link_cmds;
  for (const auto& l : links) {
    if (l.starts_with(prefix) && l.size() <= 15) link_cmds.push_back("link del dev " + l);
  }
  std::string errors;
  if (auto r = ip_batch("", link_cmds, /*force=*/true); !r) {
    // A link named in the log but never created fails to delete; only what still exists matters.
    if (!root_links_with_prefix(prefix).empty()) errors += r.error().message + "; ";
  }
  report.links = link_cmds.size();
  std::vector<std::string> ns_cmds;
  for (const auto& ns : namespaces) {
    if (ns.starts_with(prefix) && exists("/run/netns/" + ns)) ns_cmds.push_back("netns del " + ns);
  }
  if (auto r = ip_batch("", ns_cmds, /*force=*/true); !r) errors += r.error().message + "; ";
  report.namespaces = ns_cmds.size();

  // 4. Files: exactly those the log names, then the directories `up` made if they are empty.
  if (state) {
    for (const auto& f : state->files) {
      if (f == kStateFile) continue;  // last: it is what makes a retry possible
      const std::string path = f.starts_with("/") ? f : dir + "/" + f;
      if (::unlink(path.c_str()) == 0) ++report.files;
    }
    for (const auto& d : state->dirs) ::rmdir((dir + "/" + d).c_str());
  }
  if (!errors.empty()) return fail(Errc::io, errors + "state kept in " + dir + " for another try");
  if (::unlink((dir + "/" + kStateFile).c_str()) == 0) ++report.files;
  // A directory we made is removed when it is empty (an `up` killed before its first log record
  // leaves an empty one; a user's directory with other files in it stays).
  if (!state || state->created_dir) dir_is_empty(dir);
  if (ref.dir.empty() && (!state || state->created_parent)) dir_is_empty(dir.substr(0, dir.rfind('/')));

  if (!quiet) {
    if (report.processes + report.namespaces + report.links + report.files == 0) {
      std::printf("lab %s: nothing to remove\n", name.c_str());
    } else {
      std::printf("lab %s down: %zu processes stopped, %zu namespaces, %zu root links, %zu files removed\n", name.c_str(),
                  report.processes, report.namespaces, report.links, report.files);
    }
  }
  return report;
}

int cmd_down(const LabRef& ref) {
  auto r = tear_down(ref, false);
  if (!r) {
    std::fprintf(stderr, "mixnet-lab down: %s\n", r.error().message.c_str());
    return 1;
  }
  return 0;
}

}  // namespace mixnet::lab
