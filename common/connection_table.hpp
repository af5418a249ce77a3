#pragma once
// Who holds a listener's connection slots, and whom to close when a newcomer needs one. Shared by
// every listener that faces the management network (the HTTP server of the agent and of the
// emulator's RESTCONF and control ports, the emulator's TL1 ports), so a flood of silent
// connections cannot lock out the one client that has work to do: when a cap is reached, the
// oldest connection that is not serving a request is closed for the newcomer, and a newcomer is
// refused only when every connection in its way is busy. Connections that have not proven
// themselves (no authenticated request, no TL1 login) go before proven ones that wait idle.
// Plain C++ without Asio: the listener hands in how to close a connection.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace mixnet {

struct ConnectionLimits {
  std::size_t max_connections = 512;   // in all
  std::size_t max_per_source = 64;     // from one source address
};

class ConnectionTable {
 public:
  using Id = std::uint64_t;
  enum class Phase {
    unproven,  // has not authenticated yet: the first to be closed for a newcomer
    idle,      // authenticated, waiting for its next request: closed when no unproven one is left
    busy,      // a request is being answered: never closed for a newcomer
  };

  explicit ConnectionTable(ConnectionLimits limits) : limits_(limits) {}

  // Takes a slot for a connection from `source`, closing older connections (through their
  // `close`) when a cap is reached. nullopt: every connection in the way is busy; refuse this one.
  // A new connection is unproven. `close` must not call back into the table.
  std::optional<Id> admit(const std::string& source, std::function<void()> close);
  // Marks what a connection is doing; an unknown id (already closed for a newcomer) is ignored.
  void set_phase(Id id, Phase phase);
  // Gives the slot back (the connection ended); an unknown id is ignored.
  void remove(Id id);

  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] std::size_t count_from(const std::string& source) const;
  [[nodiscard]] std::uint64_t evicted() const { return evicted_; }   // closed for a newcomer
  [[nodiscard]] std::uint64_t refused() const { return refused_; }   // newcomers refused

 private:
  struct Entry {
    std::string source;
    Phase phase = Phase::unproven;
    std::uint64_t since = 0;  // when it entered its phase, as an ever-growing sequence number
    std::function<void()> close;
  };
  // The oldest unproven connection, else the oldest idle one, among those from `source` (or
  // from anywhere when `source` is null).
  std::optional<Id> victim(const std::string* source) const;
  void evict(Id id);

  ConnectionLimits limits_;
  std::map<Id, Entry> entries_;
  std::map<std::string, std::size_t> per_source_;
  Id next_id_ = 1;
  std::uint64_t clock_ = 0;
  std::uint64_t evicted_ = 0;
  std::uint64_t refused_ = 0;
};

// Removes its connection from the table when the session ends, however it ends.
class ConnectionSlot {
 public:
  ConnectionSlot(ConnectionTable& table, ConnectionTable::Id id) : table_(table), id_(id) {}
  ~ConnectionSlot() { table_.remove(id_); }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  void set_phase(ConnectionTable::Phase phase) { table_.set_phase(id_, phase); }

 private:
  ConnectionTable& table_;
  ConnectionTable::Id id_;
};

}  // namespace mixnet
