#pragma once
// The OCS lease: while one coordinator run drives a switch, no other coordinator on this machine
// may. One lock file per switch endpoint (HOST:PORT of its URI) in the lease directory, held with
// flock(LOCK_EX | LOCK_NB) for as long as the run has the switch open; the kernel drops the lock
// when the process dies, however it dies, so a crashed run never leaves a stale lease. The holder
// writes who it is (host, pid, run id, since when) into the file, so a refused coordinator can
// say who holds the switch.
//
// The directory is /run/mixnet/leases unless $MIXNET_LEASE_DIR or the caller names another
// (docs/playbooks.md, "The OCS lease"). Two coordinators on different machines are kept apart
// only if they share the directory (a network file system with working flock).
#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace mixnet::coord {

inline constexpr const char* kDefaultLeaseDir = "/run/mixnet/leases";

struct LeaseHolder {
  std::string host;          // gethostname() of the holder
  long pid = 0;
  std::string run_id;
  std::string holder;        // free text: "mixnet-coord run bringup.yaml"
  std::string switch_name;   // the inventory's name for the switch
  std::string endpoint;      // "127.0.0.1:13082"
  std::int64_t since_ns = 0; // CLOCK_REALTIME

  // "host lab-ctl, pid 4242, run 20261129-101500-ab12, since 2026-11-29T10:15:00.123456789Z"
  [[nodiscard]] std::string describe() const;
};

// $MIXNET_LEASE_DIR when set and not empty, else kDefaultLeaseDir.
std::string default_lease_dir();

// "ocs-127.0.0.1_13082.lock"; anything but [A-Za-z0-9.-] in the endpoint becomes '_'.
std::string lease_file_name(const std::string& endpoint);

// The holder this process would write: this host, this pid, now.
LeaseHolder this_process_holder(std::string run_id, std::string holder, std::string switch_name, std::string endpoint);

class OcsLease {
 public:
  // Takes the lease on `me.endpoint` in `dir` (created if missing). A held lease is
  // Errc::conflict: "switch ocs1 (127.0.0.1:13082) is leased by another coordinator: host ...,
  // pid ..., run ..., since ... (lock file ...)".
  static Result<OcsLease> acquire(const std::string& dir, const LeaseHolder& me);

  OcsLease(OcsLease&& other) noexcept;
  OcsLease& operator=(OcsLease&& other) noexcept;
  OcsLease(const OcsLease&) = delete;
  OcsLease& operator=(const OcsLease&) = delete;
  ~OcsLease();   // releases (closing the descriptor drops the flock)

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const LeaseHolder& holder() const { return holder_; }

 private:
  OcsLease(UniqueFd fd, std::string path, LeaseHolder holder);
  UniqueFd fd_;
  std::string path_;
  LeaseHolder holder_;
};

// Who holds the lease file at `path` now, as its holder wrote it; nullopt when the file holds no
// readable record (not yet written, or not a lease file). For messages and `mixnet-coord` status.
std::optional<LeaseHolder> read_lease_file(const std::string& path);

}  // namespace mixnet::coord
