#include "coordinator/modules/counter_records.hpp"

#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/clock.hpp"
#include "coordinator/health/counter_delta.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

namespace {

using health::CounterDelta;
using health::CounterReset;
using health::Observation;
using health::PartKind;

// The agent did not answer at all (as opposed to answering with an error or a bad reply).
bool not_answering(const Error& e) { return e.code == Errc::unavailable || e.code == Errc::timeout; }

Observation missing(const std::string& part, const std::string& source, std::string why, std::int64_t at_ns) {
  return Observation{.kind = PartKind::port, .part = part, .figure = "counters", .value = std::nullopt,
                     .unit = "count", .source = source, .why_missing = std::move(why), .at_ns = at_ns};
}

constexpr const char* kExplained = "carrier_changes_explained";
constexpr const char* kUnexplained = "carrier_changes_unexplained";

// The flapping rule's figure with no value: a port whose flaps cannot be counted is unknown, never
// dropped (and never 0).
Observation unexplained_unknown(const std::string& part, const std::string& source, std::string why, std::int64_t at_ns) {
  return Observation{.kind = PartKind::port, .part = part, .figure = kUnexplained, .value = std::nullopt,
                     .unit = "count", .source = source, .why_missing = std::move(why), .at_ns = at_ns};
}

const wire::PortCounters* find_counter_port(const wire::CountersReply& reply, const std::string& name) {
  for (const auto& p : reply.ports) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace

std::string describe_window(std::int64_t ns) {
  const double s = static_cast<double>(ns) / static_cast<double>(kNsPerS);
  if (s < 120) return fmt::format("{:.0f} s", s);
  if (s < 7200) return fmt::format("{:.0f} min", s / 60);
  return fmt::format("{:.1f} h", s / 3600);
}

CounterRecords counter_records(const Inventory& inventory, const std::vector<std::string>& hosts,
                               const health::CounterSnapshot* before, const health::CounterSnapshot& after,
                               const CounterWindow& window) {
  CounterRecords out;
  const std::string base_source = before != nullptr ? "counters since " + window.name : "counters at " + window.name;
  for (const auto& host_name : hosts) {
    const Host* host = inventory.find_host(host_name);
    if (host == nullptr) continue;
    const health::HostCounters* now = after.find(host_name);
    if (now == nullptr || !now->reply) {
      const std::string why = now == nullptr || !now->error ? std::string("not read") : now->error->message;
      const bool gone = now != nullptr && now->error && not_answering(*now->error);
      if (gone) out.unreachable_hosts.push_back(host_name);
      for (const auto& p : host->ports) {
        const std::string part = host_name + ":" + p.name;
        out.observations.push_back(missing(part, base_source, "counters could not be read: " + why, after.taken_ns));
        // An agent that does not answer is blamed as a host; one that answered badly leaves its
        // ports' flaps unknown.
        if (before != nullptr && !gone) {
          out.observations.push_back(unexplained_unknown(part, base_source, "counters could not be read: " + why, after.taken_ns));
        }
        out.items.push_back(ItemResult{.kind = "port", .id = part,
                                       .status = std::string(gone ? item_status::unreachable : item_status::failed),
                                       .message = "counters could not be read: " + why});
      }
      continue;
    }
    const wire::CountersReply& reply = *now->reply;
    const health::HostCounters* then = before != nullptr ? before->find(host_name) : nullptr;
    const wire::CountersReply* then_reply = then != nullptr && then->reply ? &*then->reply : nullptr;
    std::string source = base_source;
    if (then_reply != nullptr) source += " (" + describe_window(reply.time_ns - then_reply->time_ns) + ")";

    for (const auto& p : host->ports) {
      const std::string part = host_name + ":" + p.name;
      const wire::PortCounters* port = find_counter_port(reply, p.name);
      if (port == nullptr) {
        const std::string why = "the agent does not report this port (missing netdev, or not in its --ports)";
        out.observations.push_back(missing(part, source, why, reply.time_ns));
        if (before != nullptr) out.observations.push_back(unexplained_unknown(part, source, why, reply.time_ns));
        out.items.push_back(ItemResult{.kind = "port", .id = part, .status = std::string(item_status::failed), .message = why});
        continue;
      }
      ItemResult item{.kind = "port", .id = part, .status = std::string(item_status::ok)};
      item.data["boot_id"] = reply.boot_id;
      item.data["ib"] = port->ib ? nlohmann::json(port->ib->device + "/" + std::to_string(port->ib->port)) : nlohmann::json();
      if (before == nullptr) {
        std::size_t readable = 0;
        std::vector<std::string> unreadable;
        const auto tally = [&](const wire::CounterSet& set) {
          for (const auto& [name, r] : set) {
            if (r.value) readable += 1;
            else if (r.absence == wire::Absence::unreadable) unreadable.push_back(name);
          }
        };
        tally(port->netdev);
        if (port->ib) tally(port->ib->counters);
        item.message = fmt::format("{} counter(s) read", readable);
        if (!unreadable.empty()) item.message += fmt::format(", {} without a value: {}", unreadable.size(), fmt::join(unreadable, ", "));
        out.items.push_back(std::move(item));
        continue;
      }
      const wire::PortCounters* then_port = then_reply != nullptr ? find_counter_port(*then_reply, p.name) : nullptr;
      const auto deltas = health::port_counter_deltas(
          health::PortReading{then_reply != nullptr ? then_reply->boot_id : std::string(), then_port},
          health::PortReading{reply.boot_id, port});
      nlohmann::json grown = nlohmann::json::object();
      nlohmann::json resets = nlohmann::json::object();
      nlohmann::json no_figure = nlohmann::json::object();
      nlohmann::json carrier;   // raw, explained, unexplained: the flap arithmetic
      std::vector<std::string> said;
      std::vector<std::string> lost;
      bool baseline = false;
      for (const CounterDelta& d : deltas) {
        if (!d.delta && !d.after) {
          // Readable before, not now: a figure the rules must see as missing.
          lost.push_back(d.counter);
          no_figure[d.counter] = d.why;
          out.observations.push_back(Observation{.kind = PartKind::port, .part = part, .figure = d.counter,
                                                 .value = std::nullopt, .unit = std::string(health::counter_unit(d.counter)),
                                                 .source = source, .why_missing = d.why, .at_ns = reply.time_ns});
          if (d.counter == wire::kCarrierChangesCounter) out.observations.push_back(unexplained_unknown(part, source, d.why, reply.time_ns));
          continue;
        }
        if (!d.delta) {
          // Nothing to count from yet: this reading is the baseline for the next one.
          baseline = true;
          no_figure[d.counter] = d.why;
          continue;
        }
        std::string obs_source = source;
        if (d.reset != CounterReset::none) {
          resets[d.counter] = {{"reset", health::to_string(d.reset)}, {"why", d.why}};
          obs_source += ", counted from a reset: " + d.why;
        }
        if (*d.delta > 0) grown[d.counter] = *d.delta;
        out.observations.push_back(Observation{.kind = PartKind::port, .part = part, .figure = d.counter,
                                               .value = static_cast<double>(*d.delta),
                                               .unit = std::string(health::counter_unit(d.counter)),
                                               .source = obs_source, .why_missing = {}, .at_ns = reply.time_ns});
        if (d.counter == wire::kCarrierChangesCounter) {
          const health::CarrierSpan span{.from_ns = then_reply->time_ns, .to_ns = reply.time_ns, .boot_id = reply.boot_id,
                                         .from_reset = d.reset != CounterReset::none,
                                         .after_previous_run = window.after_previous_run, .ocs_port = p.ocs.has_value()};
          const auto account = health::account_carrier_changes(
              *d.delta, part, span, window.carrier_windows != nullptr ? *window.carrier_windows : std::vector<health::CarrierWindow>{});
          carrier = {{"raw", account.raw}, {"explained", account.explained},
                     {"unexplained", account.unexplained ? nlohmann::json(*account.unexplained) : nlohmann::json()},
                     {"in_tests", account.in_tests}, {"explained_by", account.explained_by}, {"arithmetic", account.arithmetic}};
          const std::string why = obs_source + ": " + account.arithmetic;
          out.observations.push_back(Observation{.kind = PartKind::port, .part = part, .figure = kExplained,
                                                 .value = static_cast<double>(account.explained), .unit = "count",
                                                 .source = why, .why_missing = {}, .at_ns = reply.time_ns});
          if (account.unexplained) {
            out.observations.push_back(Observation{.kind = PartKind::port, .part = part, .figure = kUnexplained,
                                                   .value = static_cast<double>(*account.unexplained), .unit = "count",
                                                   .source = why, .why_missing = {}, .at_ns = reply.time_ns});
          } else {
            out.observations.push_back(unexplained_unknown(part, obs_source, account.why_unknown, reply.time_ns));
          }
        }
      }
      item.data["grew"] = grown;
      item.data["resets"] = resets;
      item.data["no_figure"] = no_figure;
      if (!carrier.is_null()) item.data["carrier"] = carrier;
      if (then_reply != nullptr) item.data["window_s"] = static_cast<double>(reply.time_ns - then_reply->time_ns) / 1e9;
      for (const auto& [name, n] : grown.items()) {
        if (health::counter_unit(name) != "count") continue;
        std::string grew_by = fmt::format("{} +{}", name, n.get<std::uint64_t>());
        if (name == wire::kCarrierChangesCounter && carrier.is_object() && carrier.at("explained").get<std::uint64_t>() > 0) {
          grew_by += carrier.at("unexplained").is_null()
                         ? fmt::format(" ({} explained by the run's re-patching, the rest unknown)", carrier.at("explained").get<std::uint64_t>())
                         : fmt::format(" ({} explained by the run's re-patching, {} unexplained)", carrier.at("explained").get<std::uint64_t>(),
                                       carrier.at("unexplained").get<std::uint64_t>());
        }
        said.push_back(std::move(grew_by));
      }
      if (!resets.empty()) said.push_back(fmt::format("reset ({})", resets.begin().value()["why"].get<std::string>()));
      if (baseline && then_port == nullptr) said.push_back("no earlier reading of this port: this one is the baseline");
      if (!lost.empty()) {
        item.status = std::string(item_status::failed);
        said.push_back(fmt::format("no value now for {}", fmt::join(lost, ", ")));
      }
      item.message = said.empty() ? std::string("no error counter grew") : fmt::format("{}", fmt::join(said, "; "));
      out.items.push_back(std::move(item));
    }
  }
  return out;
}

}  // namespace mixnet::coord
