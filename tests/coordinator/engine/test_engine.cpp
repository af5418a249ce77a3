// The engine's semantics with fake modules: when, loop, retries/until/delay, timeout, register,
// ignore_errors, always:, tags, check mode, per-host failure isolation, and what "passed" means.
#include <algorithm>

#include "tests/coordinator/support/coord_fakes.hpp"
#include "coordinator/modules/assert.hpp"
#include "coordinator/modules/wait.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::testing;

namespace mixnet::coord::testing {

ModuleRegistry fake_registry(FakeLog& log) {
  ModuleRegistry r;
  r.add(std::make_unique<EchoModule>(log));
  r.add(std::make_unique<FlakyModule>(log));
  r.add(std::make_unique<ItemsModule>(log));
  r.add(std::make_unique<SlowModule>());
  r.add(std::make_unique<ThrowsModule>());
  r.add(std::make_unique<WaitModule>());
  r.add(std::make_unique<AssertModule>());
  return r;
}

Inventory two_host_inventory() {
  auto inv = parse_inventory(R"(version: 1
hosts:
  - {name: h1, agent: {url: "http://127.0.0.1:1"}, ports: [{name: p0}]}
  - {name: h2, agent: {url: "http://127.0.0.1:2"}, ports: [{name: p0}]}
  - {name: h3, agent: {url: "http://127.0.0.1:3"}, ports: [{name: p0}]}
)",
                             "inv.yaml", "");
  REQUIRE(inv.has_value());
  return *inv;
}

std::unique_ptr<Ran> run_playbook(const std::string& yaml, RunOptions options, const std::string& base_dir) {
  auto ran = std::make_unique<Ran>();
  const auto registry = fake_registry(ran->log);
  const auto inventory = two_host_inventory();
  const TopologySet topologies;
  auto playbook = parse_playbook(yaml, "test.yaml", base_dir, registry);
  if (!playbook) FAIL(playbook.error().message);
  auto valid = validate_playbook(*playbook, registry, inventory, topologies);
  if (!valid) FAIL(valid.error().message);
  Engine engine(registry, inventory, topologies);
  engine.add_observer(&ran->seen);
  if (options.run_id.empty()) options.run_id = "test-run";
  ran->outcome = engine.run(*playbook, options);
  return ran;
}

}  // namespace mixnet::coord::testing

namespace {

int calls_of(const Ran& ran, const std::string& step) {
  return static_cast<int>(std::ranges::count_if(ran.log.calls, [&](const nlohmann::json& c) { return c["step"] == step; }));
}

}  // namespace

TEST_CASE("steps run in order, a passing run passes") {
  auto ran = run_playbook(R"(
steps:
  - {name: one, fake.echo: {a: 1}}
  - {name: two, fake.echo: {changed: true}}
)");
  CHECK(ran->outcome.passed);
  CHECK(ran->outcome.status == "passed");
  CHECK(ran->seen.events == std::vector<std::string>{"run", "start one", "end one ok", "start two", "end two changed", "done passed"});
  CHECK(ran->outcome.steps_run == 2);
}

TEST_CASE("when: a false condition skips the step, an undefined name fails it") {
  auto ran = run_playbook(R"(
vars: {mode: fast}
steps:
  - {name: skipped, fake.echo: {}, when: "mode == 'slow'"}
  - {name: runs, fake.echo: {}, when: ["mode == 'fast'", "true"]}
  - {name: broken, fake.echo: {}, when: "nope == 1"}
)");
  CHECK(calls_of(*ran, "skipped") == 0);
  CHECK(calls_of(*ran, "runs") == 1);
  CHECK(ran->seen.outcomes["skipped"].status == StepStatus::skipped);
  CHECK(ran->seen.outcomes["broken"].status == StepStatus::failed);
  CHECK(ran->seen.outcomes["broken"].message.find("'nope' is not defined") != std::string::npos);
  CHECK_FALSE(ran->outcome.passed);
}

TEST_CASE("loop runs the module once per item with `item` bound and registers every result") {
  auto ran = run_playbook(R"(
vars: {topos: [ring, star]}
steps:
  - name: each
    fake.echo: {topology: "{{ item }}", label: "to {{ item }}"}
    loop: "{{ topos }}"
    register: each
  - name: literal loop
    fake.echo: {n: "{{ item }}"}
    loop: [1, 2, 3]
    when: item != 2
  - name: check
    assert: {that: ["each.results | length == 2", "each.results[1].data.topology == 'star'", "each.results[0].item == 'ring'"]}
)");
  REQUIRE(ran->outcome.passed);
  REQUIRE(calls_of(*ran, "each") == 2);
  CHECK(ran->log.calls[0]["args"] == nlohmann::json({{"topology", "ring"}, {"label", "to ring"}}));
  CHECK(ran->log.calls[1]["args"]["topology"] == "star");
  CHECK(calls_of(*ran, "literal loop") == 2);   // item 2 skipped by when
  CHECK(ran->log.calls[3]["args"]["n"] == 3);   // the type of a lone template is kept
}

TEST_CASE("retries repeat a failing step, until repeats until it holds") {
  SECTION("retries without until: again while it fails") {
    auto ran = run_playbook(R"(
steps:
  - {name: flaky, fake.flaky: {fail_times: 2}, retries: 3, delay: 0}
)");
    CHECK(ran->outcome.passed);
    CHECK(calls_of(*ran, "flaky") == 3);
    CHECK(ran->seen.outcomes["flaky"].attempts == 3);
  }
  SECTION("not enough retries fails the step") {
    auto ran = run_playbook(R"(
steps:
  - {name: flaky, fake.flaky: {fail_times: 5}, retries: 1, delay: 0}
)");
    CHECK_FALSE(ran->outcome.passed);
    CHECK(calls_of(*ran, "flaky") == 2);
    CHECK(ran->seen.outcomes["flaky"].message == "flaked on call 2");
  }
  SECTION("until sees `result` and the registered name") {
    auto ran = run_playbook(R"(
steps:
  - {name: count, fake.flaky: {key: c}, register: c, until: "c.data.calls >= 4 and result.data.calls >= 4", retries: 10, delay: 0}
  - {name: after, assert: {that: "c.data.calls == 4 and c.attempts == 4"}}
)");
    CHECK(ran->outcome.passed);
    CHECK(calls_of(*ran, "count") == 4);
  }
  SECTION("until that never holds fails the step") {
    auto ran = run_playbook(R"(
steps:
  - {name: never, fake.echo: {}, until: "false", retries: 2, delay: 0}
)");
    CHECK_FALSE(ran->outcome.passed);
    CHECK(calls_of(*ran, "never") == 3);
    CHECK(ran->seen.outcomes["never"].message.find("until 'false' did not hold after 3 attempts") == 0);
  }
}

TEST_CASE("a failed step stops the steps, always: steps still run") {
  auto ran = run_playbook(R"(
steps:
  - {name: ok, fake.echo: {}}
  - {name: bad, fake.flaky: {fail_times: 1}}
  - {name: never, fake.echo: {}}
always:
  - {name: cleanup, fake.echo: {}}
)");
  CHECK_FALSE(ran->outcome.passed);
  CHECK(calls_of(*ran, "never") == 0);
  CHECK(calls_of(*ran, "cleanup") == 1);
  CHECK(ran->seen.outcomes["never"].status == StepStatus::skipped);
  CHECK(ran->seen.outcomes["never"].message == "not run: step 'bad' failed");
  CHECK(ran->outcome.message.find("step 'bad' failed: flaked on call 1") != std::string::npos);
  CHECK(ran->outcome.steps_failed == 1);
}

TEST_CASE("ignore_errors: a failure is recorded as ignored and nothing stops") {
  auto ran = run_playbook(R"(
steps:
  - {name: bad, fake.flaky: {fail_times: 1}, ignore_errors: true, register: bad}
  - {name: next, assert: {that: "bad.failed and not bad.ok"}}
  - {name: hosts, fake.items: {items: [{id: "h1:p0", status: dark}]}, ignore_errors: true}
)");
  CHECK(ran->outcome.passed);
  CHECK(ran->seen.outcomes["bad"].status == StepStatus::ignored);
  CHECK(ran->seen.outcomes["hosts"].status == StepStatus::ignored);
  CHECK(ran->outcome.failed_hosts.empty());   // ignored item failures do not count against hosts
}

TEST_CASE("a module that throws fails its step with the reason") {
  auto ran = run_playbook("steps:\n  - {name: t, fake.throws: {}}\n");
  CHECK(ran->seen.outcomes["t"].status == StepStatus::failed);
  CHECK(ran->seen.outcomes["t"].message == "module fake.throws threw: boom");
}

TEST_CASE("per-host isolation: failed items fail their hosts, the run goes on") {
  const std::string steps = R"(
steps:
  - name: verify
    fake.items:
      items: [{id: "h1:p0", status: ok}, {id: "h2:p0", status: miswired, message: "cabled to h3:p0"}]
      returned: [{kind: host, id: h3, status: ok}]
    register: v
  - {name: later, fake.echo: {}}
  - {name: inspect, assert: {that: ["v.failed", "'h2' in v.failed_hosts", "v.items | length == 3", "v.items[1].status == 'miswired'"]}}
)";
  SECTION("default max_fail_hosts 0: the run goes on to the end and fails") {
    auto ran = run_playbook(steps);
    CHECK(ran->seen.outcomes["verify"].status == StepStatus::partial);
    CHECK(ran->seen.outcomes["verify"].items_total == 3);
    CHECK(ran->seen.outcomes["verify"].items_failed == 1);
    CHECK(calls_of(*ran, "later") == 1);
    CHECK(ran->seen.outcomes["inspect"].status == StepStatus::ok);
    CHECK_FALSE(ran->outcome.passed);
    CHECK(ran->outcome.failed_hosts == std::set<std::string>{"h2"});
    CHECK(ran->outcome.message.find("1 host failed (h2); max_fail_hosts is 0") != std::string::npos);
    CHECK(std::ranges::find(ran->seen.events, "item verify h2:p0 miswired i0 a1") != ran->seen.events.end());
  }
  SECTION("max_fail_hosts: 1 lets it pass") {
    auto ran = run_playbook("max_fail_hosts: 1\n" + steps);
    CHECK(ran->outcome.passed);
    CHECK(ran->outcome.failed_hosts == std::set<std::string>{"h2"});
  }
  SECTION("any_errors_fatal stops the steps at the first failed item") {
    auto ran = run_playbook("any_errors_fatal: true\n" + steps);
    CHECK_FALSE(ran->outcome.passed);
    CHECK(calls_of(*ran, "later") == 0);
  }
}

TEST_CASE("a failed item that belongs to no host fails the step") {
  auto ran = run_playbook(R"(
steps:
  - {name: c, fake.items: {items: [{kind: circuit, id: "x-y", status: failed}]}}
  - {name: c2, fake.items: {items: [{kind: circuit, id: "h1:p0-h2:p0", status: dark, hosts: [h1, h2]}]}}
)");
  CHECK(ran->seen.outcomes["c"].status == StepStatus::failed);
  CHECK(ran->seen.outcomes["c"].message == "circuit x-y: failed");
}

TEST_CASE("circuit items count against the hosts they name") {
  auto ran = run_playbook(R"(
max_fail_hosts: 2
steps:
  - {name: c2, fake.items: {items: [{kind: circuit, id: "h1:p0-h2:p0", status: dark, hosts: [h1, h2]}]}}
)");
  CHECK(ran->outcome.passed);
  CHECK(ran->outcome.failed_hosts == std::set<std::string>{"h1", "h2"});
}

TEST_CASE("retries start the items again, only the last attempt decides") {
  auto ran = run_playbook(R"(
steps:
  - name: settle
    fake.items: {key: s, id: "h1:p0", by_call: [dark, dark, ok]}
    retries: 5
    delay: 0
)");
  CHECK(ran->outcome.passed);
  CHECK(ran->outcome.failed_hosts.empty());
  CHECK(ran->seen.outcomes["settle"].attempts == 3);
  CHECK(ran->seen.outcomes["settle"].items_total == 1);
  CHECK(std::ranges::count(ran->seen.events, std::string("item settle h1:p0 dark i0 a2")) == 1);
  CHECK(std::ranges::count(ran->seen.events, std::string("item settle h1:p0 ok i0 a3")) == 1);
}

TEST_CASE("tags select steps, skip-tags drop them, always-tagged and always: steps stay") {
  const std::string pb = R"(
steps:
  - {name: a, fake.echo: {}, tags: [setup]}
  - {name: b, fake.echo: {}, tags: [verify]}
  - {name: c, fake.echo: {}, tags: always}
  - {name: d, fake.echo: {}}
always:
  - {name: z, fake.echo: {}, tags: [cleanup]}
)";
  RunOptions only_verify;
  only_verify.tags = {"verify"};
  auto ran = run_playbook(pb, only_verify);
  CHECK(calls_of(*ran, "a") == 0);
  CHECK(calls_of(*ran, "b") == 1);
  CHECK(calls_of(*ran, "c") == 1);
  CHECK(calls_of(*ran, "d") == 0);
  CHECK(calls_of(*ran, "z") == 1);
  CHECK(ran->outcome.steps_run == 3);
  RunOptions skip;
  skip.skip_tags = {"setup", "cleanup"};
  auto skipped = run_playbook(pb, skip);
  CHECK(calls_of(*skipped, "a") == 0);
  CHECK(calls_of(*skipped, "z") == 0);
  CHECK(calls_of(*skipped, "d") == 1);
}

TEST_CASE("check mode: modules are told, nothing is retried") {
  RunOptions check;
  check.check_mode = true;
  auto ran = run_playbook(R"(
steps:
  - {name: e, fake.echo: {changed: true}}
  - {name: f, fake.flaky: {fail_times: 1}, retries: 3, delay: 0, ignore_errors: true}
  - {name: w, wait: {seconds: 3600}}
  - {name: cm, assert: {that: "check_mode"}}
)",
                          check);
  CHECK(ran->outcome.passed);
  CHECK(ran->log.calls[0]["check_mode"] == true);
  CHECK(ran->seen.outcomes["e"].status == StepStatus::changed);   // "would change"
  CHECK(calls_of(*ran, "f") == 1);
  CHECK(ran->seen.outcomes["w"].message == "would wait 3600 s");
}

TEST_CASE("a step that overruns its timeout fails") {
  auto ran = run_playbook(R"(
steps:
  - {name: slow, fake.slow: {ms: 300}, timeout: 0.05}
)");
  CHECK(ran->seen.outcomes["slow"].status == StepStatus::failed);
  CHECK(ran->seen.outcomes["slow"].message.find("timed out") == 0);
}

TEST_CASE("wait with until gives up at its timeout") {
  auto ran = run_playbook(R"(
steps:
  - {name: w, wait: {until: "elapsed_s > 100", timeout: 0.2, interval: 0.05}}
always:   # runs although w failed
  - {name: w2, wait: {until: "elapsed_s >= 0.1", interval: 0.02}, register: w2}
)");
  CHECK(ran->seen.outcomes["w"].status == StepStatus::failed);
  CHECK(ran->seen.outcomes["w"].message.find("did not hold within") != std::string::npos);
  CHECK(ran->seen.outcomes["w2"].status == StepStatus::ok);  // a condition that comes to hold ends the wait
}

TEST_CASE("extra vars override playbook vars, run_id is in scope") {
  RunOptions opts;
  opts.extra_vars = {{"n", 5}};
  opts.run_id = "R42";
  auto ran = run_playbook(R"(
vars: {n: 1}
steps:
  - {name: check, assert: {that: ["n == 5", "run_id == 'R42'"]}}
  - {name: echo, fake.echo: {msg: "run {{ run_id }} n={{ n }}"}}
)",
                          opts);
  CHECK(ran->outcome.passed);
  CHECK(ran->log.calls[0]["args"]["msg"] == "run R42 n=5");
}

TEST_CASE("playbook vars may be templates over playbook_dir, run_id and -e vars, and an -e var replaces one unrendered") {
  RunOptions opts;
  opts.run_id = "R7";
  opts.extra_vars = {{"other", "{{ not rendered }}"}, {"size", 3}};
  auto ran = run_playbook(R"(
vars:
  trace: "{{ playbook_dir }}/examples/t.json"
  label: "run {{ run_id }} size {{ size }}"
  other: "{{ playbook_dir }}"
steps:
  - {name: echo, fake.echo: {msg: "{{ trace }} | {{ label }} | {{ other }}"}}
)",
                          opts, "/srv/books");
  CHECK(ran->outcome.passed);
  CHECK(ran->log.calls[0]["args"]["msg"] == "/srv/books/examples/t.json | run R7 size 3 | {{ not rendered }}");
}

TEST_CASE("a playbook var that cannot be rendered fails the run naming it, and no main step runs") {
  auto ran = run_playbook(R"(
vars:
  trace: "{{ nowhere }}/t.json"
steps:
  - {name: echo, fake.echo: {msg: "{{ trace }}"}}
)");
  CHECK_FALSE(ran->outcome.passed);
  CHECK(ran->log.calls.empty());
  CHECK(ran->outcome.message.find("vars.trace") != std::string::npos);
}

TEST_CASE("assert fails with fail_msg and names the expression") {
  auto ran = run_playbook(R"(
vars: {n: 3}
steps:
  - {name: a, assert: {that: ["n > 1", "n > 5"], fail_msg: "n is only {{ n }}"}}
)");
  CHECK(ran->seen.outcomes["a"].status == StepStatus::failed);
  CHECK(ran->seen.outcomes["a"].message == "n is only 3: 'n > 5' is false");
}

TEST_CASE("an interrupted run stops its steps, runs always: and fails") {
  std::atomic<bool> cancel{true};
  RunOptions opts;
  opts.cancel = &cancel;
  auto ran = run_playbook(R"(
steps:
  - {name: a, fake.echo: {}}
always:
  - {name: z, fake.echo: {}}
)",
                          opts);
  CHECK(calls_of(*ran, "a") == 0);
  CHECK(calls_of(*ran, "z") == 1);
  CHECK(ran->outcome.interrupted);
  CHECK_FALSE(ran->outcome.passed);
}

TEST_CASE("items are kept in memory only for a step that reads them: until sees each attempt's, register the last's") {
  auto ran = run_playbook(R"(
steps:
  - {name: plain, fake.items: {items: [{id: "h1:p0"}, {id: "h2:p0"}]}}
  - name: settle
    fake.items: {key: s, id: "h1:p0", by_call: [dark, dark, ok], items: [{id: "h2:p0"}]}
    until: "result.items | length == 2 and result.items[1].status == 'ok'"
    retries: 5
    delay: 0
    register: s
  - {name: looked, assert: {that: ["s.attempts == 3", "s.items[1].id == 'h1:p0'", "s.items[1].status == 'ok'"]}}
)");
  CHECK(ran->outcome.passed);
  CHECK(ran->seen.outcomes["plain"].items_total == 2);
  CHECK(ran->seen.outcomes["plain"].items_kept == 0);
  CHECK(ran->seen.outcomes["settle"].attempts == 3);
  CHECK(ran->seen.outcomes["settle"].items_kept == 2);   // the final attempt's, for `register`
  // What the engine reports leaves the items lists to the store (registered_items.hpp).
  CHECK_FALSE(ran->seen.outcomes["settle"].registered.contains("items"));
  CHECK(ran->seen.outcomes["looked"].status == StepStatus::ok);
}

TEST_CASE("register of a skipped step says skipped") {
  auto ran = run_playbook(R"(
steps:
  - {name: s, fake.echo: {}, when: "false", register: s}
  - {name: t, assert: {that: "s.skipped and not s.ok and not s.failed"}}
)");
  CHECK(ran->outcome.passed);
}
