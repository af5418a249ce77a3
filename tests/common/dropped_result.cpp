// Compiled by ctest, not linked: with DROP defined it must NOT compile (a Result<T> thrown away
// is an error), without it it must (so the failing build fails for the right reason).
#include "common/result.hpp"

mixnet::Result<int> answer() { return 42; }
mixnet::Result<void> done() { return {}; }

int main() {
#ifdef DROP
  answer();
#else
  (void)answer();  // deliberately ignored: this is the control case
  return done() ? 0 : 1;
#endif
  return 0;
}
