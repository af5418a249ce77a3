// The libibverbs paths on this host: no RDMA hardware, no kernel RDMA support. They must behave:
// an empty device list is an answer, not a failure.
#include <catch2/catch.hpp>

#include "hwdrivers/nic/rdma_events.hpp"
#include "hwdrivers/nic/rdma_inventory.hpp"
#include "hwdrivers/nic/verbs_handles.hpp"

using namespace mixnet;
using namespace mixnet::nic;

TEST_CASE("ibverbs: the device list is an answer with a note when empty", "[rdma][verbs]") {
  const auto list = detail::get_device_list();
  // A non-zero count is the length of the NULL-terminated list libibverbs returned.
  CHECK((list.count == 0 || (list.list && list.list[list.count - 1] != nullptr && list.list[list.count] == nullptr)));
  CHECK((list.count == 0) == !list.note.empty());
  if (list.count == 0) CHECK_THAT(list.note, Catch::StartsWith("no RDMA devices"));
}

TEST_CASE("ibverbs: enrich leaves ports without an openable device as sysfs said", "[rdma][verbs]") {
  RdmaScan scan;
  RdmaPort port;
  port.device = "mxt_fixture0";  // no real device has this name
  port.port = 1;
  port.state = 4;
  port.state_name = "ACTIVE";
  port.phys_state = 5;
  port.phys_state_name = "LinkUp";
  scan.ports.push_back(port);
  enrich_with_ibverbs(scan);
  REQUIRE(scan.ports.size() == 1);
  CHECK(scan.ports[0].state_name == "ACTIVE");
  CHECK(scan.ports[0].phys_state_name == "LinkUp");
  CHECK_FALSE(scan.ports[0].active_speed.has_value());
  CHECK_FALSE(scan.ports[0].active_width.has_value());

  RdmaScan empty;
  empty.note = "no RDMA devices";
  enrich_with_ibverbs(empty);
  CHECK(empty.ports.empty());
  CHECK(empty.note == "no RDMA devices");
}

TEST_CASE("ibverbs: the event monitor opens with one fd per device, or none and a note", "[rdma][verbs]") {
  auto monitor = RdmaEventMonitor::open();
  REQUIRE(monitor.has_value());
  const auto list = detail::get_device_list();
  CHECK(monitor->fds().size() == static_cast<std::size_t>(list.count));
  if (monitor->fds().empty()) CHECK_THAT(monitor->note(), Catch::StartsWith("no RDMA devices"));
  else CHECK(monitor->note().empty());

  // An fd that is not one of ours is refused, naming the field.
  auto r = monitor->drain(-1);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::not_found);
  CHECK(r.error().field == "fd");

  RdmaEventMonitor moved = std::move(*monitor);
  CHECK(moved.fds().size() == static_cast<std::size_t>(list.count));
}
