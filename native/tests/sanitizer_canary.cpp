// Faults planted for the sanitizer build (built only with ML5_SANITIZE, never installed): the
// proof that tests/run_asan.sh really runs under AddressSanitizer and UndefinedBehaviorSanitizer.
// The values come from the command line, so the compiler can neither fold nor remove the faults.
//   ml5rt_sanitizer_canary heap-overflow N     reads element N of a heap array of N ints
//   ml5rt_sanitizer_canary signed-overflow A B adds two ints (2147483647 1 overflows)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

int main(int argc, char** argv) {
    if (argc == 3 && std::strcmp(argv[1], "heap-overflow") == 0) {
        const int n = std::atoi(argv[2]);
        std::unique_ptr<int[]> values(new int[static_cast<std::size_t>(n)]());
        std::printf("%d\n", values[static_cast<std::size_t>(n)]);
        return 0;
    }
    if (argc == 4 && std::strcmp(argv[1], "signed-overflow") == 0) {
        const int a = std::atoi(argv[2]), b = std::atoi(argv[3]);
        std::printf("%d\n", a + b);
        return 0;
    }
    std::fprintf(stderr, "usage: %s heap-overflow N | signed-overflow A B\n", argv[0]);
    return 2;
}
