// The TL1 codec: commands both ways, every reply shape of REFERENCE.md, CR/LF framing, replies
// split at every byte boundary, several replies per read, DENY codes and texts, malformed replies,
// AID list and range edges.
#include <catch2/catch.hpp>

#include "hwdrivers/ocs/tl1_codec.hpp"

using namespace mixnet;
using namespace mixnet::ocs::tl1;

namespace {

// REFERENCE.md's reply, byte for byte.
const std::string kPatchReply = "\r\n\n   POLATIS 26-11-29 06:40:12\r\nM  7 COMPLD\r\n   \"11,28\"\r\n;";

std::vector<Reply> drain(ReplyFramer& f) {
  std::vector<Reply> out;
  for (;;) {
    auto r = f.next();
    REQUIRE(r.has_value());
    if (!r->has_value()) return out;
    out.push_back(**r);
  }
}

Reply one(std::string_view text) {
  ReplyFramer f;
  f.feed(text);
  auto r = f.next();
  REQUIRE(r.has_value());
  REQUIRE(r->has_value());
  return **r;
}

}  // namespace

TEST_CASE("format_command writes REFERENCE.md's commands", "[tl1]") {
  CHECK(format_command({.verb = "ACT-USER", .aid = "admin", .ctag = "1", .trailing = {"", "root"}}) ==
        "ACT-USER::admin:1::root;");
  CHECK(format_command({.verb = "CANC-USER", .aid = "admin", .ctag = "2", .trailing = {""}}) == "CANC-USER::admin:2:;");
  CHECK(format_command({.verb = "ENT-PATCH", .aid = "1,17", .ctag = "3", .trailing = {""}}) == "ENT-PATCH::1,17:3:;");
  CHECK(format_command({.verb = "RTRV-PATCH", .ctag = "4", .trailing = {""}}) == "RTRV-PATCH:::4:;");
  CHECK(format_command({.verb = "RTRV-EQPT", .aid = "SYSTEM", .ctag = "5", .trailing = {"", "", "PARAMETER=SIZE"}}) ==
        "RTRV-EQPT::SYSTEM:5:::PARAMETER=SIZE;");
  CHECK(format_command({.verb = "RTRV-PORT-SUM", .aid = "1.1.1", .ctag = "6"}) == "RTRV-PORT-SUM::1.1.1:6;");
  CHECK(format_command({.verb = "ENT-CRS", .aid = "1.1.1,1.1.2", .ctag = "7", .trailing = {"", "G1,2WAY"}}) ==
        "ENT-CRS::1.1.1,1.1.2:7::G1,2WAY;");
}

TEST_CASE("parse_command reads the fields back", "[tl1]") {
  for (const std::string& text : std::vector<std::string>{"ACT-USER::admin:1::root;", "DLT-PATCH::1&2&5:9:;", "RTRV-PATCH:::4:;",
                                 "RTRV-EQPT::SYSTEM:5:::PARAMETER=SIZE;", "RTRV-PORT-SUM::1.1.1:6;",
                                 "ACT-CRS::1.1.1,1.1.2:8::1.1.1-1.1.2,G1;"}) {
    auto cmd = parse_command(text);
    REQUIRE(cmd.has_value());
    CHECK(format_command(*cmd) == text);
  }
  auto cmd = parse_command("\r\n  ent-patch::1&&4,17&&20:abc:;");
  REQUIRE(cmd.has_value());
  CHECK(cmd->verb == "ENT-PATCH");
  CHECK(cmd->tid.empty());
  CHECK(cmd->aid == "1&&4,17&&20");
  CHECK(cmd->ctag == "abc");
  REQUIRE(cmd->trailing.size() == 1);
  CHECK(cmd->trailing[0].empty());

  SECTION("a quoted password may hold ':' and ';'") {
    auto q = parse_command("ACT-USER::admin:1::\"pa:s;s\";");
    REQUIRE(q.has_value());
    REQUIRE(q->trailing.size() == 2);
    CHECK(q->trailing[1] == "\"pa:s;s\"");
  }
  SECTION("only the verb") {
    auto v = parse_command("RTRV-HDR;");
    REQUIRE(v.has_value());
    CHECK(v->verb == "RTRV-HDR");
    CHECK(v->aid.empty());
    CHECK(v->ctag.empty());
  }
  SECTION("malformed commands are protocol errors") {
    for (const std::string& bad : std::vector<std::string>{"", ";", "ENT-PATCH::1,17:3:", "ENT PATCH::1:2;", ":::1;", "RTRV-PATCH:::\"4:;",
                                  std::string("RTRV\x01-PATCH:::4:;"), "A;B;"}) {
      auto r = parse_command(bad);
      CHECK_FALSE(r.has_value());
      if (!r) CHECK(r.error().code == Errc::protocol);
    }
  }
}

TEST_CASE("CommandFramer splits a stream at a semicolon outside quotes", "[tl1]") {
  CommandFramer f;
  f.feed("ACT-USER::admin:1::\"a;b\";\r\nRTRV-PA");
  auto a = f.next();
  REQUIRE(a.has_value());
  CHECK(*a == "ACT-USER::admin:1::\"a;b\";");
  CHECK_FALSE(f.next().has_value());
  f.feed("TCH:::2:;\r\n\r\n");
  auto b = f.next();
  REQUIRE(b.has_value());
  CHECK(*b == "RTRV-PATCH:::2:;");
  CHECK_FALSE(f.next().has_value());
  CHECK(f.buffered() == 0);  // trailing blanks are not kept

  SECTION("a stray quote is closed by the line end") {
    CommandFramer g;
    g.feed("RTRV-PATCH:::\"4:;\r\nRTRV-NETYPE:::5:;\r\nRTRV-PATCH:::6:;");
    auto first = g.next();
    REQUIRE(first.has_value());
    CHECK_FALSE(parse_command(*first).has_value());   // the broken one, with the next glued on
    auto second = g.next();
    REQUIRE(second.has_value());
    CHECK(*second == "RTRV-PATCH:::6:;");
  }
  SECTION("split at every byte") {
    const std::string stream = "ENT-PATCH::1,17:3:;\nDLT-PATCH::1&2:4:;";
    CommandFramer g;
    std::vector<std::string> got;
    for (char c : stream) {
      g.feed(std::string_view(&c, 1));
      while (auto cmd = g.next()) got.push_back(*cmd);
    }
    REQUIRE(got.size() == 2);
    CHECK(got[0] == "ENT-PATCH::1,17:3:;");
    CHECK(got[1] == "DLT-PATCH::1&2:4:;");
  }
}

TEST_CASE("the reply of REFERENCE.md parses", "[tl1]") {
  const Reply r = one(kPatchReply);
  CHECK(r.tid == "POLATIS");
  CHECK(r.date == "26-11-29");
  CHECK(r.time == "06:40:12");
  CHECK(r.ctag == "7");
  CHECK(r.completion == Completion::compld);
  REQUIRE(r.lines.size() == 1);
  CHECK(r.lines[0] == "11,28");
  CHECK(r.error_code.empty());
}

TEST_CASE("format_reply writes the shape of REFERENCE.md and parses back", "[tl1]") {
  Reply r{.tid = "POLATIS", .date = "26-11-29", .time = "06:40:12", .ctag = "7", .lines = {"11,28"}};
  CHECK(format_reply(r) == kPatchReply);

  SECTION("every completion code, several lines, quotes inside lines") {
    for (auto c : {Completion::compld, Completion::prtl, Completion::rtrv, Completion::delay}) {
      Reply x{.tid = "SW", .date = "26-01-02", .time = "03:04:05", .ctag = "42", .completion = c,
              .lines = {"1,17", "2,18", "SYSTEM:SIZE=16x16", "say \"hi\" \\ there"}};
      const Reply back = one(format_reply(x));
      CHECK(back.completion == c);
      CHECK(back.lines == x.lines);
      CHECK(back.ctag == "42");
      CHECK(back.tid == "SW");
    }
  }
  SECTION("DENY with code and text") {
    Reply d{.tid = "SW", .date = "26-01-02", .time = "03:04:05", .ctag = "9", .completion = Completion::deny,
            .error_code = "SROF", .error_text = "port 3 in use"};
    const std::string text = format_reply(d);
    CHECK(text == "\r\n\n   SW 26-01-02 03:04:05\r\nM  9 DENY\r\n   SROF\r\n   /* port 3 in use */\r\n;");
    const Reply back = one(text);
    CHECK(back.completion == Completion::deny);
    CHECK(back.error_code == "SROF");
    CHECK(back.error_text == "port 3 in use");
  }
  SECTION("empty TID, date and time filled in") {
    Reply e{.ctag = "1"};
    const Reply back = one(format_reply(e));
    CHECK(back.tid.empty());
    CHECK(back.date.size() == 8);
    CHECK(back.time.size() == 8);
  }
  SECTION("a comment end inside DENY text cannot end the comment early") {
    Reply d{.ctag = "3", .completion = Completion::deny, .error_code = "IDNV", .error_text = "bad */ ; text"};
    const Reply back = one(format_reply(d));
    CHECK(back.error_code == "IDNV");
    CHECK(back.error_text.find("bad") == 0);
  }
}

TEST_CASE("DENY replies: any 4-letter code, the text kept, in the shapes switches use", "[tl1]") {
  struct Case {
    std::string text;
    std::string code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"\r\n\n   SW 26-11-29 06:40:12\r\nM  5 DENY\r\n   IIAC\r\n   /* Invalid AID */\r\n;", "IIAC", "Invalid AID"},
      {"\r\n\n   SW 26-11-29 06:40:12\r\nM  5 DENY\r\n   IICM\r\n;", "IICM", ""},
      {"\r\n\n   SW 26-11-29 06:40:12\r\nM  5 DENY\r\n   \"SROF\"\r\n   /* port in use */\r\n;", "SROF", "port in use"},
      {"\r\n\n   SW 26-11-29 06:40:12\r\nM  5 DENY\r\n   IDNV Input data not valid\r\n;", "IDNV", "Input data not valid"},
      {"\r\n\n   SW 26-11-29 06:40:12\r\nM  5 DENY\r\n   \"PLNA:Login Not Active\"\r\n;", "PLNA", "Login Not Active"},
      {"\r\n\n   SW 26-11-29 06:40:12\r\nM  5 DENY\r\n   ZZZZ\r\n   /* first */\r\n   /* second */\r\n;", "ZZZZ", "first second"},
      {"\r\n\n   SW 26-11-29 06:40:12\r\nM  5 DENY\r\n   /* no code at all */\r\n;", "", "no code at all"},
      {"\n\n   SW 26-11-29 06:40:12\nM  5 DENY\n   ENEX\n;", "ENEX", ""},  // bare LF line ends
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const Reply r = one(c.text);
    CHECK(r.completion == Completion::deny);
    CHECK(r.ctag == "5");
    CHECK(r.error_code == c.code);
    CHECK(r.error_text == c.message);
  }
}

TEST_CASE("replies split at every byte boundary come out whole", "[tl1]") {
  const std::string two = kPatchReply +
                          "\r\n\n   POLATIS 26-11-29 06:40:13\r\nM  8 DENY\r\n   SROF\r\n   /* in use; sorry */\r\n;";
  for (std::size_t cut = 0; cut <= two.size(); ++cut) {
    INFO("cut at " << cut);
    ReplyFramer f;
    f.feed(std::string_view(two).substr(0, cut));
    auto first = drain(f);
    f.feed(std::string_view(two).substr(cut));
    auto second = drain(f);
    first.insert(first.end(), second.begin(), second.end());
    REQUIRE(first.size() == 2);
    CHECK(first[0].ctag == "7");
    CHECK(first[0].lines == std::vector<std::string>{"11,28"});
    CHECK(first[1].ctag == "8");
    CHECK(first[1].error_code == "SROF");
    CHECK(first[1].error_text == "in use; sorry");
  }
  SECTION("one byte at a time") {
    ReplyFramer f;
    std::vector<Reply> got;
    for (char c : two) {
      f.feed(std::string_view(&c, 1));
      auto more = drain(f);
      got.insert(got.end(), more.begin(), more.end());
    }
    REQUIRE(got.size() == 2);
    CHECK(got[1].completion == Completion::deny);
  }
}

TEST_CASE("several replies in one read, autonomous messages and acknowledgements skipped", "[tl1]") {
  const std::string autonomous = "\r\n\n   POLATIS 26-11-29 06:40:12\r\nA  12 REPT ALM PORT\r\n   \"5:MN,LOS\"\r\n;";
  const std::string critical = "\r\n\n   POLATIS 26-11-29 06:40:12\r\n*C 13 REPT ALM EQPT\r\n   \"FAN:CR\"\r\n;";
  const std::string ack = "\r\nIP 9\r\n<";
  ReplyFramer f;
  f.feed(autonomous + kPatchReply + ack + critical + "\r\n\n   POLATIS 26-11-29 06:40:14\r\nM  9 COMPLD\r\n;\r\n<");
  auto got = drain(f);
  REQUIRE(got.size() == 2);
  CHECK(got[0].ctag == "7");
  CHECK(got[1].ctag == "9");
  CHECK(got[1].lines.empty());
  CHECK(f.buffered() == 0);
}

TEST_CASE("a reply continued with '>' is merged with its remainder", "[tl1]") {
  ReplyFramer f;
  f.feed("\r\n\n   SW 26-11-29 06:40:12\r\nM  4 COMPLD\r\n   \"1,17\"\r\n   \"2,18\"\r\n>");
  CHECK(drain(f).empty());
  f.feed("\r\n\n   SW 26-11-29 06:40:12\r\nM  4 COMPLD\r\n   \"3,19\"\r\n;");
  auto got = drain(f);
  REQUIRE(got.size() == 1);
  CHECK(got[0].lines == std::vector<std::string>{"1,17", "2,18", "3,19"});
}

TEST_CASE("a semicolon inside quotes and comments does not end a reply", "[tl1]") {
  const Reply r = one("\r\n\n   SW 26-11-29 06:40:12\r\nM  1 COMPLD\r\n   \"a;b\"\r\n   /* c;d */\r\n;");
  REQUIRE(r.lines.size() == 1);
  CHECK(r.lines[0] == "a;b");
}

TEST_CASE("malformed replies are protocol errors, and the framer carries on after them", "[tl1]") {
  const std::vector<std::string> bad = {
      "garbage;",
      "\r\n\n   SW 26-11-29\r\nM  1 COMPLD\r\n;",              // header without time
      "\r\n\n   SW 2026/11/29 06:40:12\r\nM  1 COMPLD\r\n;",   // date shape
      "\r\n\n   SW 26-11-29 06:40:12\r\n;",                     // no code line
      "\r\n\n   SW 26-11-29 06:40:12\r\nM  1\r\n;",             // no completion
      "\r\n\n   SW 26-11-29 06:40:12\r\nM  1 DONE\r\n;",        // unknown completion
      "\r\n\n   SW 26-11-29 06:40:12\r\nX  1 COMPLD\r\n;",      // not M / A / *
  };
  for (const auto& b : bad) {
    INFO(b);
    ReplyFramer f;
    f.feed(b + kPatchReply);
    auto r = f.next();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::protocol);
    auto after = drain(f);
    REQUIRE(after.size() == 1);
    CHECK(after[0].ctag == "7");
    CHECK_FALSE(parse_reply(b).has_value());
  }
  SECTION("an endless reply is cut off") {
    ReplyFramer f;
    f.feed("\r\n\n   SW 26-11-29 06:40:12\r\nM  1 COMPLD\r\n");
    const std::string chunk(64 * 1024, 'x');
    bool failed = false;
    for (int i = 0; i < 20 && !failed; ++i) {
      f.feed(chunk);
      auto r = f.next();
      if (!r) failed = true;
      else CHECK_FALSE(r->has_value());
    }
    CHECK(failed);
    CHECK(f.buffered() == 0);
  }
  SECTION("parse_reply refuses an autonomous message") {
    CHECK_FALSE(parse_reply("\r\n\n   SW 26-11-29 06:40:12\r\nA  1 REPT\r\n;").has_value());
  }
}

TEST_CASE("TIDs with spaces and four-digit years", "[tl1]") {
  const Reply r = one("\r\n\n   \"POLATIS SW\" 2026-11-29 06:40:12\r\nM  77 COMPLD\r\n;");
  CHECK(r.tid == "\"POLATIS SW\"");
  CHECK(r.date == "2026-11-29");
  CHECK(r.ctag == "77");
}

TEST_CASE("expand_port_list: lists, ranges, ALL and their edges", "[tl1]") {
  using V = std::vector<int>;
  CHECK(*expand_port_list("5", 16) == V{5});
  CHECK(*expand_port_list("1&2&5", 16) == V{1, 2, 5});
  CHECK(*expand_port_list("1&&4", 16) == V{1, 2, 3, 4});
  CHECK(*expand_port_list("9&1&&3&16", 16) == V{9, 1, 2, 3, 16});
  CHECK(*expand_port_list("3&&3", 16) == V{3});
  CHECK(*expand_port_list("1&&16", 16) == expand_port_list("ALL", 16).value());
  CHECK(*expand_port_list("all", 3) == V{1, 2, 3});
  CHECK(*expand_port_list("2&2&1&&3", 16) == V{2, 1, 3});   // duplicates dropped, order kept
  CHECK(*expand_port_list("016", 16) == V{16});
  CHECK(*expand_port_list("576", 576) == V{576});

  for (const std::string& bad : std::vector<std::string>{"", "&", "&&", "1&", "&1", "1&&", "&&1", "1&&&4", "1&&4&&8", "4&&1", "0", "17",
                                "-1", "+1", "a", "1a", "1 ", " 1", "1,2", "99999999999999999999", "1&&17"}) {
    INFO("aid \"" << bad << "\"");
    auto r = expand_port_list(bad, 16);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().field == "aid");
  }
}

TEST_CASE("join_port_list writes lists and compresses runs", "[tl1]") {
  CHECK(join_port_list({1, 2, 5}) == "1&2&5");
  CHECK(join_port_list({1, 2, 3, 4}) == "1&&4");
  CHECK(join_port_list({7}) == "7");
  CHECK(join_port_list({}).empty());
  CHECK(join_port_list({1, 2, 3, 9, 10, 12, 13, 14}) == "1&&3&9&10&12&&14");
  const std::vector<int> ports{1, 2, 3, 9, 10, 12, 13, 14};
  CHECK(*expand_port_list(join_port_list(ports), 16) == ports);
  CHECK(split_list("1.1.1&1.1.2") == std::vector<std::string>{"1.1.1", "1.1.2"});
}
