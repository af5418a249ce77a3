// Fuzzes the emulator's request handling without sockets: RESTCONF requests, TL1 commands (both
// dialects) and control API calls, all against one switch model, settling everything in between
// so that the physical-plane and ground-truth paths run too.
//
// Input: the first byte picks the switch (NxM or any-to-any) and the rest is a list of messages
// separated by "\n--\n". A message starting "REST " is "REST METHOD TARGET\nContent-Type\nBODY",
// "CTRL METHOD TARGET\nBODY" goes to the control API, "CAL " sends TL1 to a Calient session, and
// anything else is TL1 text for a Polatis session (logged in first).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tools/ocs-emu/control_service.hpp"
#include "tools/ocs-emu/restconf_service.hpp"
#include "tools/ocs-emu/switch_model.hpp"
#include "tools/ocs-emu/tl1_service.hpp"

using namespace mixnet::ocs_emu;

namespace {

std::string_view take_line(std::string_view& rest) {
  const auto nl = rest.find('\n');
  const auto line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  return line;
}

// Splits "METHOD TARGET" at the first space.
std::pair<std::string, std::string> method_target(std::string_view line) {
  const auto sp = line.find(' ');
  if (sp == std::string_view::npos) return {std::string(line), "/"};
  return {std::string(line.substr(0, sp)), std::string(line.substr(sp + 1))};
}

void settle(SwitchModel& m, std::int64_t& clock) {
  clock += 1'000'000'000;   // one second later: everything (bounded per port) has settled
  const Now now{1'800'000'000'000'000'000 + clock, clock};
  m.settle_due(now);
  for (int round = 0; round < 4; ++round) {
    for (const auto& a : m.take_plane_actions()) m.plane_done(a, std::vector<PortLight>{{a.change.to, now.real_ns}});
  }
  for (auto b : m.take_completed_batches()) m.mark_replied(b, now.real_ns);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  EmulatorOptions o;
  o.mode = (data[0] & 1) != 0 ? SwitchMode::any_to_any : SwitchMode::nxm;
  o.inputs = 8;
  o.outputs = 8;
  o.switching = SwitchingTime::uniform_ms(0, 50);
  o.plane = std::make_shared<NullPlane>();   // only its presence matters: plane actions are produced
  SwitchModel model(o);
  std::int64_t clock = 0;
  const Now start{1'800'000'000'000'000'000, 0};

  Tl1SessionState polatis;
  polatis.id = 1;
  Tl1SessionState calient;
  calient.dialect = Dialect::calient;
  calient.id = 2;
  (void)handle_tl1(model, polatis, "ACT-USER::admin:1::root;", start);
  (void)handle_tl1(model, calient, "ACT-USER::admin:1::root;", start);

  int messages = 0;
  while (!input.empty() && messages++ < 64) {
    const auto sep = input.find("\n--\n");
    std::string_view msg = input.substr(0, sep);
    input = sep == std::string_view::npos ? std::string_view{} : input.substr(sep + 4);
    const Now now{1'800'000'000'000'000'000 + clock, clock};

    if (msg.substr(0, 5) == "REST ") {
      msg.remove_prefix(5);
      RestRequest req;
      std::tie(req.method, req.target) = method_target(take_line(msg));
      req.content_type = std::string(take_line(msg));
      req.authorization = "Basic YWRtaW46cm9vdA==";
      req.body = std::string(msg);
      (void)handle_restconf(model, req, now);
    } else if (msg.substr(0, 5) == "CTRL ") {
      msg.remove_prefix(5);
      const auto [method, target] = method_target(take_line(msg));
      (void)handle_control(model, method, target, std::string(msg), now);
    } else if (msg.substr(0, 4) == "CAL ") {
      msg.remove_prefix(4);
      (void)handle_tl1(model, calient, msg, now);
    } else {
      (void)handle_tl1(model, polatis, msg, now);
    }
    if ((messages & 1) == 0) settle(model, clock);
  }
  settle(model, clock);
  (void)state_json(model).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
