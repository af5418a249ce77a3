// A driver for LLVMFuzzerTestOneInput-style targets without libFuzzer: afl-fuzz feeds one input on
// stdin; given file arguments it runs each of them (replaying a crash, or a corpus as a regression).
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
int run(std::istream& in) {
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return run(std::cin);
  for (int i = 1; i < argc; ++i) {
    std::ifstream f(argv[i], std::ios::binary);
    if (!f) {
      std::cerr << "cannot read " << argv[i] << "\n";
      return 2;
    }
    run(f);
  }
  return 0;
}
