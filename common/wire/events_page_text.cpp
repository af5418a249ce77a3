#include "common/wire/events_page_text.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace mixnet::wire {

namespace {

// Bytes dump() copies as they are: printable ASCII other than the quote and the backslash.
bool plain_json_text(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

void append_string(std::string& out, std::string_view s) {
  if (plain_json_text(s)) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  out += nlohmann::json(std::string(s)).dump();
}

template <class Int>
void append_int(std::string& out, Int v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// ,"key": then the value (the first member of an object goes without the comma).
void key(std::string& out, std::string_view k, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += k;
  out += "\":";
}

// Members in nlohmann's order (its objects are std::maps: keys sorted).
void append_event(std::string& out, const LinkEvent& e) {
  key(out, "admin", true);
  out += e.admin_up ? "\"up\"" : "\"down\"";
  key(out, "carrier");
  out += e.carrier ? "true" : "false";
  if (!e.detail.empty()) {
    key(out, "detail");
    append_string(out, e.detail);
  }
  key(out, "ifindex");
  append_int(out, e.ifindex);
  key(out, "kind");
  append_string(out, e.kind);
  if (!e.neighbor_host.empty()) {
    key(out, "neighbor");
    out += '{';
    key(out, "host_id", true);
    append_string(out, e.neighbor_host);
    key(out, "mac");
    append_string(out, e.neighbor_mac);
    key(out, "port");
    append_string(out, e.neighbor_port);
    out += '}';
  }
  key(out, "oper_state");
  append_string(out, e.oper_state);
  key(out, "port");
  append_string(out, e.port);
  if (!e.previous_oper.empty()) {
    key(out, "previous_oper");
    append_string(out, e.previous_oper);
  }
  if (!e.rdma_device.empty()) {
    key(out, "rdma_device");
    append_string(out, e.rdma_device);
    key(out, "rdma_port");
    append_int(out, e.rdma_port);
  }
  key(out, "seq");
  append_int(out, e.seq);
  key(out, "source");
  append_string(out, e.source);
  key(out, "time_ns");
  append_int(out, e.time_ns);
}

}  // namespace

void append_events_page_json(std::string& out, const EventsPage& page) {
  out.reserve(out.size() + 160 + 320 * page.events.size());
  out += '{';
  key(out, "events", true);
  out += '[';
  for (std::size_t i = 0; i < page.events.size(); ++i) {
    if (i > 0) out += ',';
    out += '{';
    append_event(out, page.events[i]);
    out += '}';
  }
  out += ']';
  key(out, "first_seq");
  append_int(out, page.first_seq);
  key(out, "instance");
  append_string(out, page.instance);
  key(out, "last_seq");
  append_int(out, page.last_seq);
  key(out, "missed");
  append_int(out, page.missed);
  key(out, "next_after");
  append_int(out, page.next_after);
  key(out, "timed_out");
  out += page.timed_out ? "true" : "false";
  out += '}';
}

}  // namespace mixnet::wire
