#include "coordinator/verify/link_verdict.hpp"

#include <algorithm>

#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

std::string_view to_string(LinkVerdict verdict) {
  switch (verdict) {
    case LinkVerdict::ok: return item_status::ok;
    case LinkVerdict::miswired: return item_status::miswired;
    case LinkVerdict::dark: return item_status::dark;
    case LinkVerdict::one_sided: return item_status::one_sided;
    case LinkVerdict::unreachable: return item_status::unreachable;
    case LinkVerdict::failed: return item_status::failed;
  }
  return item_status::failed;
}

std::optional<std::int64_t> PortVerdict::identity_confirmed_ns() const {
  if (verdict != LinkVerdict::ok || probe_out.confirmed_ns == 0 || probe_in.confirmed_ns == 0) return std::nullopt;
  return std::max(probe_out.confirmed_ns, probe_in.confirmed_ns);
}

}  // namespace mixnet::coord
