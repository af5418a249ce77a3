#include "hwdrivers/ocs/change_plan.hpp"

#include <set>

namespace mixnet::ocs {

Result<void> validate(const ChangeSet& changes) {
  if (changes.connect.empty() && changes.disconnect.empty())
    return fail(Errc::invalid_argument, "nothing to connect or disconnect", "connect");
  std::set<PortId> used;
  for (const auto& c : changes.connect) {
    if (c.from.empty() || c.to.empty()) return fail(Errc::invalid_argument, "empty port in a connect pair", "connect");
    if (c.from == c.to) return fail(Errc::invalid_argument, "port " + c.from + " connected to itself", "connect");
    for (const auto& p : {c.from, c.to})
      if (!used.insert(p).second)
        return fail(Errc::invalid_argument, "port " + p + " is named by two connect pairs", "connect");
  }
  for (const auto& p : changes.disconnect)
    if (p.empty()) return fail(Errc::invalid_argument, "empty port to disconnect", "disconnect");
  return {};
}

bool has_connection(const std::vector<CrossConnect>& current, const CrossConnect& want, bool either_way) {
  for (const auto& c : current) {
    if (c.from == want.from && c.to == want.to) return true;
    if ((either_way || c.bidirectional) && c.from == want.to && c.to == want.from) return true;
  }
  return false;
}

std::vector<CrossConnect> connections_of(const std::vector<CrossConnect>& current, const PortId& port) {
  std::vector<CrossConnect> out;
  for (const auto& c : current)
    if (c.from == port || c.to == port) out.push_back(c);
  return out;
}

ChangeSet remaining(const ChangeSet& wanted, const std::vector<CrossConnect>& current, bool either_way) {
  ChangeSet out;
  std::set<PortId> seen;
  for (const auto& port : wanted.disconnect) {
    if (!seen.insert(port).second) continue;
    for (const auto& c : connections_of(current, port)) {
      bool is_wanted = false;
      for (const auto& w : wanted.connect)
        if (has_connection({c}, w, either_way)) is_wanted = true;
      if (!is_wanted) {
        out.disconnect.push_back(port);
        break;
      }
    }
  }
  for (const auto& w : wanted.connect)
    if (!has_connection(current, w, either_way)) out.connect.push_back(w);
  return out;
}

}  // namespace mixnet::ocs
