#include "hwdrivers/ocs/optical_switch.hpp"

#include "hwdrivers/ocs/calient_tl1.hpp"
#include "hwdrivers/ocs/polatis_rest.hpp"
#include "hwdrivers/ocs/polatis_tl1.hpp"
#include "hwdrivers/ocs/switch_uri.hpp"

namespace mixnet::ocs {

// Opening is lazy: no connection is made until the first call, so a switch that is down does
// not stop a program from starting; the first call reports it.
Result<std::unique_ptr<OpticalSwitch>> open_switch(const std::string& uri) {
  auto parsed = parse_switch_uri(uri);
  if (!parsed) return std::unexpected(parsed.error());
  switch (parsed->protocol) {
    case SwitchProtocol::polatis_tl1: return std::make_unique<PolatisTl1Switch>(*parsed);
    case SwitchProtocol::polatis_rest: return std::make_unique<PolatisRestSwitch>(*parsed);
    case SwitchProtocol::calient_tl1: return std::make_unique<CalientTl1Switch>(*parsed);
  }
  return fail(Errc::invalid_argument, "unknown protocol", "scheme");
}

}  // namespace mixnet::ocs
