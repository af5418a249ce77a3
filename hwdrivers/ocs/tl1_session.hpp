#pragma once
// One TL1 session over TCP, shared by the Polatis and Calient TL1 drivers: connect with a
// deadline, ACT-USER and wait for its reply before anything else, numbered ctags, one command at
// a time, replies matched by ctag (stray ones skipped), DENY as Errc::denied with code and text.
//
// Blocking I/O on a non-blocking socket with poll(2): every connect, write and read has a
// deadline. Keep-alive is two-fold: TCP keepalive (idle 30 s, 3 probes 10 s apart) finds a dead
// peer, and a background thread sends a cheap command (the driver's choice, e.g. RTRV-NETYPE)
// after `keepalive` idle seconds so the switch's own idle timer never closes the session. A session
// that fails (I/O error, deadline, peer closed) is closed; the next execute() opens a new one and
// logs in again, and the caller learns of it through generation().
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "hwdrivers/ocs/tl1_codec.hpp"

namespace mixnet::ocs {

struct Tl1SessionOptions {
  std::string host;
  unsigned short port = 3082;
  std::string user = "admin";
  std::string password;
  std::chrono::milliseconds connect_timeout{5'000};   // connect + login
  std::chrono::milliseconds command_timeout{10'000};  // one command's reply
  std::chrono::seconds keepalive{60};                 // 0: no keep-alive commands
  tl1::Command keepalive_command{.verb = "RTRV-NETYPE"};  // ctag filled in
  std::string name = "tl1";                           // for log lines
};

struct Tl1Result {
  tl1::Reply reply;
  std::int64_t sent_ns = 0;
  std::int64_t acked_ns = 0;
};

class Tl1Session {
 public:
  explicit Tl1Session(Tl1SessionOptions options);
  ~Tl1Session();   // logs out (short deadline), closes, stops the keep-alive thread
  Tl1Session(const Tl1Session&) = delete;
  Tl1Session& operator=(const Tl1Session&) = delete;

  // The driver holds this across the commands of one operation; execute() requires it held.
  std::mutex& mutex() { return mutex_; }

  // Opens and logs in if no session is open. Errc::timeout / io / unavailable for the network,
  // Errc::unauthorized when ACT-USER is denied.
  Result<void> ensure_open();

  // Sends one command (its ctag is assigned here) and waits for the reply with that ctag. Opens a
  // session first when none is open, but never resends: after a failure the caller decides (it
  // may have to re-read the switch state first). The one exception is DENY PLNA ("login not
  // active"): the command was not run, so the session logs in again and sends it once more.
  // A DENY comes back as Errc::denied whose message
  // holds the command, the code and the text. `timeout` 0 uses the session's command timeout.
  Result<Tl1Result> execute(tl1::Command cmd, std::chrono::milliseconds timeout = {});

  // Sends several commands in one write (TL1 lets a client have many outstanding, each with its own
  // ctag) and waits for every reply. The switch runs them in order; a DENY of one does not stop
  // the others, so only pipeline commands that do not depend on each other's success. The outer
  // Result fails on the session (I/O, deadline, garbage); each inner Result is that command's
  // outcome (Errc::denied for a DENY). The deadline covers the whole batch.
  Result<std::vector<Result<Tl1Result>>> execute_many(std::vector<tl1::Command> cmds,
                                                      std::chrono::milliseconds timeout = {});

  // After execute() or execute_many() failed on the session (I/O error, deadline, closed): when
  // its command (the batch) began to leave us, or 0 when it failed before anything was written.
  // The switch may have run such a command; a driver counts its operation as begun then.
  [[nodiscard]] std::int64_t unanswered_sent_ns() const { return unanswered_sent_ns_; }

  // Counts sessions opened; a change between two calls means the session was lost in between.
  [[nodiscard]] std::uint64_t generation() const { return generation_; }
  [[nodiscard]] bool is_open() const { return fd_.valid(); }
  void close();   // drop the connection without logging out (the next execute() reconnects)
  [[nodiscard]] const Tl1SessionOptions& options() const { return options_; }

 private:
  Result<void> open_locked();
  Result<void> write_all(std::string_view bytes, std::int64_t deadline_mono_ns);
  Result<tl1::Reply> read_reply(const std::string& ctag, std::int64_t deadline_mono_ns);
  Result<Tl1Result> roundtrip(tl1::Command cmd, std::chrono::milliseconds timeout);
  Result<Tl1Result> judge(const tl1::Command& cmd, Tl1Result out) const;
  void keepalive_loop();

  Tl1SessionOptions options_;
  std::mutex mutex_;
  UniqueFd fd_;
  tl1::ReplyFramer framer_;
  std::uint64_t next_ctag_ = 1;
  std::uint64_t generation_ = 0;
  std::int64_t unanswered_sent_ns_ = 0;   // the last command written (reset by each execute call)
  std::int64_t last_io_mono_ns_ = 0;
  std::deque<tl1::Reply> early_;   // replies that came before the one being waited for (bounded)

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread keepalive_thread_;
};

// "ENT-PATCH::1,17" for messages.
std::string describe_command(const tl1::Command& cmd);

// Quotes a TL1 string block when it holds anything but letters, digits, '-', '_' and '.'.
std::string tl1_string(std::string_view s);

}  // namespace mixnet::ocs
