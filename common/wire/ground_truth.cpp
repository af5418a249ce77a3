#include "common/wire/ground_truth.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <type_traits>
#include <nlohmann/json.hpp>

#include "common/wire/json_fields.hpp"

namespace mixnet::wire {

using nlohmann::json;

namespace {

constexpr std::array kPlaneEventKinds = {PlaneEventKind::light_on, PlaneEventKind::light_off, PlaneEventKind::link_up,
                                         PlaneEventKind::link_down, PlaneEventKind::emit_off, PlaneEventKind::emit_on};

// Reads the fields of one reply object. The first problem is kept (Errc::protocol: the peer's
// reply is at fault, not our input) and names the field; later reads then return defaults.
class ReplyFields {
 public:
  ReplyFields(const json& obj, std::string_view path) : obj_(obj), path_(path) {}

  template <class T>
  T integer(std::string_view key) {
    const json* v = find(key);
    if (v == nullptr) return T{};
    if (!v->is_number_integer()) return bad<T>(key, "must be an integer");
    if constexpr (std::is_unsigned_v<T>) {
      if (!v->is_number_unsigned() && v->get<std::int64_t>() < 0) return bad<T>(key, "must not be negative");
      if (v->get<std::uint64_t>() > std::numeric_limits<T>::max()) return bad<T>(key, "out of range");
    } else {
      if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
        return bad<T>(key, "out of range");
      }
      const auto n = v->get<std::int64_t>();
      if (n < std::numeric_limits<T>::min() || n > std::numeric_limits<T>::max()) return bad<T>(key, "out of range");
    }
    return v->get<T>();
  }
  std::string text(std::string_view key) {
    const json* v = find(key);
    if (v == nullptr) return {};
    if (!v->is_string()) return bad<std::string>(key, "must be a string");
    return v->get<std::string>();
  }
  bool boolean(std::string_view key) {
    const json* v = find(key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) return bad<bool>(key, "must be true or false");
    return v->get<bool>();
  }
  // An optional text: absent (or "") reads as empty.
  std::string optional_text(std::string_view key) { return obj_.contains(key) ? text(key) : std::string(); }
  // An optional number: absent or null reads as nullopt.
  std::optional<double> optional_number(std::string_view key) {
    const auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return std::nullopt;
    if (!it->is_number()) return bad<std::optional<double>>(key, "must be a number");
    return it->get<double>();
  }
  const json* array(std::string_view key) {
    const json* v = find(key);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) return bad<const json*>(key, "must be an array");
    return v;
  }
  [[nodiscard]] std::string field(std::string_view key) const { return fields::joined(path_, key); }
  void note(Error e) {
    if (!error_) error_ = std::move(e);
  }
  [[nodiscard]] const std::optional<Error>& error() const { return error_; }

 private:
  const json* find(std::string_view key) {
    const auto it = obj_.find(key);
    if (it == obj_.end()) return bad<const json*>(key, "missing");
    return &*it;
  }
  template <class T>
  T bad(std::string_view key, std::string_view what) {
    note(Error{Errc::protocol, std::string(what), field(key)});
    return T{};
  }
  const json& obj_;
  std::string path_;
  std::optional<Error> error_;
};

Result<void> must_be_object(const json& j, std::string_view field) {
  if (j.is_object()) return {};
  return fail(Errc::protocol, "must be a JSON object", field.empty() ? std::string("body") : std::string(field));
}

// Every element of r's array `key`, parsed by `parse_one(element, "key[i]")`.
template <class T, class Parse>
std::vector<T> each(ReplyFields& r, std::string_view key, Parse parse_one) {
  std::vector<T> out;
  const json* list = r.array(key);
  if (list == nullptr) return out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto one = parse_one((*list)[i], fields::indexed(r.field(key), i));
    if (!one) {
      r.note(one.error());
      return out;
    }
    out.push_back(std::move(*one));
  }
  return out;
}

Result<PortLight> parse_port_light(const json& j, std::string_view field) {
  if (auto ok = must_be_object(j, field); !ok) return std::unexpected(ok.error());
  ReplyFields r(j, field);
  PortLight v;
  v.port = r.integer<int>("port");
  v.ns = r.integer<std::int64_t>("ns");
  if (r.error()) return std::unexpected(*r.error());
  return v;
}

}  // namespace

std::string_view to_string(PlaneEventKind kind) {
  switch (kind) {
    case PlaneEventKind::light_on: return "light_on";
    case PlaneEventKind::light_off: return "light_off";
    case PlaneEventKind::link_up: return "link_up";
    case PlaneEventKind::link_down: return "link_down";
    case PlaneEventKind::emit_off: return "emit_off";
    case PlaneEventKind::emit_on: return "emit_on";
  }
  return "unknown";
}

void to_json(json& j, const PortLight& v) { j = json{{"port", v.port}, {"ns", v.ns}}; }

void to_json(json& j, const ChangeRecord& v) {
  j = json{{"id", v.id},
           {"batch", v.batch},
           {"kind", v.kind},
           {"from", v.from},
           {"to", v.to},
           {"bidirectional", v.bidirectional},
           {"source", v.source},
           {"command", v.command},
           {"received_ns", v.received_ns},
           {"switching_ns", v.switching_ns},
           {"started_ns", v.started_ns},
           {"settled_ns", v.settled_ns},
           {"replied_ns", v.replied_ns},
           {"light", v.light}};
  if (!v.plane_error.empty()) j["plane_error"] = v.plane_error;
}

void to_json(json& j, const ChangesPage& v) { j = json{{"changes", v.changes}, {"last_id", v.last_id}}; }

void to_json(json& j, const PlaneEvent& v) {
  j = json{{"seq", v.seq}, {"end", v.end}, {"kind", to_string(v.kind)}, {"time_ns", v.time_ns}, {"change_id", v.change_id}};
  if (v.training_ms) j["training_ms"] = *v.training_ms;
}

void to_json(json& j, const PlaneEventsPage& v) { j = json{{"events", v.events}, {"next_after", v.next_after}}; }

Result<ChangeRecord> parse_change_record(const json& j, std::string_view field) {
  if (auto ok = must_be_object(j, field); !ok) return std::unexpected(ok.error());
  ReplyFields r(j, field);
  ChangeRecord v;
  v.id = r.integer<std::uint64_t>("id");
  v.batch = r.integer<std::uint64_t>("batch");
  v.kind = r.text("kind");
  v.from = r.integer<int>("from");
  v.to = r.integer<int>("to");
  v.bidirectional = r.boolean("bidirectional");
  v.source = r.text("source");
  v.command = r.text("command");
  v.received_ns = r.integer<std::int64_t>("received_ns");
  v.switching_ns = r.integer<std::int64_t>("switching_ns");
  v.started_ns = r.integer<std::int64_t>("started_ns");
  v.settled_ns = r.integer<std::int64_t>("settled_ns");
  v.replied_ns = r.integer<std::int64_t>("replied_ns");
  v.light = each<PortLight>(r, "light", parse_port_light);
  v.plane_error = r.optional_text("plane_error");
  if (r.error()) return std::unexpected(*r.error());
  return v;
}

Result<ChangesPage> parse_changes_page(const json& j) {
  if (auto ok = must_be_object(j, {}); !ok) return std::unexpected(ok.error());
  ReplyFields r(j, {});
  ChangesPage v;
  v.changes = each<ChangeRecord>(r, "changes", parse_change_record);
  v.last_id = r.integer<std::uint64_t>("last_id");
  if (r.error()) return std::unexpected(*r.error());
  return v;
}

Result<PlaneEvent> parse_plane_event(const json& j, std::string_view field) {
  if (auto ok = must_be_object(j, field); !ok) return std::unexpected(ok.error());
  ReplyFields r(j, field);
  PlaneEvent v;
  v.seq = r.integer<std::uint64_t>("seq");
  v.end = r.text("end");
  const std::string kind = r.text("kind");
  if (!r.error()) {
    const auto* known = std::find_if(kPlaneEventKinds.begin(), kPlaneEventKinds.end(),
                                     [&](PlaneEventKind k) { return to_string(k) == kind; });
    if (known == kPlaneEventKinds.end()) {
      r.note(Error{Errc::protocol, "unknown kind '" + kind + "' (light_on, light_off, link_up, link_down, emit_off, emit_on)", r.field("kind")});
    } else {
      v.kind = *known;
    }
  }
  v.time_ns = r.integer<std::int64_t>("time_ns");
  v.change_id = r.integer<std::uint64_t>("change_id");
  v.training_ms = r.optional_number("training_ms");
  if (r.error()) return std::unexpected(*r.error());
  return v;
}

Result<PlaneEventsPage> parse_plane_events_page(const json& j) {
  if (auto ok = must_be_object(j, {}); !ok) return std::unexpected(ok.error());
  ReplyFields r(j, {});
  PlaneEventsPage v;
  v.events = each<PlaneEvent>(r, "events", parse_plane_event);
  v.next_after = r.integer<std::uint64_t>("next_after");
  if (r.error()) return std::unexpected(*r.error());
  return v;
}

Result<PlaneMark> parse_plane_mark(const json& j) {
  if (auto ok = must_be_object(j, {}); !ok) return std::unexpected(ok.error());
  ReplyFields r(j, {});
  PlaneMark v;
  v.last_seq = r.integer<std::uint64_t>("last_seq");
  if (r.error()) return std::unexpected(*r.error());
  return v;
}

}  // namespace mixnet::wire
