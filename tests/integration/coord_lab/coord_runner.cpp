#include "tests/integration/coord_lab/coord_runner.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/text_file.hpp"

namespace mixnet::testing {

namespace {

CoordRun collect(int status, std::string output, const std::string& out_dir) {
  CoordRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.output = std::move(output);
  const std::string results = out_dir + "/results.json";
  if (std::filesystem::exists(results)) r.results = nlohmann::json::parse(read_all(results));
  return r;
}

}  // namespace

const nlohmann::json& CoordRun::step(const std::string& name) const {
  for (const auto& s : results.at("steps")) {
    if (s.value("name", "") == name) return s;
  }
  throw std::runtime_error("no step '" + name + "' in results.json; output:\n" + output);
}

const nlohmann::json& CoordRun::item(const std::string& step_name, const std::string& id) const {
  const auto& s = step(step_name);
  const nlohmann::json* last = nullptr;
  for (const auto& it : s.at("items")) {
    if (it.value("id", "") == id) last = &it;
  }
  if (last == nullptr) throw std::runtime_error("no item '" + id + "' in step '" + step_name + "'; output:\n" + output);
  return *last;
}

CoordScratch::CoordScratch() {
  char tmpl[] = "/tmp/mxt-coord-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  for (const char* f : {"prototype.yaml", "cover.yaml"}) {
    std::filesystem::copy_file(std::string(MIXNET_SOURCE_DIR) + "/playbooks/topologies/" + f, dir_ + "/" + f);
  }
}

CoordScratch::~CoordScratch() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string CoordScratch::write_playbook(const std::string& name, const std::string& yaml) const {
  const std::string path = dir_ + "/" + name;
  std::ofstream(path) << yaml;
  return path;
}

CoordRun CoordScratch::command(const std::string& args) const {
  const std::string cmd = std::string(MIXNET_COORD_BIN) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("popen failed: " + cmd);
  std::string out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  CoordRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.output = out;
  return r;
}

CoordRun CoordScratch::run(const std::string& playbook, const std::string& inventory, const std::string& extra,
                           const std::string& out_name) const {
  return wait(start(playbook, inventory, extra, out_name), out_name);
}

pid_t CoordScratch::start(const std::string& playbook, const std::string& inventory, const std::string& extra,
                          const std::string& out_name) const {
  const std::string out_dir = dir_ + "/" + out_name;
  // Leases go under the scratch folder (removed with it), not the machine's /run/mixnet/leases;
  // runs of one test share it, so a second coordinator still meets the first one's lease.
  const std::string cmd = "MIXNET_LEASE_DIR=" + dir_ + "/leases exec " + MIXNET_COORD_BIN + " run " + playbook + " -i " + inventory + " --db " + db() +
                          " --out " + out_dir + " " + extra + " >" + dir_ + "/" + out_name + ".log 2>&1";
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

CoordRun CoordScratch::wait(pid_t pid, const std::string& out_name) const {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return collect(status, read_all(dir_ + "/" + out_name + ".log"), dir_ + "/" + out_name);
}

}  // namespace mixnet::testing
