#include "coordinator/health/counter_delta.hpp"

#include <set>

#include <fmt/format.h>

namespace mixnet::coord::health {

namespace {

using wire::Absence;
using wire::CounterReading;
using wire::CounterSet;

struct PortReset {
  CounterReset kind = CounterReset::none;
  std::string why;
};

PortReset port_reset(const PortReading& before, const PortReading& after) {
  if (before.boot_id != after.boot_id) {
    return {CounterReset::reboot, fmt::format("host rebooted (boot id {} -> {})", before.boot_id, after.boot_id)};
  }
  if (before.port->ifindex && after.port->ifindex && *before.port->ifindex != *after.port->ifindex) {
    return {CounterReset::port_recreated, fmt::format("netdev re-created (ifindex {} -> {}; driver reload?)",
                                                      *before.port->ifindex, *after.port->ifindex)};
  }
  return {};
}

const CounterReading* find_counter(const CounterSet* set, const std::string& name) {
  if (set == nullptr) return nullptr;
  const auto it = set->find(name);
  return it == set->end() ? nullptr : &it->second;
}

bool missing_or_none(const CounterReading* r) { return r == nullptr || (!r->value && r->absence == Absence::missing); }

void add_set_deltas(const CounterSet* before_set, const CounterSet* after_set, bool ib, bool port_seen_before,
                    const PortReset& reset, std::vector<CounterDelta>& out) {
  std::set<std::string> names;
  if (before_set != nullptr) for (const auto& [name, reading] : *before_set) names.insert(name);
  if (after_set != nullptr) for (const auto& [name, reading] : *after_set) names.insert(name);
  for (const auto& name : names) {
    const CounterReading* b = find_counter(before_set, name);
    const CounterReading* a = find_counter(after_set, name);
    CounterDelta d;
    d.counter = name;
    d.ib = ib;
    if (b != nullptr) d.before = b->value;
    if (a != nullptr) d.after = a->value;
    if (a == nullptr || !a->value) {
      // Not kept by this kernel or driver, then or now: not a figure of this port.
      if (missing_or_none(a) && missing_or_none(b)) continue;
      d.why = "could not be read now: " +
              (a != nullptr ? a->why : std::string(ib ? "the port reports no RDMA device now" : "not in this reading"));
      out.push_back(std::move(d));
      continue;
    }
    if (!port_seen_before) {
      d.why = "no earlier reading of this port: this reading is the baseline";
    } else if (reset.kind != CounterReset::none) {
      d.reset = reset.kind;
      d.delta = *a->value;
      d.why = reset.why + ": counted from the reset";
    } else if (b == nullptr || !b->value) {
      d.why = fmt::format("no earlier value ({}): this reading is the baseline",
                          b != nullptr ? b->why : std::string("not in the earlier reading"));
    } else if (*a->value < *b->value) {
      d.reset = CounterReset::went_backwards;
      d.delta = *a->value;
      d.why = fmt::format("went backwards from {} to {}: counted from the reset", *b->value, *a->value);
    } else {
      d.delta = *a->value - *b->value;
    }
    out.push_back(std::move(d));
  }
}

}  // namespace

const char* to_string(CounterReset r) {
  switch (r) {
    case CounterReset::none: return "none";
    case CounterReset::reboot: return "reboot";
    case CounterReset::port_recreated: return "port_recreated";
    case CounterReset::went_backwards: return "went_backwards";
  }
  return "none";
}

std::vector<CounterDelta> port_counter_deltas(const PortReading& before, const PortReading& after) {
  std::vector<CounterDelta> out;
  if (after.port == nullptr) return out;
  const bool seen = before.port != nullptr;
  const PortReset reset = seen ? port_reset(before, after) : PortReset{};
  add_set_deltas(seen ? &before.port->netdev : nullptr, &after.port->netdev, false, seen, reset, out);

  const auto& ib_after = after.port->ib;
  const wire::IbPortCounters* ib_before = seen && before.port->ib ? &*before.port->ib : nullptr;
  // The port now sits on another RDMA device or port: its counters are not the same counters.
  const bool same_ib = ib_before != nullptr && ib_after && ib_before->device == ib_after->device &&
                       ib_before->port == ib_after->port;
  PortReset ib_reset = reset;
  if (ib_before != nullptr && ib_after && !same_ib && reset.kind == CounterReset::none) {
    ib_reset = {CounterReset::port_recreated, fmt::format("RDMA port changed ({} port {} -> {} port {})", ib_before->device,
                                                          ib_before->port, ib_after->device, ib_after->port)};
  }
  add_set_deltas(ib_before != nullptr ? &ib_before->counters : nullptr, ib_after ? &ib_after->counters : nullptr, true,
                 seen, ib_reset, out);
  return out;
}

std::string_view counter_unit(std::string_view counter) {
  const auto ends_with = [&](std::string_view tail) {
    return counter.size() >= tail.size() && counter.substr(counter.size() - tail.size()) == tail;
  };
  if (ends_with("_bytes") || ends_with("_octets")) return "bytes";
  if (ends_with("_packets")) return "packets";
  return "count";
}

}  // namespace mixnet::coord::health
