// The command line the conformance, no-alloc and real-time tests share:
//   <test> [CONFORMANCE_FOLDER] [--precision fp32|fp16] [--report FILE.json]
// (--report: the conformance runner's per-case error bounds, see conformance_runner.cpp)
#pragma once

#include <string>

#include "ml5/weights.hpp"

namespace ml5_test {

struct Args {
    std::string folder = ML5_CONFORMANCE_DIR_DEFAULT;  // set by tests/CMakeLists.txt
    ml5::Precision precision = ml5::Precision::fp32;
    std::string report;
};

inline Args parse_args(int argc, char** argv) {
    Args args;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--precision" && i + 1 < argc)
            args.precision = ml5::precision_from_string(argv[++i]);
        else if (std::string(argv[i]) == "--report" && i + 1 < argc)
            args.report = argv[++i];
        else
            args.folder = argv[i];
    }
    return args;
}

}  // namespace ml5_test
