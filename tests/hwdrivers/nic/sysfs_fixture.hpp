#pragma once
// A temporary tree shaped like /sys/class/infiniband on a ConnectX (mlx5) RoCE host, removed
// when the test ends: <dev>/ports/<n>/{state,phys_state,rate,link_layer,gids/<i>,
// gid_attrs/types/<i>,gid_attrs/ndevs/<i>}.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace mixnet::testing {

class SysfsFixture {
 public:
  SysfsFixture() {
    std::string templ = (std::filesystem::temp_directory_path() / "mxt-rdma-sel-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = templ;
  }
  ~SysfsFixture() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  SysfsFixture(const SysfsFixture&) = delete;
  SysfsFixture& operator=(const SysfsFixture&) = delete;

  [[nodiscard]] const std::filesystem::path& root() const { return root_; }

  void write(const std::filesystem::path& relative, const std::string& content) const {
    const auto p = root_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << content << '\n';
  }
  void port(const std::string& dev, int n) const {
    const auto p = std::filesystem::path(dev) / "ports" / std::to_string(n);
    write(p / "state", "4: ACTIVE");
    write(p / "phys_state", "5: LinkUp");
    write(p / "rate", "100 Gb/sec (4X EDR)");
    write(p / "link_layer", "Ethernet");
  }
  void gid(const std::string& dev, int n, int index, const std::string& gid, const std::string& type,
           const std::string& ndev) const {
    const auto p = std::filesystem::path(dev) / "ports" / std::to_string(n);
    write(p / "gids" / std::to_string(index), gid);
    write(p / "gid_attrs" / "types" / std::to_string(index), type);
    write(p / "gid_attrs" / "ndevs" / std::to_string(index), ndev);
  }

  // The usual mlx5 table for ens1f0 with 198.18.40.1/24 and fd00:40::1/64, a VLAN netdev, and a
  // second device for ens1f1. Slots 0..5 as the kernel fills them (v1 and v2 per address).
  void roce_host() const {
    port("mlx5_0", 1);
    gid("mlx5_0", 1, 0, "fe80:0000:0000:0000:0a5c:2bff:fe11:2201", "IB/RoCE v1", "ens1f0");
    gid("mlx5_0", 1, 1, "fe80:0000:0000:0000:0a5c:2bff:fe11:2201", "RoCE v2", "ens1f0");
    gid("mlx5_0", 1, 2, "0000:0000:0000:0000:0000:ffff:c612:2801", "IB/RoCE v1", "ens1f0");
    gid("mlx5_0", 1, 3, "0000:0000:0000:0000:0000:ffff:c612:2801", "RoCE v2", "ens1f0");
    gid("mlx5_0", 1, 4, "fd00:0040:0000:0000:0000:0000:0000:0001", "IB/RoCE v1", "ens1f0");
    gid("mlx5_0", 1, 5, "fd00:0040:0000:0000:0000:0000:0000:0001", "RoCE v2", "ens1f0");
    gid("mlx5_0", 1, 6, "0000:0000:0000:0000:0000:ffff:c612:3201", "RoCE v2", "ens1f0.100");
    gid("mlx5_0", 1, 7, "0000:0000:0000:0000:0000:0000:0000:0000", "", "");  // an empty slot
    port("mlx5_1", 1);
    gid("mlx5_1", 1, 0, "fe80:0000:0000:0000:0a5c:2bff:fe11:2202", "IB/RoCE v1", "ens1f1");
    gid("mlx5_1", 1, 1, "fe80:0000:0000:0000:0a5c:2bff:fe11:2202", "RoCE v2", "ens1f1");
    gid("mlx5_1", 1, 2, "0000:0000:0000:0000:0000:ffff:c612:2901", "RoCE v2", "ens1f1");
  }

 private:
  std::filesystem::path root_;
};

}  // namespace mixnet::testing
