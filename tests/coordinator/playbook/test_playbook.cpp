// Playbook parsing: the common keys, strictness, and load-time validation through the modules.
#include "tests/coordinator/support/coord_fakes.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::testing;

namespace {

std::string parse_error(const std::string& yaml) {
  FakeLog log;
  const auto registry = fake_registry(log);
  auto pb = parse_playbook(yaml, "pb.yaml", "/srv/pb", registry);
  REQUIRE_FALSE(pb.has_value());
  return pb.error().message;
}

}  // namespace

TEST_CASE("every common key is read") {
  FakeLog log;
  const auto registry = fake_registry(log);
  auto pb = parse_playbook(R"(name: demo
description: a test
topologies: [topo/a.yaml, /abs/b.yaml]
vars: {n: 2, s: "x"}
any_errors_fatal: true
max_fail_hosts: 3
steps:
  - name: first
    fake.echo: {a: "{{ n }}"}
    retries: 4
    delay: 0.5
    timeout: 30
    when: n > 1
    register: first
    ignore_errors: true
    tags: [t1, t2]
    loop: [1, 2]
  - fake.flaky:
    until: result.ok
always:
  - {wait: {seconds: 0}}
)",
                           "pb.yaml", "/srv/pb", registry);
  REQUIRE(pb.has_value());
  CHECK(pb->name == "demo");
  CHECK(pb->topology_files == std::vector<std::string>{"/srv/pb/topo/a.yaml", "/abs/b.yaml"});
  CHECK(pb->vars["n"] == 2);
  CHECK(pb->any_errors_fatal);
  CHECK(pb->max_fail_hosts == 3);
  REQUIRE(pb->steps.size() == 2);
  const auto& s = pb->steps[0];
  CHECK(s.name == "first");
  CHECK(s.module == "fake.echo");
  CHECK(s.args == nlohmann::json({{"a", "{{ n }}"}}));
  CHECK(s.retries == 4);
  CHECK(s.delay_s == 0.5);
  CHECK(s.timeout_s == 30);
  CHECK(s.when.size() == 1);
  CHECK(s.register_as == "first");
  CHECK(s.ignore_errors);
  CHECK(s.tags == std::vector<std::string>{"t1", "t2"});
  CHECK(s.loop == nlohmann::json::array({1, 2}));
  CHECK(s.line == 8);
  const auto& t = pb->steps[1];
  CHECK(t.name == "fake.flaky");
  CHECK(t.args == nlohmann::json::object());
  CHECK(t.retries == 3);   // until alone: 3 retries
  REQUIRE(pb->always.size() == 1);
  CHECK(pb->always[0].seq == 2);
  CHECK(pb->always[0].in_always);
}

TEST_CASE("playbook errors name file, line and key") {
  CHECK(parse_error("steps:\n  - {fake.echo: {}, retires: 3}\n").find("pb.yaml:2: steps[0].retires: a step runs one module; this one already runs 'fake.echo'") == 0);
  CHECK(parse_error("steps:\n  - {retires: 3, fake.echo: {}}\n").find("pb.yaml:2: steps[0].retires: unknown module or key 'retires'") == 0);
  CHECK(parse_error("steps:\n  - {name: x}\n").find("no module in this step") != std::string::npos);
  CHECK(parse_error("stepz: []\n").find("pb.yaml:1: stepz: unknown key") == 0);
  CHECK(parse_error("name: x\n").find("steps: required") != std::string::npos);
  CHECK(parse_error("steps:\n  - {fake.echo: 5}\n").find("module arguments are a mapping") != std::string::npos);
  CHECK(parse_error("steps:\n  - {fake.echo: {}, when: \"a ==\"}\n").find("steps[0].when: expected a value") != std::string::npos);
  CHECK(parse_error("steps:\n  - {fake.echo: {}, register: item}\n").find("'item' is reserved") != std::string::npos);
  CHECK(parse_error("steps:\n  - {fake.echo: {}, register: 1x}\n").find("is not a name") != std::string::npos);
  CHECK(parse_error("steps:\n  - {fake.echo: {}, retries: -1}\n").find("outside 0..100000") != std::string::npos);
  CHECK(parse_error("steps:\n  - {fake.echo: {}, timeout: 0}\n").find("timeout") != std::string::npos);
  CHECK(parse_error("steps:\n  - {fake.echo: {}, loop: 3}\n").find("expected a list") != std::string::npos);
  CHECK(parse_error("steps:\n  - {fake.echo: {}, ignore_errors: yes}\n").find("expected true or false") != std::string::npos);
  CHECK(parse_error("steps:\n  - {fake.echo: {x: \"{{ a == }}\"}}\n").find("steps[0].fake.echo") != std::string::npos);
  CHECK(parse_error("max_fail_hosts: -2\nsteps: []\n").find("outside") != std::string::npos);
}

TEST_CASE("validation asks each module about its arguments, naming the step") {
  FakeLog log;
  const auto registry = fake_registry(log);
  auto pb = parse_playbook("steps:\n  - {name: e, fake.echo: {bad: 1}}\n  - {name: w, wait: {seconds: 1, until: x}}\n", "pb.yaml", "", registry);
  REQUIRE(pb.has_value());
  const auto inv = two_host_inventory();
  const TopologySet topologies;
  auto v = validate_playbook(*pb, registry, inv, topologies);
  REQUIRE_FALSE(v.has_value());
  CHECK(v.error().message == "pb.yaml:2: step 'e': bad: bad is not allowed");
  pb->steps.erase(pb->steps.begin());
  v = validate_playbook(*pb, registry, inv, topologies);
  REQUIRE_FALSE(v.has_value());
  CHECK(v.error().message.find("step 'w': until: give exactly one of seconds or until") != std::string::npos);
}

TEST_CASE("assert and wait check their arguments at load time") {
  FakeLog log;
  const auto registry = fake_registry(log);
  const auto inv = two_host_inventory();
  const TopologySet topologies;
  auto check = [&](const std::string& yaml) {
    auto pb = parse_playbook(yaml, "pb.yaml", "", registry);
    REQUIRE(pb.has_value());
    auto v = validate_playbook(*pb, registry, inv, topologies);
    return v ? std::string() : v.error().message;
  };
  CHECK(check("steps:\n  - assert: {that: []}\n").find("that: expected an expression or a non-empty list") != std::string::npos);
  CHECK(check("steps:\n  - assert: {that: [\"a ==\"]}\n").find("that[0]:") != std::string::npos);
  CHECK(check("steps:\n  - assert: {that: a, msg: x}\n").find("msg: unknown argument") != std::string::npos);
  CHECK(check("steps:\n  - wait: {seconds: -1}\n").find("seconds: -1 s is outside") != std::string::npos);
  CHECK(check("steps:\n  - wait: {seconds: \"{{ n }}\"}\n").empty());   // known only at run time
  CHECK(check("steps:\n  - wait: {}\n").find("give exactly one of seconds or until") != std::string::npos);
}

TEST_CASE("extra vars (-e) are typed like YAML scalars") {
  auto n = parse_extra_var("n=5");
  REQUIRE(n.has_value());
  CHECK(n->first == "n");
  CHECK(n->second == 5);
  CHECK(parse_extra_var("b=true")->second == true);
  CHECK(parse_extra_var("s=ring")->second == "ring");
  CHECK(parse_extra_var("l=[1,\"a\"]")->second == nlohmann::json::array({1, "a"}));
  CHECK(parse_extra_var("e=")->second.is_null());
  CHECK_FALSE(parse_extra_var("novalue").has_value());
  CHECK_FALSE(parse_extra_var("item=1").has_value());
  CHECK_FALSE(parse_extra_var("l=[1,").has_value());
}
