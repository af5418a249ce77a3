// NetnsPlane's faults: what a broken rack does behind the inventory's back.
//   miswire a b  the two ends' fibres swap OCS ports (tx and rx, or port)
//   dark end     the end's transceiver is dead: it never lights, nor does its peer
//   cap end mbit tbf on the end's OCS-side dev (what the NIC receives) and its host-side peer
//                (what the NIC sends); it wins over the line rate, and clearing it restores that
//   flap end     carrier down/up `count` times while lit (logged with change id 0)
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/json_keys.hpp"
#include "tools/lab/plane/netns_plane.hpp"
#include "tools/lab/plane/plane_file.hpp"

namespace mixnet::lab {

using nlohmann::json;

namespace {

constexpr int kMaxFlaps = 1000;
constexpr int kMaxFlapMs = 60'000;

// A key the fault's kind does not take, named by json_keys::only_keys's field.
constexpr const char* kUnknownKey = "unknown key for this fault kind";

Result<std::string> string_field(const json& j, const std::string& key) {
  if (!j.contains(key)) return bad_field(key, "missing");
  if (!j.at(key).is_string()) return bad_field(key, "must be a string");
  return j.at(key).get<std::string>();
}

Result<int> int_field(const json& j, const std::string& key, int lo, int hi, std::optional<int> fallback) {
  if (!j.contains(key)) {
    if (fallback) return *fallback;
    return bad_field(key, "missing");
  }
  if (!j.at(key).is_number_integer()) return bad_field(key, fmt::format("must be an integer {}..{}", lo, hi));
  const auto v = j.at(key).get<std::int64_t>();
  if (v < lo || v > hi) return bad_field(key, fmt::format("must be {}..{}, got {}", lo, hi, v));
  return static_cast<int>(v);
}

}  // namespace

Result<NamespaceNetlink*> NetnsPlane::host_netlink(const std::string& netns) {
  if (auto it = host_netlink_.find(netns); it != host_netlink_.end()) return &it->second;
  auto opened = NamespaceNetlink::open(netns);
  if (!opened) return std::unexpected(opened.error());
  return &host_netlink_.emplace(netns, std::move(*opened)).first->second;
}

Result<void> NetnsPlane::apply_rate(std::size_t i) {
  End& e = ends_[i];
  auto host = host_netlink(e.cfg.host_netns);
  if (!host) return std::unexpected(host.error());
  const std::optional<int> mbit = e.cap_mbit ? e.cap_mbit : line_rate_mbit_;
  if (mbit) {
    if (auto ok = netlink_.set_rate_cap(e.cfg.dev, *mbit); !ok) return ok;
    return (*host)->set_rate_cap(e.cfg.host_dev, *mbit);
  }
  if (auto ok = netlink_.clear_root_qdisc(e.cfg.dev); !ok) return ok;
  return (*host)->clear_root_qdisc(e.cfg.host_dev);
}

Result<void> NetnsPlane::set_cap(std::size_t i, std::optional<int> mbit) {
  const std::optional<int> before = ends_[i].cap_mbit;
  ends_[i].cap_mbit = mbit;
  auto ok = apply_rate(i);
  if (!ok) ends_[i].cap_mbit = before;
  return ok;
}

Result<void> NetnsPlane::set_line_rate(std::optional<int> mbit) {
  std::lock_guard lock(mutex_);
  line_rate_mbit_ = mbit;
  // Every end, even when one fails: the rest still get the rate; the first error is returned.
  std::optional<Error> error;
  for (std::size_t i = 0; i < ends_.size(); ++i) {
    if (ends_[i].cap_mbit) continue;   // its cap fault wins until cleared
    if (auto ok = apply_rate(i); !ok && !error) error = ok.error();
  }
  return failed(error);
}

Result<void> NetnsPlane::put_line_rate(const json& request) {
  if (!request.is_object()) return bad_field("body", "must be a JSON object");
  if (auto ok = json_keys::only_keys(request, {"mbit"}); !ok) return bad_field(ok.error().field, "unknown key");
  auto mbit = int_field(request, "mbit", 1, NamespaceNetlink::kMaxRateMbit, std::nullopt);
  if (!mbit) return std::unexpected(mbit.error());
  return set_line_rate(*mbit);
}

std::optional<int> NetnsPlane::line_rate() const {
  std::lock_guard lock(mutex_);
  return line_rate_mbit_;
}

void NetnsPlane::swap_ports(std::size_t a, std::size_t b) {
  std::swap(ends_[a].tx, ends_[b].tx);
  std::swap(ends_[a].rx, ends_[b].rx);
}

Result<void> NetnsPlane::apply_fault(const json& request) {
  if (!request.is_object()) return bad_field("body", "must be a JSON object");
  auto kind = string_field(request, "kind");
  if (!kind) return std::unexpected(kind.error());
  std::lock_guard lock(mutex_);
  std::optional<Error> error;

  if (*kind == "miswire") {
    if (auto ok = json_keys::only_keys(request, {"kind", "a", "b"}); !ok) return bad_field(ok.error().field, kUnknownKey);
    auto a_id = string_field(request, "a");
    if (!a_id) return std::unexpected(a_id.error());
    auto b_id = string_field(request, "b");
    if (!b_id) return std::unexpected(b_id.error());
    auto a = find_end(*a_id, "a");
    if (!a) return std::unexpected(a.error());
    auto b = find_end(*b_id, "b");
    if (!b) return std::unexpected(b.error());
    if (*a == *b) return bad_field("b", "an end cannot be miswired with itself");
    for (const auto& [i, field] : {std::pair{*a, "a"}, std::pair{*b, "b"}}) {
      if (ends_[i].miswired_with) {
        return fail(Errc::conflict,
                    fmt::format("{}: '{}' is already miswired (with '{}'); clear its faults first", field,
                                ends_[i].cfg.id, ends_[*ends_[i].miswired_with].cfg.id),
                    field);
      }
    }
    swap_ports(*a, *b);
    ends_[*a].miswired_with = *b;
    ends_[*b].miswired_with = *a;
    reconcile(0, error);
    return failed(error);
  }

  if (*kind == "dark") {
    if (auto ok = json_keys::only_keys(request, {"kind", "end"}); !ok) return bad_field(ok.error().field, kUnknownKey);
    auto id = string_field(request, "end");
    if (!id) return std::unexpected(id.error());
    auto i = find_end(*id, "end");
    if (!i) return std::unexpected(i.error());
    ends_[*i].dark = true;
    reconcile(0, error);
    return failed(error);
  }

  if (*kind == "cap") {
    if (auto ok = json_keys::only_keys(request, {"kind", "end", "mbit"}); !ok) {
      return bad_field(ok.error().field, kUnknownKey);
    }
    auto id = string_field(request, "end");
    if (!id) return std::unexpected(id.error());
    auto mbit = int_field(request, "mbit", 1, NamespaceNetlink::kMaxRateMbit, std::nullopt);
    if (!mbit) return std::unexpected(mbit.error());
    auto i = find_end(*id, "end");
    if (!i) return std::unexpected(i.error());
    return set_cap(*i, *mbit);
  }

  if (*kind == "flap") {
    if (auto ok = json_keys::only_keys(request, {"kind", "end", "count", "down_ms", "up_ms"}); !ok) {
      return bad_field(ok.error().field, kUnknownKey);
    }
    auto id = string_field(request, "end");
    if (!id) return std::unexpected(id.error());
    auto count = int_field(request, "count", 1, kMaxFlaps, 1);
    if (!count) return std::unexpected(count.error());
    auto down = int_field(request, "down_ms", 1, kMaxFlapMs, 200);
    if (!down) return std::unexpected(down.error());
    auto up = int_field(request, "up_ms", 1, kMaxFlapMs, 200);
    if (!up) return std::unexpected(up.error());
    auto i = find_end(*id, "end");
    if (!i) return std::unexpected(i.error());
    End& e = ends_[*i];
    e.flap_left = *count;
    e.flap_down_ms = *down;
    e.flap_up_ms = *up;
    const std::uint64_t gen = ++e.flap_generation;
    if (e.flap_down_now) {
      schedule(e.flap_down_ms, &NetnsPlane::flap_up, *i, gen);   // finish this down half first
    } else if (e.admin_up) {
      schedule(0, &NetnsPlane::flap_down, *i, gen);               // up now: go down at once
    }
    // Dark or training: the flap starts up_ms after the end next comes up.
    return {};
  }

  return bad_field("kind", fmt::format("'{}' is not a fault (miswire, dark, cap, flap)", *kind));
}

Result<void> NetnsPlane::clear_end_faults(std::size_t i, std::optional<Error>& first_error) {
  End& e = ends_[i];
  if (e.miswired_with) {
    const std::size_t other = *e.miswired_with;
    swap_ports(i, other);
    e.miswired_with.reset();
    ends_[other].miswired_with.reset();
  }
  e.dark = false;
  if (e.cap_mbit) {
    if (auto ok = set_cap(i, std::nullopt); !ok) {
      spdlog::warn("lab plane: {}", ok.error().describe());
      if (!first_error) first_error = ok.error();
    }
  }
  e.flap_left = 0;
  ++e.flap_generation;
  if (e.flap_down_now) {
    e.flap_down_now = false;
    if (e.peer) {
      if (auto ok = admin(i, true, 0, std::nullopt); !ok && !first_error) first_error = ok.error();
    }
  }
  return {};
}

Result<void> NetnsPlane::clear_faults(const std::optional<std::string>& end) {
  std::lock_guard lock(mutex_);
  std::optional<Error> error;
  if (end) {
    auto i = find_end(*end, "end");
    if (!i) return std::unexpected(i.error());
    (void)clear_end_faults(*i, error);
  } else {
    for (std::size_t i = 0; i < ends_.size(); ++i) (void)clear_end_faults(i, error);
  }
  reconcile(0, error);
  return failed(error);
}

}  // namespace mixnet::lab
