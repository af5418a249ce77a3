#pragma once
// FakeVerbs: a VerbsApi without hardware. It hands out real (zeroed) libibverbs structs, records
// every create and destroy in order, fails the verb a test names (with the errno it names), and
// completes every signalled send at once, so the engine's loop runs end to end.
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "hwdrivers/nic/verbs_api.hpp"

namespace mixnet::testing {

class FakeVerbs final : public nic::VerbsApi {
 public:
  FakeVerbs();
  ~FakeVerbs() override;

  // ---- what the test sets ----
  int devices = 1;                        // how many devices the list holds ("mlx5_0", "mlx5_1" ...)
  bool list_fails = false;                // get_device_list returns nullptr with errno list_errno
  int list_errno = ENOSYS;
  std::string fail_verb;                  // "alloc_pd", "create_qp#2", "modify_qp:RTR", "post_send#5" ...
  int fail_errno = ENOMEM;
  ibv_port_attr port{};                   // what query_port answers (ACTIVE, 1024 MTU by default)
  ibv_gid gid{};                          // what query_gid answers
  bool complete_sends = true;             // signalled sends complete at the next poll
  std::uint32_t wc_status_at_send = 0;    // n > 0: the n-th send completion fails (IBV_WC_RETRY_EXC_ERR)

  // ---- what the test reads ----
  std::vector<std::string> log;           // "create context", "create qp#1", "destroy qp#1" ...
  std::map<std::string, int> calls;       // verb -> times called
  std::vector<ibv_qp_attr> modifies;      // every modify_qp's attributes, in order
  std::uint64_t sends = 0;                // work requests posted (all kinds)
  std::uint64_t signalled = 0;
  std::vector<std::uint32_t> control_imms;  // immediates of SEND_WITH_IMM posts (host order)
  [[nodiscard]] std::size_t live() const { return live_; }  // objects created and not destroyed

  // Injects a receive completion carrying an immediate (e.g. the server's READY) on QP 0.
  void deliver_imm(std::uint32_t imm);

  // ---- VerbsApi ----
  ibv_device** get_device_list(int* count) override;
  void free_device_list(ibv_device** list) override;
  const char* get_device_name(ibv_device* device) override;
  ibv_context* open_device(ibv_device* device) override;
  int close_device(ibv_context* context) override;
  int query_device(ibv_context* context, ibv_device_attr* attr) override;
  int query_port(ibv_context* context, std::uint8_t port, ibv_port_attr* attr) override;
  int query_gid(ibv_context* context, std::uint8_t port, int index, ibv_gid* gid) override;
  ibv_pd* alloc_pd(ibv_context* context) override;
  int dealloc_pd(ibv_pd* pd) override;
  ibv_mr* reg_mr(ibv_pd* pd, void* addr, std::size_t length, int access) override;
  int dereg_mr(ibv_mr* mr) override;
  ibv_cq* create_cq(ibv_context* context, int cqe) override;
  int destroy_cq(ibv_cq* cq) override;
  ibv_qp* create_qp(ibv_pd* pd, ibv_qp_init_attr* attr) override;
  int destroy_qp(ibv_qp* qp) override;
  int modify_qp(ibv_qp* qp, ibv_qp_attr* attr, int mask) override;
  int post_send(ibv_qp* qp, ibv_send_wr* wr, ibv_send_wr** bad) override;
  int post_recv(ibv_qp* qp, ibv_recv_wr* wr, ibv_recv_wr** bad) override;
  int poll_cq(ibv_cq* cq, int entries, ibv_wc* wc) override;

 private:
  bool should_fail(const std::string& verb);  // counts the call; true when the test named it
  std::vector<ibv_device*> device_storage_;
  std::vector<std::string> names_;
  std::deque<ibv_wc> pending_;
  std::map<ibv_qp*, int> qp_numbers_;
  std::size_t live_ = 0;
  int qps_created_ = 0;
  std::uint64_t send_completions_ = 0;
  std::mutex mu_;
};

}  // namespace mixnet::testing
