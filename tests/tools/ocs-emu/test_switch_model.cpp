// The switch model on its own (no sockets, no clocks): validation, switching-time ordering,
// settling, the power model, faults and the physical-plane outbox.
#include <catch2/catch.hpp>

#include "tools/ocs-emu/switch_model.hpp"
#include "tools/ocs-emu/tl1_service.hpp"

using namespace mixnet::ocs_emu;

namespace {

constexpr std::int64_t kMs = 1'000'000;

EmulatorOptions options16(SwitchingTime t = SwitchingTime::fixed_ms(10)) {
  EmulatorOptions o;
  o.switching = t;
  o.loss_noise_db = 0.0;
  return o;
}

Now at(std::int64_t ms) { return Now{1'000'000'000'000 + ms * kMs, ms * kMs}; }

ChangeRequest connect(std::vector<Connection> c) {
  ChangeRequest r;
  r.connect = std::move(c);
  r.source = "test";
  return r;
}

ChangeRequest disconnect(std::vector<int> p) {
  ChangeRequest r;
  r.disconnect = std::move(p);
  r.source = "test";
  return r;
}

}  // namespace

TEST_CASE("model: validation refuses bad changes as a whole", "[ocs-emu][model]") {
  SwitchModel m(options16());
  REQUIRE(m.port_count() == 32);
  REQUIRE(m.apply(connect({{1, 17}}), at(0)));

  auto r = m.apply(connect({{2, 18}, {3, 40}}), at(0));
  REQUIRE_FALSE(r);
  CHECK(r.error().reason == Reject::out_of_range);
  CHECK(m.entry_of(2) == std::nullopt);   // nothing of a refused batch is applied

  r = m.apply(connect({{17, 2}}), at(0));
  REQUIRE_FALSE(r);
  CHECK(r.error().reason == Reject::wrong_side);
  r = m.apply(connect({{2, 3}}), at(0));
  REQUIRE_FALSE(r);
  CHECK(r.error().reason == Reject::wrong_side);

  r = m.apply(connect({{2, 17}}), at(0));
  REQUIRE_FALSE(r);
  CHECK(r.error().reason == Reject::in_use);
  r = m.apply(connect({{1, 17}}), at(0));
  REQUIRE_FALSE(r);
  CHECK(r.error().reason == Reject::exists);
  r = m.apply(connect({{2, 18}, {3, 18}}), at(0));
  REQUIRE_FALSE(r);
  CHECK(r.error().reason == Reject::syntax);

  // A move in one request: the disconnect frees the port for the connect.
  ChangeRequest move = connect({{2, 17}});
  move.disconnect = {1};
  REQUIRE(m.apply(move, at(0)));
  REQUIRE(m.connections() == std::vector<Connection>{{2, 17, false}});

  // Disconnecting an unconnected port is a no-op, not an error.
  auto none = m.apply(disconnect({5, 6}), at(0));
  REQUIRE(none);
  CHECK(none->id == 0);
}

TEST_CASE("model: a change settles after its switching time, a busy port queues", "[ocs-emu][model]") {
  SwitchModel m(options16(SwitchingTime::fixed_ms(10)));
  auto b1 = m.apply(connect({{1, 17}, {2, 18}}), at(0));
  REQUIRE(b1);
  CHECK(b1->id != 0);
  CHECK(b1->settle_mono_ns == 10 * kMs);
  CHECK(m.next_settle_mono() == 10 * kMs);
  // Before the switching time nothing is lit and the batch is open.
  m.settle_due(at(9));
  CHECK_FALSE(m.batch_complete(b1->id));
  CHECK(m.power_dbm(17) == kDarkDbm);

  // A disconnect of port 1 while it is still moving starts when the first move ends.
  auto b2 = m.apply(disconnect({1}), at(5));
  REQUIRE(b2);
  CHECK(b2->settle_mono_ns == 20 * kMs);

  m.settle_due(at(10));
  CHECK(m.batch_complete(b1->id));
  CHECK(m.take_completed_batches() == std::vector<std::uint64_t>{b1->id});
  CHECK_FALSE(m.batch_complete(b2->id));
  m.settle_due(at(20));
  CHECK(m.batch_complete(b2->id));

  const auto recs = m.records_since(0, 100);
  REQUIRE(recs.size() == 3);
  CHECK(recs[0].kind == "connect");
  CHECK(recs[0].switching_ns == 10 * kMs);
  CHECK(recs[0].settled_ns == at(10).real_ns);
  CHECK(recs[2].kind == "disconnect");
  CHECK(recs[2].started_ns == at(10).real_ns);   // waited for the port
  CHECK(recs[2].settled_ns == at(20).real_ns);
}

TEST_CASE("model: switching times follow the configured distribution", "[ocs-emu][model]") {
  SwitchModel m(options16(SwitchingTime::uniform_ms(10, 25)));
  std::vector<Connection> all;
  for (int i = 1; i <= 16; ++i) all.push_back({i, 16 + i, false});
  auto b = m.apply(connect(all), at(0));
  REQUIRE(b);
  std::int64_t slowest = 0;
  std::set<std::int64_t> distinct;
  for (const auto& r : m.records_since(0, 100)) {
    CHECK(r.switching_ns >= 10 * kMs);
    CHECK(r.switching_ns <= 25 * kMs);
    slowest = std::max(slowest, r.switching_ns);
    distinct.insert(r.switching_ns);
  }
  CHECK(distinct.size() > 1);
  CHECK(b->settle_mono_ns == slowest);   // the batch settles with its slowest change

  // The same seed draws the same times.
  SwitchModel again(options16(SwitchingTime::uniform_ms(10, 25)));
  REQUIRE(again.apply(connect(all), at(0)));
  CHECK(again.records_since(0, 100)[3].switching_ns == m.records_since(0, 100)[3].switching_ns);

  REQUIRE(m.set_switching_time(SwitchingTime::fixed_ms(0)));
  auto z = m.apply(disconnect({1}), at(100));
  REQUIRE(z);
  CHECK(z->settle_mono_ns == 100 * kMs);
  CHECK_FALSE(m.set_switching_time(SwitchingTime{SwitchingTime::Kind::uniform, 20, 10}));
}

TEST_CASE("model: power of connected, dark and weak ports", "[ocs-emu][model]") {
  auto o = options16(SwitchingTime::fixed_ms(0));
  o.input_power_dbm = 1.0;
  o.insertion_loss_db = 1.5;
  SwitchModel m(o);
  REQUIRE(m.apply(connect({{1, 17}}), at(0)));
  m.settle_due(at(0));
  CHECK(m.power_dbm(17) == Approx(-0.5));
  CHECK(m.power_dbm(1) == Approx(1.0));   // the ingress reads the light arriving from its fibre
  CHECK(m.power_dbm(2) == kDarkDbm);
  CHECK(m.power_dbm(18) == kDarkDbm);

  REQUIRE(m.set_port_extra_loss(17, 4.0));
  CHECK(m.power_dbm(17) == Approx(-4.5));
  CHECK(m.power_dbm(1) == Approx(1.0));    // a weak egress does not show at the ingress
  REQUIRE(m.set_port_extra_loss(1, 2.0));
  CHECK(m.power_dbm(1) == Approx(-1.0));   // a weak ingress shows at both ends
  CHECK(m.power_dbm(17) == Approx(-6.5));
  REQUIRE(m.set_port_extra_loss(1, 0.0));
  REQUIRE(m.set_input_power(1, -3.0));
  CHECK(m.power_dbm(17) == Approx(-8.5));
  REQUIRE(m.set_input_power(1, std::nullopt));
  CHECK(m.power_dbm(17) == kDarkDbm);
  REQUIRE(m.set_input_power(1, 1.0));

  REQUIRE(m.set_shutter({1}, true, at(1)));
  CHECK(m.power_dbm(17) == kDarkDbm);
  CHECK(m.port_view(1).status == PortStatus::disabled);
  REQUIRE(m.set_shutter({1}, false, at(2)));
  CHECK(m.power_dbm(17) == Approx(-4.5));

  REQUIRE(m.set_port_failed(17, true, at(3)));
  CHECK(m.power_dbm(17) == kDarkDbm);
  CHECK(m.port_view(17).status == PortStatus::failed);
  auto r = m.apply(disconnect({1}), at(3));
  REQUIRE_FALSE(r);
  CHECK(r.error().reason == Reject::port_failed);
  m.clear_faults(at(4));
  CHECK(m.power_dbm(17) == Approx(-0.5));

  // Noise: readings scatter around the mean with the configured spread.
  auto noisy = options16(SwitchingTime::fixed_ms(0));
  noisy.loss_noise_db = 0.2;
  SwitchModel n(noisy);
  REQUIRE(n.apply(connect({{1, 17}}), at(0)));
  n.settle_due(at(0));
  double sum = 0;
  std::set<double> seen;
  for (int i = 0; i < 200; ++i) {
    const double v = n.power_dbm(17);
    sum += v;
    seen.insert(v);
  }
  CHECK(sum / 200 == Approx(-1.5).margin(0.1));
  CHECK(seen.size() > 10);
}

TEST_CASE("model: any-to-any connections are two-way", "[ocs-emu][model]") {
  auto o = options16(SwitchingTime::fixed_ms(0));
  o.mode = SwitchMode::any_to_any;
  o.inputs = 8;
  SwitchModel m(o);
  REQUIRE(m.port_count() == 8);
  CHECK(m.size_text() == "8xCC");
  REQUIRE(m.apply(connect({{5, 2}}), at(0)));
  m.settle_due(at(0));
  REQUIRE(m.connections().size() == 1);
  CHECK(m.connections()[0].bidirectional);
  REQUIRE(m.set_input_power(5, -2.0));
  REQUIRE(m.set_input_power(2, -6.0));
  CHECK(m.power_dbm(2) == Approx(-3.5));   // light from port 5 arrives at 2
  CHECK(m.power_dbm(5) == Approx(-7.5));   // and from 2 at 5
  auto r = m.apply(connect({{2, 5}}), at(0));
  REQUIRE_FALSE(r);
  CHECK(r.error().reason == Reject::exists);
  REQUIRE(m.apply(disconnect({2}), at(1)));   // either end disconnects
  CHECK(m.connections().empty());
}

TEST_CASE("model: plane actions come in order, break before make on a port", "[ocs-emu][model]") {
  auto o = options16(SwitchingTime::fixed_ms(0));
  o.plane = std::make_shared<RecordingPlane>();
  SwitchModel m(o);
  auto b1 = m.apply(connect({{1, 17}}), at(0));
  REQUIRE(b1);
  ChangeRequest move = connect({{1, 18}});
  move.disconnect = {1};
  auto b2 = m.apply(move, at(0));
  REQUIRE(b2);
  m.settle_due(at(0));
  const auto actions = m.take_plane_actions();
  REQUIRE(actions.size() == 3);
  CHECK(actions[0].made);
  CHECK(actions[0].change.to == 17);
  CHECK_FALSE(actions[1].made);
  CHECK(actions[1].change.to == 17);
  CHECK(actions[2].made);
  CHECK(actions[2].change.to == 18);
  // A batch stays open until its plane calls are done.
  CHECK_FALSE(m.batch_complete(b1->id));
  for (const auto& a : actions) m.plane_done(a, std::vector<PortLight>{{a.change.to, 42}});
  CHECK(m.batch_complete(b1->id));
  CHECK(m.batch_complete(b2->id));
  CHECK(m.records_since(0, 10)[0].light == std::vector<PortLight>{{17, 42}});

  // A shutter turns the light of a settled circuit off and on again.
  REQUIRE(m.set_shutter({18}, true, at(1)));
  auto dark = m.take_plane_actions();
  REQUIRE(dark.size() == 1);
  CHECK_FALSE(dark[0].made);
  CHECK(dark[0].change.reason == "shutter-close");
  REQUIRE(m.set_shutter({18}, false, at(2)));
  auto lit = m.take_plane_actions();
  REQUIRE(lit.size() == 1);
  CHECK(lit[0].made);
}

TEST_CASE("model: the drop-session fault fires on matching verbs only, count times", "[ocs-emu][model]") {
  SwitchModel m(options16());
  m.arm_drop_session(DropSessionFault{DropWhen::after_apply, "ENT-PATCH", 2});
  CHECK(m.take_drop("RTRV-PATCH") == std::nullopt);
  CHECK(m.take_drop("ENT-PATCH") == DropWhen::after_apply);
  CHECK(m.drop_session_armed() == 1);
  CHECK(m.take_drop("ENT-PATCH") == DropWhen::after_apply);
  CHECK(m.take_drop("ENT-PATCH") == std::nullopt);
  m.arm_drop_session(DropSessionFault{DropWhen::before_apply, "", 1});
  CHECK(m.take_drop("ACT-USER") == std::nullopt);   // the login itself is never dropped
  CHECK(m.take_drop("DLT-PATCH") == DropWhen::before_apply);
}

TEST_CASE("options: parsing and validation name the bad field", "[ocs-emu][options]") {
  auto t = SwitchingTime::parse("uniform:10:25");
  REQUIRE(t);
  CHECK(t->kind == SwitchingTime::Kind::uniform);
  CHECK(SwitchingTime::parse("0")->a_ms == 0.0);
  CHECK(SwitchingTime::parse("normal:15:2")->kind == SwitchingTime::Kind::normal);
  CHECK_FALSE(SwitchingTime::parse("uniform:25:10"));
  CHECK_FALSE(SwitchingTime::parse("fast"));
  CHECK(SwitchingTime::parse("fast").error().field == "switching-time");

  auto d = DropSessionFault::parse("after-apply:ent-patch:3");
  REQUIRE(d);
  CHECK(d->verb == "ENT-PATCH");
  CHECK(d->count == 3);
  CHECK_FALSE(DropSessionFault::parse("sometimes"));
  CHECK_FALSE(DropSessionFault::parse("after-apply:X:0"));

  EmulatorOptions o;
  o.inputs = 577;
  CHECK(o.validate().error().field == "inputs");
  o.inputs = 576;
  o.outputs = 576;
  CHECK(o.validate());
  o.failed_ports = {2000};
  CHECK(o.validate().error().field == "fail-port");
}

TEST_CASE("calient port names map to numbers both ways", "[ocs-emu][calient]") {
  CHECK(calient_port_name(1) == "1.1.1");
  CHECK(calient_port_name(9) == "1.2.1");
  CHECK(calient_port_name(65) == "2.1.1");
  for (int p = 1; p <= 576; ++p) CHECK(parse_calient_port(calient_port_name(p)).value() == p);
  CHECK_FALSE(parse_calient_port("1.9.1"));
  CHECK_FALSE(parse_calient_port("1.1"));
  CHECK_FALSE(parse_calient_port("a.b.c"));
  CHECK_FALSE(parse_calient_port("1.1.1.1"));
}

// The plane's word on the fibres (SwitchModel::set_fibre_light): lit ports get the source power,
// the rest none, and an input reads its fibre's light whether or not it is connected.
TEST_CASE("model: power follows the transmitters' light once the plane tells it", "[ocs-emu][model]") {
  auto o = options16(SwitchingTime::fixed_ms(0));
  o.input_power_dbm = 1.0;
  o.insertion_loss_db = 1.5;
  SwitchModel m(o);
  CHECK(m.power_dbm(2) == kDarkDbm);   // before: an unconnected input reads nothing
  m.set_fibre_light({2, 3});
  CHECK(m.power_dbm(2) == Approx(1.0));
  CHECK(m.power_dbm(3) == Approx(1.0));
  CHECK(m.power_dbm(1) == kDarkDbm);
  CHECK(m.port_view(1).input_dbm == std::nullopt);
  REQUIRE(m.apply(connect({{1, 17}, {2, 18}}), at(0)));
  m.settle_due(at(0));
  CHECK(m.power_dbm(17) == kDarkDbm);   // nothing arrives at input 1, so nothing leaves at 17
  CHECK(m.power_dbm(18) == Approx(-0.5));
  m.set_fibre_light({1});
  CHECK(m.power_dbm(17) == Approx(-0.5));
  CHECK(m.power_dbm(1) == Approx(1.0));
  CHECK(m.power_dbm(2) == kDarkDbm);
  CHECK(m.power_dbm(18) == kDarkDbm);
  CHECK(m.input_power_reading(3) == kDarkDbm);
}
