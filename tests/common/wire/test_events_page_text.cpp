// The events page written straight to text (the long-poll's hot path) must be byte for byte what
// nlohmann's dump() of to_json(EventsPage) gives, which clients and the coordinator read.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "common/wire/events_page_text.hpp"

using namespace mixnet::wire;

namespace {

std::string page_text_via_tree(const EventsPage& page) { return nlohmann::json(page).dump(); }

std::string page_text_direct(const EventsPage& page) {
  std::string out;
  append_events_page_json(out, page);
  return out;
}

EventsPage page_with_every_kind_of_event() {
  EventsPage page{.instance = "gpu-node-1-1795936062255414381", .next_after = 7, .missed = 3, .first_seq = 4,
                  .last_seq = 9, .timed_out = false};
  page.events.push_back(LinkEvent{.seq = 4, .time_ns = 1795936063037142262, .kind = "link_down", .port = "ens1f0",
                                  .ifindex = 4, .source = "netlink", .admin_up = true, .carrier = false,
                                  .oper_state = "down"});
  page.events.push_back(LinkEvent{.seq = 5, .time_ns = 1795936063037142262, .kind = "oper_state", .port = "ens1f0",
                                  .ifindex = 4, .source = "netlink", .admin_up = true, .carrier = false,
                                  .oper_state = "down", .previous_oper = "up"});
  page.events.push_back(LinkEvent{.seq = 6, .time_ns = -1, .kind = "rdma_other", .port = "ens1f1", .ifindex = 0,
                                  .source = "rdma", .oper_state = "", .rdma_device = "mlx5_0", .rdma_port = 2,
                                  .detail = "other(17)"});
  LinkEvent neighbor{.seq = 7, .time_ns = 1, .kind = "neighbor", .port = "ens1f0", .ifindex = 4, .source = "probe",
                     .admin_up = true, .carrier = true, .oper_state = "up"};
  neighbor.neighbor_host = "gpu-node-2";
  neighbor.neighbor_port = "ens2f0";
  neighbor.neighbor_mac = "02:00:00:00:00:01";
  page.events.push_back(neighbor);
  return page;
}

}  // namespace

TEST_CASE("events page text equals the json tree's dump: every event shape", "[wire][events]") {
  const EventsPage page = page_with_every_kind_of_event();
  CHECK(page_text_direct(page) == page_text_via_tree(page));
}

TEST_CASE("events page text equals the json tree's dump: empty, timed out, extreme numbers", "[wire][events]") {
  EventsPage empty{.instance = "i", .next_after = 0, .missed = 0, .first_seq = 1, .last_seq = 0, .timed_out = true};
  CHECK(page_text_direct(empty) == page_text_via_tree(empty));
  EventsPage big{.instance = "", .next_after = UINT64_MAX, .missed = UINT64_MAX, .first_seq = 0, .last_seq = UINT64_MAX};
  big.events.push_back(LinkEvent{.seq = UINT64_MAX, .time_ns = INT64_MIN, .kind = "added", .port = "p",
                                 .ifindex = -2147483647 - 1, .source = "netlink-resync"});
  CHECK(page_text_direct(big) == page_text_via_tree(big));
}

TEST_CASE("events page text escapes strings as the json tree does", "[wire][events]") {
  // Interface names may hold quotes, backslashes and UTF-8; control characters are escaped.
  EventsPage page{.instance = "a\"b\\c", .next_after = 1, .first_seq = 1, .last_seq = 1};
  page.events.push_back(LinkEvent{.seq = 1, .kind = "link_up", .port = "p\"o\\r\tt\x01\x7f", .source = "netlink",
                                  .oper_state = "up", .detail = "caf\xc3\xa9 \xe2\x82\xac"});
  CHECK(page_text_direct(page) == page_text_via_tree(page));
  // Invalid UTF-8 is refused alike (the route answers 500 rather than sending broken JSON).
  EventsPage broken{.instance = "\xff", .first_seq = 1};
  CHECK_THROWS_AS(page_text_via_tree(broken), nlohmann::json::type_error);
  CHECK_THROWS_AS(page_text_direct(broken), nlohmann::json::type_error);
}

TEST_CASE("events page text appends to what the buffer holds", "[wire][events]") {
  EventsPage page{.instance = "x", .first_seq = 1};
  std::string out = "prefix:";
  append_events_page_json(out, page);
  CHECK(out == "prefix:" + page_text_via_tree(page));
}
