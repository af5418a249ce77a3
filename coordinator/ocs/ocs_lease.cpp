#include "coordinator/ocs/ocs_lease.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"

namespace mixnet::coord {

namespace {

constexpr std::size_t kMaxRecord = 4096;

// mkdir -p, each level 0755 (the lock files hold nothing secret; the directory must be
// traversable by every coordinator user that shares it).
Result<void> make_dirs(const std::string& dir) {
  if (dir.empty()) return fail(Errc::invalid_argument, "the lease directory is empty", "lease_dir");
  std::string path;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    path = dir.substr(0, pos);
    if (path.empty()) continue;
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return fail_errno("create lease directory " + path + " (set MIXNET_LEASE_DIR to use another)", errno);
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return fail_errno("lease directory " + dir, errno);
  if (!S_ISDIR(st.st_mode)) return fail(Errc::invalid_argument, "lease directory " + dir + " is not a directory", "lease_dir");
  return {};
}

nlohmann::json to_json(const LeaseHolder& h) {
  return {{"host", h.host},         {"pid", h.pid},           {"run_id", h.run_id},
          {"holder", h.holder},     {"switch", h.switch_name}, {"endpoint", h.endpoint},
          {"since_ns", h.since_ns}, {"since", format_realtime_ns(h.since_ns)}};
}

std::optional<LeaseHolder> parse_record(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  LeaseHolder h;
  h.host = j.value("host", std::string{});
  h.pid = j.value("pid", 0L);
  h.run_id = j.value("run_id", std::string{});
  h.holder = j.value("holder", std::string{});
  h.switch_name = j.value("switch", std::string{});
  h.endpoint = j.value("endpoint", std::string{});
  h.since_ns = j.value("since_ns", std::int64_t{0});
  return h;
}

std::string read_fd(int fd) {
  std::string text(kMaxRecord, '\0');
  const ssize_t n = ::pread(fd, text.data(), text.size(), 0);
  text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return text;
}

}  // namespace

std::string LeaseHolder::describe() const {
  std::string s = "host " + (host.empty() ? std::string("?") : host) + ", pid " + std::to_string(pid);
  if (!run_id.empty()) s += ", run " + run_id;
  if (!holder.empty()) s += " (" + holder + ")";
  if (since_ns != 0) s += ", since " + format_realtime_ns(since_ns);
  return s;
}

std::string default_lease_dir() {
  const char* env = std::getenv("MIXNET_LEASE_DIR");
  if (env != nullptr && *env != '\0') return env;
  return kDefaultLeaseDir;
}

std::string lease_file_name(const std::string& endpoint) {
  std::string name = "ocs-";
  for (char c : endpoint) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    name += plain ? c : '_';
  }
  return name + ".lock";
}

LeaseHolder this_process_holder(std::string run_id, std::string holder, std::string switch_name, std::string endpoint) {
  LeaseHolder h;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) h.host = host;
  h.pid = static_cast<long>(::getpid());
  h.run_id = std::move(run_id);
  h.holder = std::move(holder);
  h.switch_name = std::move(switch_name);
  h.endpoint = std::move(endpoint);
  h.since_ns = realtime_ns();
  return h;
}

OcsLease::OcsLease(UniqueFd fd, std::string path, LeaseHolder holder)
    : fd_(std::move(fd)), path_(std::move(path)), holder_(std::move(holder)) {}

OcsLease::OcsLease(OcsLease&& other) noexcept = default;

// The lease replaced here is dropped (its lock released) without blanking its record.
OcsLease& OcsLease::operator=(OcsLease&& other) noexcept {
  if (this != &other) {
    fd_ = std::move(other.fd_);
    path_ = std::move(other.path_);
    holder_ = std::move(other.holder_);
  }
  return *this;
}

OcsLease::~OcsLease() {
  if (!fd_.valid()) return;
  // Leave the file (another coordinator may have it open, waiting); blank the record so nobody
  // reads a stale holder, then let fd_ close and drop the lock.
  if (::ftruncate(fd_.get(), 0) != 0) {
    // Nothing to do: the lock goes with the descriptor either way.
  }
}

Result<OcsLease> OcsLease::acquire(const std::string& dir, const LeaseHolder& me) {
  if (auto made = make_dirs(dir); !made) return std::unexpected(made.error());
  const std::string path = dir + "/" + lease_file_name(me.endpoint);
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) return fail_errno("open lease file " + path, errno);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err != EWOULDBLOCK) return fail_errno("lock lease file " + path, err);
    const auto other = parse_record(read_fd(fd.get()));
    fd.reset();
    std::string who = other ? other->describe() : std::string("a holder that has not written its name yet");
    return fail(Errc::conflict, "switch " + me.switch_name + " (" + me.endpoint + ") is leased by another coordinator: " + who +
                                    " (lock file " + path + "); wait for that run to end, or stop it");
  }
  const std::string record = to_json(me).dump() + "\n";
  if (::ftruncate(fd.get(), 0) != 0 ||
      ::pwrite(fd.get(), record.data(), record.size(), 0) != static_cast<ssize_t>(record.size())) {
    const int err = errno;
    return fail_errno("write lease file " + path, err);
  }
  return OcsLease(std::move(fd), path, me);
}

std::optional<LeaseHolder> read_lease_file(const std::string& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return std::nullopt;
  return parse_record(read_fd(fd.get()));
}

}  // namespace mixnet::coord
