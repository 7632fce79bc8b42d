// The few helpers the C++ unit tests share: count checks, print failures, summarise.
#pragma once

#include <cstdio>
#include <string>

namespace ml5_test {

inline int passed = 0, failed = 0;

inline void check(bool ok, const std::string& what) {
    if (ok) {
        ++passed;
    } else {
        ++failed;
        std::printf("FAIL %s\n", what.c_str());
    }
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Prints "N passed, M failed" and gives the exit code.
inline int summary() {
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

}  // namespace ml5_test
