#include "coordinator/verify/link_verifier.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "coordinator/measure/clock_alignment.hpp"
#include "coordinator/verify/hello_grace.hpp"

namespace mixnet::coord {

namespace {

// Far-end reads per probe request: at once, then 1, 2, 4 ... 64 ms later (~130 ms in all), so a
// frame still in flight is caught without hammering the agent.
constexpr int kMaxReads = 8;
// Below this much time left, no new probe round starts (its reads could not finish).
constexpr std::int64_t kMinRoundNs = 20 * kNsPerMs;

bool transport_failure(const Error& e) {
  return e.code == Errc::timeout || e.code == Errc::unavailable || e.code == Errc::io;
}

// One direction of a link while it is being probed: what it showed so far (reported as is), and
// the bookkeeping of the requests in flight.
struct Direction : ProbeDirection {
  bool busy = false;                 // a probe or a far-end read is in flight
  int reads = 0;                     // far-end reads this round
};

struct LinkRun {
  ExpectedLink exp;
  enum class Phase { waiting, probing, diagnosing, done } phase = Phase::waiting;
  // Probing, with the probe requests held back for the hello grace: the agents' own `neighbor`
  // events may confirm the link first, and the held requests are then never sent.
  bool greeting = false;
  std::int64_t both_up_ns = 0;   // monotonic: when the coordinator saw both ends up (0: not yet)
  std::vector<AgentPool::CallId> held;
  Direction ab;   // a -> b
  Direction ba;   // b -> a
  std::vector<std::string> a_hears;   // diagnosis: ports a heard with one of our nonces (not b)
  std::vector<std::string> b_hears;
  int diag_pending = 0;
  std::vector<std::string> diag_errors;
};

class Verifier {
 public:
  Verifier(AgentPool& pool, const std::vector<ExpectedLink>& links, const LinkVerifyOptions& options,
           const std::function<void(const PortVerdict&)>& on_verdict)
      : pool_(pool), options_(options), on_verdict_(on_verdict), rng_(std::random_device{}()) {
    for (const auto& l : links) runs_.push_back(LinkRun{.exp = l});
    report_.ports.resize(links.size() * 2);
  }

  ~Verifier() { cleanup(); }
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  LinkVerifyReport run() {
    started_ns_ = realtime_ns();
    std::vector<std::string> hosts = link_hosts();
    // Catch-up is done once per run: a host whose journal the pool already follows (an earlier
    // step listened) has its table current, and its inventory read in this life of its agent.
    std::vector<std::string> behind;
    for (const auto& h : hosts) {
      if (!pool_.following(h)) behind.push_back(h);
    }
    for (const auto& r : pool_.catch_up_events(behind, options_.deadline_ns)) {
      if (!r.value) unreachable_.emplace(r.host, r.value.error().message);
    }
    std::vector<std::string> unread;
    for (const auto& h : hosts) {
      if (!unreachable_.contains(h) && pool_.managed_ports(h) == nullptr) unread.push_back(h);
    }
    for (const auto& r : pool_.inventory(unread, options_.deadline_ns)) {
      if (!r.value) unreachable_.emplace(r.host, r.value.error().message);
    }
    // Clock offsets turn agent times into the coordinator's; a failure here only costs that.
    std::vector<std::string> unclocked;
    for (const auto& h : hosts) {
      if (!unreachable_.contains(h) && !pool_.clock_offset_ns(h)) unclocked.push_back(h);
    }
    if (!unclocked.empty()) pool_.clock(unclocked, options_.deadline_ns);

    for (std::size_t i = 0; i < runs_.size(); ++i) {
      if (finish_if_blocked(i)) continue;
      if (up(runs_[i].exp.a) && up(runs_[i].exp.b)) both_up(i);
    }
    arm_watches();
    pool_.run(options_.deadline_ns, [&] { return done_ == runs_.size() || cancelled(); });
    for (std::size_t i = 0; i < runs_.size(); ++i) {
      if (runs_[i].phase != LinkRun::Phase::done) finish_at_deadline(i);
    }
    cleanup();
    spdlog::debug("links.verify: {} links, {} probe requests went out, hello grace at the end {} ms", runs_.size(), probes_sent_,
                  hello_grace_.grace_ns() / kNsPerMs);
    return std::move(report_);
  }

 private:
  // ---- small helpers ----

  bool cancelled() const { return options_.cancel != nullptr && options_.cancel->load(); }
  std::int64_t left_ns() const { return options_.deadline_ns - monotonic_ns(); }

  std::vector<std::string> link_hosts() const {
    std::set<std::string> s;
    for (const auto& r : runs_) {
      s.insert(r.exp.a.host);
      s.insert(r.exp.b.host);
    }
    return {s.begin(), s.end()};
  }

  const PortLinkState* state(const PortRef& p) const {
    const LinkStateTable* t = pool_.link_table(p.host);
    return t == nullptr ? nullptr : t->find(p.port);
  }
  bool up(const PortRef& p) const {
    const PortLinkState* s = state(p);
    return s != nullptr && s->up();
  }

  // "h3:ocs2", from the sender a neighbour entry names (agent host ids map to inventory names).
  std::string sender_name(const wire::Neighbor& n) const {
    std::string host = pool_.host_for_agent_id(n.host_id);
    if (host.empty()) host = n.host_id + " (not in the inventory)";
    return host + ":" + n.port;
  }
  bool is_sender(const wire::Neighbor& n, const PortRef& p) const {
    return n.port == p.port && pool_.host_for_agent_id(n.host_id) == p.host;
  }

  using CallId = AgentPool::CallId;
  CallId submit(const AgentCall& call, std::function<void(JsonReply)> done) {
    auto id = std::make_shared<CallId>(0);
    *id = pool_.submit(call, [this, id, done = std::move(done)](JsonReply r) {
      calls_.erase(*id);
      done(std::move(r));
    });
    calls_.insert(*id);
    return *id;
  }

  void cleanup() {
    // The pool's long-polls stay in flight for the next step; only our listening ends.
    for (auto& [host, id] : watches_) pool_.unlisten(id);
    watches_.clear();
    // Probes and far-end reads still on the wire finish unheard rather than being cut off, which
    // would close their connections; those not yet sent (held back) are cancelled.
    for (CallId id : calls_) pool_.abandon(id);
    calls_.clear();
  }

  // ---- verdicts ----

  // One port's verdict. `tx`: the port's own probes; `rx`: the expected peer's.
  PortVerdict port_verdict(const PortRef& p, const PortRef& expected, const Direction& tx, const Direction& rx,
                           LinkVerdict verdict, std::string message) const {
    PortVerdict v;
    v.port = p;
    v.expected_peer = expected;
    v.verdict = verdict;
    v.message = std::move(message);
    v.probe_out = tx;
    v.probe_in = rx;
    if (const PortLinkState* s = state(p)) v.link_state = *s;
    v.clock_offset_ns = pool_.clock_offset_ns(p.host);
    v.started_ns = started_ns_;
    v.finished_ns = realtime_ns();
    return v;
  }

  void finish(std::size_t i, PortVerdict a, PortVerdict b) {
    LinkRun& r = runs_[i];
    if (r.phase == LinkRun::Phase::done) return;
    r.phase = LinkRun::Phase::done;
    ++done_;
    for (const PortRef* p : {&r.exp.a, &r.exp.b}) {
      if (const PortLinkState* s = state(*p); s != nullptr && s->link_up_ns != 0) {
        // On the coordinator's clock where the offset is known, else the agent's as is.
        const auto off = pool_.clock_offset_ns(p->host);
        const std::int64_t up = off ? measure::align_ns(*off, s->link_up_ns) : s->link_up_ns;
        report_.last_link_up_ns = std::max(report_.last_link_up_ns, up);
      }
    }
    report_.all_verified_ns = realtime_ns();
    report_.ports[2 * i] = std::move(a);
    report_.ports[2 * i + 1] = std::move(b);
    if (on_verdict_) {
      on_verdict_(report_.ports[2 * i]);
      on_verdict_(report_.ports[2 * i + 1]);
    }
  }

  // Unreachable agents and unmanaged ports end a link before anything is sent.
  bool finish_if_blocked(std::size_t i) {
    LinkRun& r = runs_[i];
    const PortRef& a = r.exp.a;
    const PortRef& b = r.exp.b;
    const bool a_dead = unreachable_.contains(a.host);
    const bool b_dead = unreachable_.contains(b.host);
    if (a_dead || b_dead) {
      auto one = [&](const PortRef& p, const PortRef& peer, bool own_dead, const Direction& tx, const Direction& rx) {
        PortVerdict v;
        if (own_dead) {
          v = port_verdict(p, peer, tx, rx, LinkVerdict::unreachable,
                           "the agent of " + p.host + " did not answer: " + unreachable_.at(p.host));
          v.counts_against = {p.host};
        } else {
          v = port_verdict(p, peer, tx, rx, LinkVerdict::unreachable,
                           "cannot verify: the far end's agent (" + peer.host + ") did not answer");
          v.counts_against = {peer.host};
        }
        return v;
      };
      finish(i, one(a, b, a_dead, r.ab, r.ba), one(b, a, b_dead, r.ba, r.ab));
      return true;
    }
    auto unmanaged = [&](const PortRef& p) {
      const std::set<std::string>* managed = pool_.managed_ports(p.host);
      return managed != nullptr && !managed->contains(p.port);
    };
    if (unmanaged(a) || unmanaged(b)) {
      auto one = [&](const PortRef& p, const PortRef& peer, const Direction& tx, const Direction& rx) {
        if (unmanaged(p)) {
          return port_verdict(p, peer, tx, rx, LinkVerdict::failed,
                              "the agent of " + p.host + " does not manage port " + p.port + " (check its --ports)");
        }
        auto v = port_verdict(p, peer, tx, rx, LinkVerdict::failed,
                              "cannot verify: the far end " + peer.str() + " is not managed by its agent");
        v.counts_against = {peer.host};
        return v;
      };
      finish(i, one(a, b, r.ab, r.ba), one(b, a, r.ba, r.ab));
      return true;
    }
    return false;
  }

  // A host's agent stopped answering mid-way: every open link through it ends unreachable.
  void host_failed(const std::string& host, const std::string& why) {
    unreachable_.emplace(host, why);
    for (std::size_t i = 0; i < runs_.size(); ++i) {
      const LinkRun& r = runs_[i];
      if (r.phase == LinkRun::Phase::done) continue;
      if (r.exp.a.host == host || r.exp.b.host == host) finish_if_blocked(i);
    }
  }

  // ---- waiting for carrier ----

  // A link whose ends are up or coming up: the journals may still tell (carrier, hellos, and a
  // carrier lost while it is probed).
  static bool listening(const LinkRun& r) { return r.phase == LinkRun::Phase::waiting || r.phase == LinkRun::Phase::probing; }

  void arm_watches() {
    std::set<std::string> hosts;
    for (const auto& r : runs_) {
      if (!listening(r)) continue;
      hosts.insert(r.exp.a.host);
      hosts.insert(r.exp.b.host);
    }
    for (const auto& h : hosts) {
      if (watches_.contains(h) || unreachable_.contains(h)) continue;
      watches_[h] = pool_.listen_events(h, [this, h](const EventsDelivery& d) { on_events(h, d); });
    }
  }

  void stop_listening(const std::string& host) {
    auto it = watches_.find(host);
    if (it == watches_.end()) return;
    pool_.unlisten(it->second);
    watches_.erase(it);
  }

  bool waiting_on(const std::string& host) const {
    return std::any_of(runs_.begin(), runs_.end(), [&](const LinkRun& r) {
      return listening(r) && (r.exp.a.host == host || r.exp.b.host == host);
    });
  }

  void check_waiting(const std::string& host) {
    for (std::size_t i = 0; i < runs_.size(); ++i) {
      const LinkRun& r = runs_[i];
      if (!listening(r)) continue;
      if (r.exp.a.host != host && r.exp.b.host != host) continue;
      if (r.phase == LinkRun::Phase::waiting) {
        if (up(r.exp.a) && up(r.exp.b)) both_up(i);
      } else if (!up(r.exp.a) || !up(r.exp.b)) {
        // An end lost its carrier while the link was probed (or the table the step began with
        // predated the re-patch): probes now would prove nothing; wait for carrier again.
        back_to_waiting(i);
      } else {
        confirm_by_hellos(i);   // the hellos may still come, after probes went out
      }
    }
  }

  // The probes still held back for the hello grace are not needed any more: never sent.
  // Held probes not yet sent are cancelled; those whose hold ran out are on the wire and finish
  // unheard (abandon): cutting them off would close their connections, and under load, when the
  // hellos come after the grace, that was most of a step's new TLS connections.
  void drop_held_probes(LinkRun& r) {
    for (CallId id : r.held) {
      pool_.abandon(id);
      calls_.erase(id);
    }
    r.held.clear();
    r.greeting = false;
  }

  void back_to_waiting(std::size_t i) {
    LinkRun& r = runs_[i];
    drop_held_probes(r);
    r.phase = LinkRun::Phase::waiting;
    // Fresh directions: replies to the probes already out carry the old nonces and are ignored.
    r.ab = Direction{};
    r.ba = Direction{};
  }

  // ---- the agents' own hellos ----

  // Did `p`'s agent journal that it heard `expected` on its own since its carrier last went down?
  // Its time (agent clock), when it did.
  std::optional<std::int64_t> heard(const PortRef& p, const PortRef& expected) const {
    const PortLinkState* s = state(p);
    if (s == nullptr || !s->neighbor) return std::nullopt;
    if (s->neighbor->port != expected.port || pool_.host_for_agent_id(s->neighbor->host_id) != expected.host) return std::nullopt;
    return s->neighbor->time_ns;
  }

  // Both ends are up: confirmed at once when each end has already heard the other's hello;
  // otherwise probed, the probes held back for the hello grace (confirm_by_hellos may still win).
  void both_up(std::size_t i) {
    runs_[i].both_up_ns = monotonic_ns();
    if (confirm_by_hellos(i)) return;
    start_probing(i, runs_[i].both_up_ns + hello_grace_.grace_ns());
  }

  bool confirm_by_hellos(std::size_t i) {
    LinkRun& r = runs_[i];
    if (r.phase == LinkRun::Phase::done) return true;
    const auto b_heard_a = heard(r.exp.b, r.exp.a);
    const auto a_heard_b = heard(r.exp.a, r.exp.b);
    if (!b_heard_a || !a_heard_b || !up(r.exp.a) || !up(r.exp.b)) return false;
    if (r.both_up_ns != 0) hello_grace_.confirmed_after(monotonic_ns() - r.both_up_ns);
    drop_held_probes(r);
    r.phase = LinkRun::Phase::probing;
    const std::int64_t now = realtime_ns();
    r.ab = Direction{};
    r.ab.heard = true;
    r.ab.by_hello = true;
    r.ab.far_receive_ns = *b_heard_a;
    r.ab.confirmed_ns = now;
    r.ba = Direction{};
    r.ba.heard = true;
    r.ba.by_hello = true;
    r.ba.far_receive_ns = *a_heard_b;
    r.ba.confirmed_ns = now;
    finish(i,
           port_verdict(r.exp.a, r.exp.b, r.ab, r.ba, LinkVerdict::ok, "peer " + r.exp.b.str() + " confirmed both ways (each heard the other's hello)"),
           port_verdict(r.exp.b, r.exp.a, r.ba, r.ab, LinkVerdict::ok, "peer " + r.exp.a.str() + " confirmed both ways (each heard the other's hello)"));
    return true;
  }

  void on_events(const std::string& host, const EventsDelivery& d) {
    if (!d.page && !d.restarted) {
      stop_listening(host);
      host_failed(host, d.page.error().message);
      return;
    }
    if (d.restarted || d.missed > 0) {
      // The table may be stale (events lost or a new agent life): read the ports again.
      submit(AgentCall{.host = host, .target = "/v1/inventory"}, [this, host](JsonReply r) {
        if (!r.value) {
          if (transport_failure(r.value.error())) host_failed(host, r.value.error().message);
          return;
        }
        if (auto inv = wire::decode<wire::Inventory>(*r.value, "inventory")) pool_.note_inventory(host, *inv);
        check_waiting(host);
      });
    }
    check_waiting(host);
    if (!waiting_on(host) || unreachable_.contains(host)) stop_listening(host);
  }

  // ---- probing ----

  // `start_after_ns` (monotonic): the first probes wait until then (the hello grace).
  void start_probing(std::size_t i, std::int64_t start_after_ns = 0) {
    runs_[i].phase = LinkRun::Phase::probing;
    runs_[i].greeting = start_after_ns != 0;
    send_probe(i, true, start_after_ns);
    send_probe(i, false, start_after_ns);
  }

  // ab: a -> b when true, b -> a when false.
  void send_probe(std::size_t i, bool ab, std::int64_t start_after_ns = 0) {
    LinkRun& r = runs_[i];
    Direction& d = ab ? r.ab : r.ba;
    const PortRef from = ab ? r.exp.a : r.exp.b;
    d.busy = true;
    d.rounds += 1;
    d.reads = 0;
    d.nonce = rng_();
    our_nonces_.insert(d.nonce);
    wire::ProbeRequest req;
    req.ports = {from.port};
    req.count = std::clamp<std::uint32_t>(options_.probe_count, 1, wire::kMaxProbeCount);
    req.nonce = d.nonce;
    nlohmann::json body;
    wire::to_json(body, req);
    const std::uint64_t nonce = d.nonce;
    const CallId id = submit(AgentCall{.host = from.host, .method = "POST", .target = "/v1/probes", .body = body.dump(),
                                       .start_after_ns = start_after_ns},
           [this, i, ab, nonce, from](JsonReply reply) {
             ++probes_sent_;
             LinkRun& run = runs_[i];
             Direction& dir = ab ? run.ab : run.ba;
             if (run.phase == LinkRun::Phase::done || dir.nonce != nonce) return;
             run.greeting = false;   // the held probes went out: the hellos came too late
             if (!reply.value) {
               if (transport_failure(reply.value.error())) {
                 host_failed(from.host, reply.value.error().message);
                 return;
               }
               dir.send_error = reply.value.error().message;
               round_over(i, ab);
               return;
             }
             auto sent = wire::decode<wire::ProbeResult>(*reply.value, "probes");
             std::uint32_t frames = 0;
             if (sent) {
               for (const auto& p : sent->ports) {
                 if (p.port != from.port) continue;
                 frames = p.sent;
                 dir.probe_sent_ns = p.last_send_time_ns;
                 if (!p.error.empty()) dir.send_error = from.str() + ": " + p.error;
               }
             } else {
               dir.send_error = sent.error().message;
             }
             if (frames == 0) {
               round_over(i, ab);
               return;
             }
             read_far_end(i, ab);
           });
    if (start_after_ns != 0) r.held.push_back(id);
  }

  void read_far_end(std::size_t i, bool ab) {
    LinkRun& r = runs_[i];
    Direction& d = ab ? r.ab : r.ba;
    const PortRef from = ab ? r.exp.a : r.exp.b;
    const PortRef to = ab ? r.exp.b : r.exp.a;
    const std::int64_t delay_ns = d.reads == 0 ? 0 : (std::int64_t{1} << (d.reads - 1)) * kNsPerMs;
    d.reads += 1;
    const std::uint64_t nonce = d.nonce;
    submit(AgentCall{.host = to.host,
                     .target = "/v1/neighbors?port=" + to.port + "&nonce=" + std::to_string(nonce),
                     .start_after_ns = delay_ns == 0 ? 0 : monotonic_ns() + delay_ns},
           [this, i, ab, nonce, from, to](JsonReply reply) {
             LinkRun& run = runs_[i];
             Direction& dir = ab ? run.ab : run.ba;
             if (run.phase == LinkRun::Phase::done || dir.nonce != nonce) return;
             if (!reply.value) {
               if (transport_failure(reply.value.error())) {
                 host_failed(to.host, reply.value.error().message);
                 return;
               }
               round_over(i, ab);
               return;
             }
             auto nb = wire::decode<wire::NeighborsReply>(*reply.value, "neighbors");
             if (nb) {
               for (const auto& port : nb->ports) {
                 for (const auto& n : port.neighbors) {
                   if (n.last_nonce == nonce && is_sender(n, from)) {
                     dir.heard = true;
                     dir.far_receive_ns = n.last_receive_time_ns;
                     dir.confirmed_ns = reply.done_ns;
                   }
                 }
               }
             }
             if (dir.heard || dir.reads >= kMaxReads || left_ns() < kMinRoundNs) {
               round_over(i, ab);
               return;
             }
             read_far_end(i, ab);
           });
  }

  void round_over(std::size_t i, bool ab) {
    LinkRun& r = runs_[i];
    Direction& d = ab ? r.ab : r.ba;
    d.busy = false;
    if (r.phase != LinkRun::Phase::probing) return;
    if (r.ab.heard && r.ba.heard) {
      finish(i, port_verdict(r.exp.a, r.exp.b, r.ab, r.ba, LinkVerdict::ok, "peer " + r.exp.b.str() + " confirmed both ways"),
             port_verdict(r.exp.b, r.exp.a, r.ba, r.ab, LinkVerdict::ok, "peer " + r.exp.a.str() + " confirmed both ways"));
      return;
    }
    if (!d.heard && d.rounds < options_.probe_rounds && left_ns() >= kMinRoundNs) {
      send_probe(i, ab);
      return;
    }
    const bool ab_open = !r.ab.heard && r.ab.busy;
    const bool ba_open = !r.ba.heard && r.ba.busy;
    if (!ab_open && !ba_open) diagnose(i);
  }

  // ---- diagnosis: who heard the probes that the expected peer did not ----

  void diagnose(std::size_t i) {
    LinkRun& r = runs_[i];
    r.phase = LinkRun::Phase::diagnosing;
    std::vector<std::string> hosts = options_.all_hosts.empty() ? link_hosts() : options_.all_hosts;
    for (const auto& h : hosts) {
      if (unreachable_.contains(h) || !pool_.has_host(h)) continue;
      r.diag_pending += 1;
      submit(AgentCall{.host = h, .target = "/v1/neighbors"}, [this, i, h](JsonReply reply) {
        LinkRun& run = runs_[i];
        if (run.phase != LinkRun::Phase::diagnosing) return;
        run.diag_pending -= 1;
        if (!reply.value) {
          run.diag_errors.push_back(reply.value.error().message);
        } else if (auto nb = wire::decode<wire::NeighborsReply>(*reply.value, "neighbors")) {
          absorb_neighbors(run, h, *nb);
        }
        if (run.diag_pending == 0) conclude(i);
      });
    }
    if (r.diag_pending == 0) conclude(i);
  }

  void absorb_neighbors(LinkRun& r, const std::string& host, const wire::NeighborsReply& nb) {
    for (const auto& port : nb.ports) {
      const PortRef here{host, port.port};
      for (const auto& n : port.neighbors) {
        if (!our_nonces_.contains(n.last_nonce)) continue;   // stale: not from this verification
        if (n.last_nonce == r.ab.nonce && is_sender(n, r.exp.a) && here != r.exp.b) r.ab.heard_by.push_back(here.str());
        if (n.last_nonce == r.ba.nonce && is_sender(n, r.exp.b) && here != r.exp.a) r.ba.heard_by.push_back(here.str());
        if (here == r.exp.a && !is_sender(n, r.exp.b)) r.a_hears.push_back(sender_name(n));
        if (here == r.exp.b && !is_sender(n, r.exp.a)) r.b_hears.push_back(sender_name(n));
      }
    }
  }

  // The verdict of port p (expected peer q) from what its own probes (tx) and q's (rx) showed.
  PortVerdict verdict(const PortRef& p, const PortRef& q, const Direction& tx, const Direction& rx,
                     const std::vector<std::string>& hears, const std::string& when) const {
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    if (tx.heard && rx.heard) {
      return port_verdict(p, q, tx, rx, LinkVerdict::ok, "peer " + q.str() + " confirmed both ways");
    }
    if (!tx.heard && !tx.heard_by.empty()) {
      auto v = port_verdict(p, q, tx, rx, LinkVerdict::miswired,
                            "cabled to " + join(tx.heard_by) + ", expected " + q.str() + " (its probe was heard there)");
      v.actual_peer = tx.heard_by.front();
      return v;
    }
    if (!rx.heard && !hears.empty() && !tx.heard) {
      auto v = port_verdict(p, q, tx, rx, LinkVerdict::miswired,
                            "cabled to " + join(hears) + ", expected " + q.str() + " (it hears " + join(hears) + ")");
      v.actual_peer = hears.front();
      return v;
    }
    std::string why;
    if (!tx.send_error.empty()) why += "; sending from " + p.str() + ": " + tx.send_error;
    if (!rx.send_error.empty()) why += "; sending from " + q.str() + ": " + rx.send_error;
    if (tx.heard != rx.heard) {
      const std::string msg = rx.heard ? p.str() + " hears " + q.str() + ", but " + q.str() + " does not hear " + p.str()
                                       : q.str() + " hears " + p.str() + ", but " + p.str() + " does not hear " + q.str();
      return port_verdict(p, q, tx, rx, LinkVerdict::one_sided, "probe seen one way only" + when + ": " + msg + why);
    }
    return port_verdict(p, q, tx, rx, LinkVerdict::failed,
                        "carrier at both ends, but no identity probe got through either way" + when +
                            " and no other port heard " + p.str() + why);
  }

  void conclude(std::size_t i, const std::string& when = "") {
    LinkRun& r = runs_[i];
    finish(i, verdict(r.exp.a, r.exp.b, r.ab, r.ba, r.a_hears, when), verdict(r.exp.b, r.exp.a, r.ba, r.ab, r.b_hears, when));
  }

  // ---- the deadline ----

  std::string port_words(const PortRef& p) const {
    const PortLinkState* s = state(p);
    if (s == nullptr) return p.str() + " state unknown";
    if (s->removed) return p.str() + " is gone (the netdev was removed)";
    if (!s->admin_up) return p.str() + " is administratively down";
    return p.str() + (s->carrier ? " has carrier" : " has no carrier");
  }

  void finish_at_deadline(std::size_t i) {
    LinkRun& r = runs_[i];
    if (r.phase == LinkRun::Phase::waiting) {
      const bool a_up = up(r.exp.a);
      const bool b_up = up(r.exp.b);
      LinkVerdict status = LinkVerdict::failed;
      std::string msg;
      if (!a_up && !b_up) {
        status = LinkVerdict::dark;
        msg = "no carrier at either end by the deadline: " + port_words(r.exp.a) + ", " + port_words(r.exp.b);
      } else if (a_up != b_up) {
        status = LinkVerdict::one_sided;
        msg = "carrier at one end only by the deadline: " + port_words(r.exp.a) + ", " + port_words(r.exp.b);
      } else {
        msg = "both ends came up only at the deadline; the link was not probed";
      }
      finish(i, port_verdict(r.exp.a, r.exp.b, r.ab, r.ba, status, msg), port_verdict(r.exp.b, r.exp.a, r.ba, r.ab, status, msg));
      return;
    }
    conclude(i, " (deadline reached)");
  }

  AgentPool& pool_;
  const LinkVerifyOptions& options_;
  const std::function<void(const PortVerdict&)>& on_verdict_;
  std::mt19937_64 rng_;
  HelloGrace hello_grace_;
  std::size_t probes_sent_ = 0;   // answered or failed: those dropped while held never went out   // how long probes wait for the hellos (hello_grace.hpp)
  std::vector<LinkRun> runs_;
  std::size_t done_ = 0;
  std::int64_t started_ns_ = 0;
  std::map<std::string, std::string> unreachable_;         // host -> why
  std::map<std::string, AgentPool::ListenerId> watches_;   // host -> our listener on its journal
  std::set<CallId> calls_;
  std::set<std::uint64_t> our_nonces_;
  LinkVerifyReport report_;
};

}  // namespace

LinkVerifyReport verify_links(AgentPool& pool, const std::vector<ExpectedLink>& links, const LinkVerifyOptions& options,
                              const std::function<void(const PortVerdict&)>& on_verdict) {
  Verifier v(pool, links, options, on_verdict);
  return v.run();
}

}  // namespace mixnet::coord
