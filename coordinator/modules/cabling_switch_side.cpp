#include "coordinator/modules/cabling_switch_side.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace mixnet::coord {

namespace {

bool ports_numbered(const std::vector<ocs::PortState>& ports) {
  return std::all_of(ports.begin(), ports.end(), [](const ocs::PortState& p) {
    return !p.port.empty() && std::all_of(p.port.begin(), p.port.end(), [](char c) { return c >= '0' && c <= '9'; });
  });
}

std::vector<ocs::PortId> port_range(int first, int count) {
  std::vector<ocs::PortId> out;
  out.reserve(static_cast<std::size_t>(std::max(0, count)));
  for (int i = 0; i < count; ++i) out.push_back(std::to_string(first + i));
  return out;
}

}  // namespace

Result<SwitchUnderTest> open_switch_under_test(const std::string& name, ocs::OpticalSwitch& driver) {
  SwitchUnderTest sw;
  sw.name = name;
  sw.driver = &driver;
  auto info = driver.info();
  if (!info) return std::unexpected(info.error().context("switch " + name + ": read its size"));
  sw.info = info->value;
  auto circuits = driver.list();
  if (!circuits) return std::unexpected(circuits.error().context("switch " + name + ": list its circuits"));
  sw.before = std::move(circuits->value);
  auto status = driver.port_status({});
  if (!status) return std::unexpected(status.error().context("switch " + name + ": read its ports"));
  if (ports_numbered(status->value)) {
    sw.inputs = port_range(1, sw.info.inputs);
    if (!sw.info.any_to_any) sw.outputs = port_range(sw.info.inputs + 1, sw.info.outputs);
    return sw;
  }
  if (!sw.info.any_to_any) {
    return fail(Errc::unavailable,
                fmt::format("switch {}: cabling discovery on an NxM switch needs numbered ports (inputs 1..N, outputs N+1..N+M); "
                            "this one names its ports like '{}'",
                            name, status->value.empty() ? std::string() : status->value.front().port),
                "switch");
  }
  for (const auto& p : status->value) sw.inputs.push_back(p.port);
  return sw;
}

Result<std::map<ocs::PortId, double>> sweep_input_power(SwitchUnderTest& sw) {
  ++sw.power_reads;
  auto power = sw.driver->power({});
  if (!power) return std::unexpected(power.error().context("switch " + sw.name + ": power sweep"));
  // The light arriving from each port's fibre: an NxM input's reading, or the separate reading
  // an any-to-any switch gives of it (Calient INPWR). Without that, an any-to-any switch's
  // reading is the light a circuit brings to the port, which says nothing of its own fibre.
  std::map<ocs::PortId, double> out;
  bool separate = false;
  for (const auto& p : power->value) {
    out[p.port] = p.input_dbm.value_or(p.dbm);
    separate = separate || p.input_dbm.has_value();
  }
  if (sw.any_to_any() && !separate && !power->value.empty()) {
    return fail(Errc::unavailable,
                fmt::format("switch {} is any-to-any and reports only the light its circuits bring to each port, not the light "
                            "arriving from the port's own fibre (Calient's INPWR): its transmitters cannot be located by power",
                            sw.name),
                "switch");
  }
  return out;
}

Result<ocs::Timing> set_round_circuits(SwitchUnderTest& sw, const std::vector<ocs::CrossConnect>& previous,
                                       const std::vector<ocs::CrossConnect>& circuits) {
  ocs::ChangeSet changes;
  std::set<ocs::PortId> disconnected;
  for (const auto& old : previous) {
    if (std::find(circuits.begin(), circuits.end(), old) != circuits.end()) continue;
    if (disconnected.insert(old.from).second) changes.disconnect.push_back(old.from);
  }
  for (const auto& c : circuits) {
    if (std::find(previous.begin(), previous.end(), c) == previous.end()) changes.connect.push_back(c);
  }
  if (changes.connect.empty() && changes.disconnect.empty()) return ocs::Timing{};
  ++sw.switch_operations;
  auto done = sw.driver->apply(changes);
  if (!done) return std::unexpected(done.error().context(fmt::format("switch {}: apply {} connect(s), {} disconnect(s)", sw.name,
                                                                     changes.connect.size(), changes.disconnect.size())));
  return done->timing;
}

Result<void> restore_circuits(SwitchUnderTest& sw, const std::vector<ocs::CrossConnect>& discovery_circuits) {
  auto done = set_round_circuits(sw, discovery_circuits, sw.before);
  if (!done) return std::unexpected(done.error().context("putting back the circuits it held before discovery"));
  return {};
}

}  // namespace mixnet::coord
