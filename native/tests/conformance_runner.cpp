// Runs every case of an RTNeural conformance folder through the engine (streaming mode):
// accept cases must load and match the recorded outputs, reject cases must throw LoadError.
// Usage: ml5rt_conformance [FOLDER] [--precision fp16]   (default: the folder tests/CMakeLists.txt configured)
//
// With --precision fp16 the accept cases run with half-precision weights and must stay within
// kHalfTolerance of the recorded outputs, relative to the size of the terms summed (see below);
// the largest error is printed.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ml5/ml5.hpp"
#include "test_args.hpp"

using nlohmann::json;

namespace {

json read_json(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path);
    std::stringstream s;
    s << f.rdbuf();
    return json::parse(s.str());
}

// fp16 keeps 11 significant bits: each weight is off by at most 2^-12 of itself (4.9e-4 of
// |w| after round to nearest, half that on average). An output's error then stays far below
// 2^-11 · (1 + |y|) unless a long sum cancels; the cases of the folder check that it does.
constexpr double kHalfTolerance = 4.8828125e-4;  // 2^-11
double g_worst_half_error = 0.0;

// Returns "" on success, else what went wrong.
std::string run_accept(const std::string& dir, const json& c, ml5::Precision precision) {
    ml5::Model model = ml5::load_model_file(dir + "/" + c.at("model").get<std::string>(), precision);
    const int in = c.at("in_size").get<int>(), out = c.at("out_size").get<int>();
    if (model.in_size() != in || model.out_size() != out)
        return "sizes " + std::to_string(model.in_size()) + "->" + std::to_string(model.out_size()) + ", expected " +
               std::to_string(in) + "->" + std::to_string(out);
    if (model.n_params() != c.at("n_params").get<std::size_t>())
        return "n_params " + std::to_string(model.n_params()) + ", expected " + std::to_string(c.at("n_params").get<std::size_t>());
    model.set_stateless(false);
    model.reset();
    const double tol = c.at("tolerance_float").get<double>();
    const auto& inputs = c.at("inputs");
    const auto& expected = c.at("expected_double");
    std::vector<float> x(static_cast<std::size_t>(in)), y(static_cast<std::size_t>(out));
    double worst = 0.0;
    for (std::size_t step = 0; step < inputs.size(); ++step) {
        for (int i = 0; i < in; ++i) x[static_cast<std::size_t>(i)] = inputs[step][static_cast<std::size_t>(i)].get<float>();
        model.forward(x.data(), y.data());
        for (int j = 0; j < out; ++j) {
            const double want = expected[step][static_cast<std::size_t>(j)].get<double>();
            const double err = std::fabs(static_cast<double>(y[static_cast<std::size_t>(j)]) - want);
            if (precision == ml5::Precision::fp16) {
                g_worst_half_error = std::max(g_worst_half_error, err);
                if (!(err <= kHalfTolerance * (1.0 + std::fabs(want))))
                    return "fp16 step " + std::to_string(step) + " output " + std::to_string(j) + ": |error| " +
                           std::to_string(err) + " > 2^-11 * (1 + |expected|)";
                continue;
            }
            if (!(err <= tol))
                return "step " + std::to_string(step) + " output " + std::to_string(j) + ": |error| " +
                       std::to_string(err) + " > tolerance " + std::to_string(tol);
            if (err > worst) worst = err;
        }
    }
    return "";
}

}  // namespace

int main(int argc, char** argv) {
    const ml5_test::Args args = ml5_test::parse_args(argc, argv);
    const std::string dir = args.folder;
    const ml5::Precision precision = args.precision;
    json index;
    try {
        index = read_json(dir + "/index.json");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "conformance: cannot read %s/index.json: %s\n", dir.c_str(), e.what());
        return 2;
    }
    int passed = 0, failed = 0, accept = 0, reject = 0;
    for (const auto& entry : index.at("cases")) {
        const std::string name = entry.at("name").get<std::string>();
        std::string problem;
        try {
            const json c = read_json(dir + "/" + entry.at("case").get<std::string>());
            if (c.at("kind") == "accept") {
                ++accept;
                problem = run_accept(dir, c, precision);
            } else {
                ++reject;
                try {
                    ml5::load_model_file(dir + "/" + c.at("model").get<std::string>());
                    problem = "loaded, but must be rejected";
                } catch (const ml5::LoadError& e) {
                    if (std::getenv("ML5_VERBOSE")) std::printf("  %-40s refused: %s\n", name.c_str(), e.what());
                }
            }
        } catch (const std::exception& e) {
            problem = std::string("exception: ") + e.what();
        }
        if (problem.empty()) {
            ++passed;
        } else {
            ++failed;
            std::printf("FAIL %s: %s\n", name.c_str(), problem.c_str());
        }
    }
    std::printf("conformance (%s): %d accept + %d reject cases from %s\n", ml5::to_string(precision), accept, reject,
                dir.c_str());
    if (precision == ml5::Precision::fp16) std::printf("largest fp16 error: %.3g\n", g_worst_half_error);
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
