// Timing, ground truth, faults, the control API, the physical plane and many clients at once,
// against a running emulator over loopback sockets. Timing checks are lower bounds checked
// against the emulator's own ground truth; there are no wall-clock upper bounds.
#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/tools/ocs-emu/emu_fixture.hpp"

using namespace mixnet::ocs_emu;
using mixnet::ocs::tl1::Completion;
using mixnet::testing::control;
using mixnet::testing::kCross;
using mixnet::testing::rest;
using mixnet::testing::Tl1Client;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t elapsed_ns(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - since).count();
}

std::vector<ChangeRecord> batch_of(const std::vector<ChangeRecord>& all, std::uint64_t batch) {
  std::vector<ChangeRecord> out;
  for (const auto& r : all) {
    if (r.batch == batch) out.push_back(r);
  }
  return out;
}

// Checks the invariants of one settled and replied batch; returns its slowest switching time.
std::int64_t check_batch(const std::vector<ChangeRecord>& batch) {
  REQUIRE_FALSE(batch.empty());
  std::int64_t slowest = 0;
  std::int64_t last_settle = 0;
  for (const auto& r : batch) {
    CHECK(r.started_ns >= r.received_ns);
    CHECK(r.settled_ns >= r.started_ns + r.switching_ns);   // never settles early
    CHECK(r.replied_ns == batch.front().replied_ns);        // one reply for the batch
    slowest = std::max(slowest, r.switching_ns);
    last_settle = std::max(last_settle, r.settled_ns);
  }
  CHECK(batch.front().replied_ns >= last_settle);           // the reply waits for the slowest change
  return slowest;
}

}  // namespace

TEST_CASE("timing: a TL1 reply arrives no earlier than the batch's slowest switching time", "[ocs-emu][timing]") {
  auto emu = mixnet::testing::start_emu(mixnet::testing::emu_options(SwitchingTime::uniform_ms(10, 25)));
  Tl1Client c(emu->tl1_port());
  c.login();
  const auto t0 = Clock::now();
  REQUIRE(c.command("ENT-PATCH::1&&8,17&&24:1:;").completion == Completion::compld);
  const std::int64_t round_trip = elapsed_ns(t0);

  const auto truth = emu->ground_truth();
  REQUIRE(truth.size() == 8);
  const auto batch = batch_of(truth, truth.front().batch);
  REQUIRE(batch.size() == 8);
  const std::int64_t slowest = check_batch(batch);
  CHECK(slowest >= 10'000'000);
  CHECK(slowest <= 25'000'000);
  CHECK(round_trip >= slowest);
  std::set<std::int64_t> times;
  for (const auto& r : batch) times.insert(r.switching_ns);
  CHECK(times.size() > 1);   // drawn per change, not per batch

  // A move of a port: the disconnect and connect of the new egress both count.
  const auto t1 = Clock::now();
  REQUIRE(c.command("DLT-PATCH::1:2:;").completion == Completion::compld);
  REQUIRE(c.command("ENT-PATCH::1,32:3:;").completion == Completion::compld);
  const std::int64_t move = elapsed_ns(t1);
  const auto after = emu->ground_truth_since(8);
  REQUIRE(after.size() == 2);
  CHECK(move >= after[0].switching_ns + after[1].switching_ns);
}

TEST_CASE("timing: a RESTCONF reply waits for the switch too, switching time 0 is immediate", "[ocs-emu][timing]") {
  auto emu = mixnet::testing::start_emu(mixnet::testing::emu_options(SwitchingTime::fixed_ms(30)));
  const auto t0 = Clock::now();
  REQUIRE(rest(*emu, "POST", kCross, R"({"optical-switch:pair":[{"ingress":1,"egress":17},{"ingress":2,"egress":18}]})").status == 201);
  CHECK(elapsed_ns(t0) >= 30'000'000);
  check_batch(emu->ground_truth());

  REQUIRE(emu->set_switching_time(SwitchingTime::fixed_ms(0)));
  REQUIRE(rest(*emu, "DELETE", kCross).status == 204);
  REQUIRE(emu->ground_truth_since(2).size() == 2);  // both pairs broken
  for (const auto& r : emu->ground_truth_since(2)) {
    CHECK(r.switching_ns == 0);
    CHECK(r.settled_ns >= r.received_ns);
    CHECK(r.replied_ns >= r.settled_ns);
  }
}

TEST_CASE("ground truth: the control API lists every change with its times", "[ocs-emu][control]") {
  auto emu = mixnet::testing::start_emu(mixnet::testing::emu_options(SwitchingTime::fixed_ms(5)));
  Tl1Client c(emu->tl1_port());
  c.login();
  REQUIRE(c.command("ENT-PATCH::3,19:7:;").completion == Completion::compld);
  REQUIRE(rest(*emu, "DELETE", std::string(kCross) + "/pair=3").status == 204);

  auto r = control(*emu, "GET", "/v1/changes");
  REQUIRE(r.status == 200);
  const auto changes = r.json().at("changes");
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].at("kind") == "connect");
  CHECK(changes[0].at("from") == 3);
  CHECK(changes[0].at("to") == 19);
  CHECK(changes[0].at("source").get<std::string>().rfind("tl1#", 0) == 0);
  CHECK(changes[0].at("command") == "ENT-PATCH ctag=7");
  CHECK(changes[0].at("switching_ns") == 5'000'000);
  CHECK(changes[0].at("settled_ns").get<std::int64_t>() >= changes[0].at("received_ns").get<std::int64_t>() + 5'000'000);
  CHECK(changes[1].at("kind") == "disconnect");
  CHECK(changes[1].at("source") == "rest");
  CHECK(changes[1].at("replied_ns").get<std::int64_t>() >= changes[1].at("settled_ns").get<std::int64_t>());
  CHECK(r.json().at("last_id") == changes[1].at("id"));

  r = control(*emu, "GET", "/v1/changes?after=" + std::to_string(changes[0].at("id").get<std::uint64_t>()));
  CHECK(r.json().at("changes").size() == 1);
  CHECK(control(*emu, "GET", "/v1/changes?after=x").status == 400);
  CHECK(control(*emu, "DELETE", "/v1/changes").status == 200);
  CHECK(emu->ground_truth().empty());

  // The state dump and presetting connections.
  r = control(*emu, "PUT", "/v1/connections", R"({"connections":[{"from":1,"to":17},{"from":2,"to":18}]})");
  REQUIRE(r.status == 200);
  CHECK(emu->connections() == std::vector<Connection>{{1, 17, false}, {2, 18, false}});
  CHECK(control(*emu, "PUT", "/v1/connections", R"({"connections":[{"from":1,"to":2}]})").status == 400);
  r = control(*emu, "GET", "/v1/state");
  REQUIRE(r.status == 200);
  CHECK(r.json().at("size") == "16x16");
  CHECK(r.json().at("ports").size() == 32);
  CHECK(r.json().at("ports")[16].at("connected_to") == 1);
  CHECK(r.json().at("connections").size() == 2);
  CHECK(json::parse(emu->state_json()).at("connections").size() == 2);

  r = control(*emu, "PUT", "/v1/switching-time", R"({"spec":"uniform:1:2"})");
  CHECK(r.status == 200);
  CHECK(r.json().at("spec") == "uniform:1:2");
  CHECK(control(*emu, "PUT", "/v1/switching-time", R"({"spec":"soon"})").status == 400);
  CHECK(control(*emu, "GET", "/v1/nothing").status == 404);
  CHECK(control(*emu, "GET", "/v1/health").status == 200);
}

TEST_CASE("control API: a bearer token guards it when set", "[ocs-emu][control]") {
  auto o = mixnet::testing::emu_options();
  o.control_token = "s3cret";
  auto emu = mixnet::testing::start_emu(o);
  CHECK(control(*emu, "GET", "/v1/state").status == 401);
  mixnet::testing::HttpCall call;
  call.target = "/v1/state";
  call.token = "s3cret";
  CHECK(mixnet::testing::http_request("127.0.0.1", emu->control_port(), call).status == 200);
}

TEST_CASE("faults: a failed port denies and reads FAILED, clearing heals it", "[ocs-emu][faults]") {
  auto emu = mixnet::testing::start_emu(mixnet::testing::emu_options());
  auto r = control(*emu, "PUT", "/v1/faults/ports/5", R"({"failed":true})");
  REQUIRE(r.status == 200);
  CHECK(r.json().at("status") == "FAILED");
  Tl1Client c(emu->tl1_port());
  c.login();
  auto d = c.command("ENT-PATCH::5,21:1:;");
  CHECK(d.completion == Completion::deny);
  CHECK(d.error_code == "SROF");
  CHECK(c.command("RTRV-PORT-SHUTTER::5:2:;").lines == std::vector<std::string>{"5:FAILED"});
  CHECK(control(*emu, "GET", "/v1/faults").json().at("failed_ports") == json::array({5}));
  CHECK(control(*emu, "PUT", "/v1/faults/ports/99", R"({"failed":true})").status == 400);

  REQUIRE(control(*emu, "DELETE", "/v1/faults").status == 200);
  CHECK(c.command("ENT-PATCH::5,21:3:;").completion == Completion::compld);
}

TEST_CASE("faults: a weak port loses extra light", "[ocs-emu][faults]") {
  auto o = mixnet::testing::emu_options();
  o.loss_noise_db = 0.0;
  o.weak_ports = {{18, 2.0}};   // as --weak-port 18:2
  auto emu = mixnet::testing::start_emu(o);
  Tl1Client c(emu->tl1_port());
  c.login();
  REQUIRE(c.command("ENT-PATCH::1&2,17&18:1:;").completion == Completion::compld);
  CHECK(c.command("RTRV-PORT-POWER::17&18:2:;").lines == std::vector<std::string>{"17:-1.50", "18:-3.50"});
  REQUIRE(control(*emu, "PUT", "/v1/faults/ports/17", R"({"extra_loss_db":6})").status == 200);
  CHECK(c.command("RTRV-PORT-POWER::17:3:;").lines == std::vector<std::string>{"17:-7.50"});
  REQUIRE(control(*emu, "PUT", "/v1/ports/1/input-power", R"({"dbm":null})").status == 200);
  CHECK(c.command("RTRV-PORT-POWER::17:4:;").lines == std::vector<std::string>{"17:-60.00"});
}

TEST_CASE("faults: replies slow down by the configured delay", "[ocs-emu][faults]") {
  auto emu = mixnet::testing::start_emu(mixnet::testing::emu_options());
  Tl1Client c(emu->tl1_port());
  c.login();
  REQUIRE(control(*emu, "PUT", "/v1/faults/reply-delay", R"({"ms":60})").status == 200);
  auto t0 = Clock::now();
  REQUIRE(c.command("RTRV-PATCH:::1:;").completion == Completion::compld);
  CHECK(elapsed_ns(t0) >= 60'000'000);
  t0 = Clock::now();
  REQUIRE(rest(*emu, "GET", kCross).status == 200);
  CHECK(elapsed_ns(t0) >= 60'000'000);
  emu->set_reply_delay(std::chrono::milliseconds(0));
  CHECK(control(*emu, "GET", "/v1/faults").json().at("reply_delay_ms") == 0);
}

TEST_CASE("faults: a session dropped after applying the command", "[ocs-emu][faults]") {
  auto emu = mixnet::testing::start_emu(mixnet::testing::emu_options(SwitchingTime::fixed_ms(5)));
  REQUIRE(control(*emu, "PUT", "/v1/faults/drop-session", R"({"when":"after-apply","verb":"ENT-PATCH"})").status == 200);
  CHECK(emu->drop_session_armed() == 1);
  {
    Tl1Client c(emu->tl1_port());
    c.login();
    REQUIRE(c.command("RTRV-PATCH:::1:;").completion == Completion::compld);   // other verbs pass
    c.send("ENT-PATCH::1,17:2:;");
    CHECK(c.closed_by_peer());
  }
  REQUIRE(emu->wait_settled(std::chrono::seconds(5)));
  CHECK(emu->connections() == std::vector<Connection>{{1, 17, false}});   // applied
  const auto truth = emu->ground_truth();
  REQUIRE(truth.size() == 1);
  CHECK(truth[0].settled_ns > 0);
  CHECK(truth[0].replied_ns == 0);   // never answered
  CHECK(emu->counters().sessions_dropped == 1);
  CHECK(emu->drop_session_armed() == 0);

  // The next session works and sees the change.
  Tl1Client again(emu->tl1_port());
  again.login();
  CHECK(again.command("RTRV-PATCH:::3:;").lines == std::vector<std::string>{"1,17"});
}

TEST_CASE("faults: a session dropped before applying the command", "[ocs-emu][faults]") {
  auto o = mixnet::testing::emu_options();
  o.drop_session = DropSessionFault{DropWhen::before_apply, "", 1};   // as --drop-session before-apply
  auto emu = mixnet::testing::start_emu(o);
  {
    Tl1Client c(emu->tl1_port());
    c.login();   // the login itself is never dropped
    c.send("ENT-PATCH::1,17:2:;");
    CHECK(c.closed_by_peer());
  }
  CHECK(emu->wait_settled(std::chrono::seconds(5)));
  CHECK(emu->connections().empty());
  CHECK(emu->ground_truth().empty());
}

TEST_CASE("physical plane: called on make and break, in order, with light in the ground truth", "[ocs-emu][plane]") {
  auto plane = std::make_shared<RecordingPlane>();
  auto o = mixnet::testing::emu_options(SwitchingTime::fixed_ms(2));
  o.plane = plane;
  auto emu = mixnet::testing::start_emu(o);
  Tl1Client c(emu->tl1_port());
  c.login();
  REQUIRE(c.command("ENT-PATCH::1&2,17&18:1:;").completion == Completion::compld);
  REQUIRE(c.command("DLT-PATCH::1:2:;").completion == Completion::compld);
  REQUIRE(c.command("ENT-PATCH::1,19:3:;").completion == Completion::compld);

  const auto calls = plane->calls();
  REQUIRE(calls.size() == 4);
  CHECK(calls[0].made);
  CHECK(calls[1].made);
  CHECK_FALSE(calls[2].made);
  CHECK(calls[2].change.from == 1);
  CHECK(calls[2].change.to == 17);
  CHECK(calls[3].made);
  CHECK(calls[3].change.to == 19);
  CHECK(calls[3].change.reason == "connect");
  for (std::size_t i = 1; i < calls.size(); ++i) CHECK(calls[i].called_ns >= calls[i - 1].called_ns);

  const auto truth = emu->ground_truth();
  REQUIRE(truth.size() == 4);
  for (const auto& r : truth) {
    INFO("change " << r.id);
    REQUIRE(r.light.size() == 1);
    CHECK(r.light[0].port == r.to);
    CHECK(r.light[0].ns >= r.settled_ns);   // the plane is called when switching has settled
    CHECK(r.replied_ns >= r.light[0].ns);   // and the reply waits for it
  }
  for (const auto& call : calls) {
    const auto it = std::find_if(truth.begin(), truth.end(), [&](const ChangeRecord& r) { return r.id == call.change.change_id; });
    REQUIRE(it != truth.end());
    CHECK(call.change.received_ns == it->received_ns);
    CHECK(call.change.settled_ns == it->settled_ns);
  }

  // A shutter darkens a settled circuit through the plane; a failing plane is recorded, not fatal.
  plane->clear();
  REQUIRE(c.command("OPR-PORT-SHUTTER::18:4:;").completion == Completion::compld);
  REQUIRE(emu->wait_settled(std::chrono::seconds(5)));
  plane->fail_calls(true);
  REQUIRE(c.command("DLT-PATCH::1:5:;").completion == Completion::compld);
  const auto later = plane->calls();
  REQUIRE(later.size() == 2);
  CHECK_FALSE(later[0].made);
  CHECK(later[0].change.reason == "shutter-close");
  CHECK(later[0].change.to == 18);
  CHECK(later[1].change.to == 19);
  const auto last = emu->ground_truth().back();
  CHECK(last.kind == "disconnect");
  CHECK_FALSE(last.plane_error.empty());
}

TEST_CASE("many clients at once share one state", "[ocs-emu][concurrency]") {
  auto emu = mixnet::testing::start_emu(mixnet::testing::emu_options(SwitchingTime::uniform_ms(1, 5)));
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  // Eight TL1 sessions and eight RESTCONF clients, each making its own connection.
  for (int i = 1; i <= 16; ++i) {
    threads.emplace_back([&, i] {
      try {
        if (i % 2 == 1) {
          Tl1Client c(emu->tl1_port());
          c.login();
          const auto r = c.command("ENT-PATCH::" + std::to_string(i) + "," + std::to_string(16 + i) + ":" + std::to_string(i) + ":;");
          (r.completion == Completion::compld ? ok : failed)++;
        } else {
          const auto r = rest(*emu, "POST", kCross,
                              R"({"optical-switch:pair":[{"ingress":)" + std::to_string(i) + R"(,"egress":)" +
                                  std::to_string(16 + i) + "}]}");
          (r.status == 201 ? ok : failed)++;
        }
      } catch (const std::exception&) {
        failed++;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 16);
  CHECK(failed == 0);
  CHECK(emu->connections().size() == 16);

  // Eight sessions race for the same egress: exactly one wins, the rest are told it is in use.
  REQUIRE(rest(*emu, "DELETE", kCross).status == 204);
  threads.clear();
  std::atomic<int> won{0};
  std::atomic<int> in_use{0};
  for (int i = 1; i <= 8; ++i) {
    threads.emplace_back([&, i] {
      try {
        Tl1Client c(emu->tl1_port());
        c.login();
        const auto r = c.command("ENT-PATCH::" + std::to_string(i) + ",32:" + std::to_string(i) + ":;");
        if (r.completion == Completion::compld) won++;
        if (r.error_code == "SROF") in_use++;
      } catch (const std::exception&) {
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(won == 1);
  CHECK(in_use == 7);
  CHECK(emu->connections().size() == 1);
}
