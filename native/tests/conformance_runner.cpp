// Runs every case of an RTNeural conformance folder through the engine (streaming mode):
// accept cases must load and match the recorded outputs, reject cases must throw LoadError.
// Usage: ml5rt_conformance [FOLDER] [--precision fp16] [--report FILE.json]
//        (default folder: the one tests/CMakeLists.txt configured)
//
// Every output must also lie within the derived error bound of error_bound.hpp (plus the suite's
// bound on its double reference, tolerance_double): in fp32 on top of tolerance_float, in fp16 it
// is the test. The runner prints the largest and the median ratio error / bound over the cases;
// --report writes each case's worst ratio, with its error and bound, as JSON.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "error_bound.hpp"
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

std::string text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

// A case's largest |error| / bound, where it is and its parts.
struct Ratio {
    double ratio = 0.0, error = 0.0, bound = 0.0;
    std::size_t step = 0, output = 0;
};

// The error bound's model of each file, parsed once (the reference models serve two cases each).
ml5_bound::Model& bound_model(const std::string& path, ml5::Precision precision) {
    static std::map<std::string, std::unique_ptr<ml5_bound::Model>> models;
    auto& m = models[path];
    if (!m) m = std::make_unique<ml5_bound::Model>(read_json(path), precision);
    m->reset();
    return *m;
}

// Returns "" on success, else what went wrong; `worst` gets the case's largest ratio.
std::string run_accept(const std::string& dir, const json& c, ml5::Precision precision, Ratio& worst) {
    const std::string path = dir + "/" + c.at("model").get<std::string>();
    ml5::Model model = ml5::load_model_file(path, precision);
    const int in = c.at("in_size").get<int>(), out = c.at("out_size").get<int>();
    if (model.in_size() != in || model.out_size() != out)
        return "sizes " + std::to_string(model.in_size()) + "->" + std::to_string(model.out_size()) + ", expected " +
               std::to_string(in) + "->" + std::to_string(out);
    if (model.n_params() != c.at("n_params").get<std::size_t>())
        return "n_params " + std::to_string(model.n_params()) + ", expected " + std::to_string(c.at("n_params").get<std::size_t>());
    ml5_bound::Model& bound = bound_model(path, precision);
    model.set_stateless(false);
    model.reset();
    const double tol = c.at("tolerance_float").get<double>(), tol_double = c.at("tolerance_double").get<double>();
    const auto& inputs = c.at("inputs");
    const auto& expected = c.at("expected_double");
    std::vector<double> xd(static_cast<std::size_t>(in));
    std::vector<float> x(static_cast<std::size_t>(in)), y(static_cast<std::size_t>(out));
    for (std::size_t step = 0; step < inputs.size(); ++step) {
        for (std::size_t i = 0; i < xd.size(); ++i) {
            xd[i] = inputs[step][i].get<double>();
            x[i] = static_cast<float>(xd[i]);
        }
        model.forward(x.data(), y.data());
        const ml5_bound::Bounded b = bound.step(xd);
        for (std::size_t j = 0; j < y.size(); ++j) {
            auto where = [&] { return "step " + std::to_string(step) + " output " + std::to_string(j); };
            const double want = expected[step][j].get<double>();
            const double err = std::fabs(static_cast<double>(y[j]) - want);
            const double limit = b.rad[j] + tol_double;
            if (!(err / limit <= worst.ratio)) worst = {err / limit, err, limit, step, j};
            if (!(err <= limit))
                return std::string(ml5::to_string(precision)) + " " + where() + ": |error| " + text(err) +
                       " > derived bound " + text(limit);
            // the bound's own float64 pass must agree with the suite's reference
            if (!(std::fabs(b.mid[j] - want) <= tol_double))
                return where() + ": the error bound's exact value " + text(b.mid[j]) + " is not expected_double " +
                       text(want);
            if (precision == ml5::Precision::fp32 && !(err <= tol))
                return where() + ": |error| " + text(err) + " > tolerance " + text(tol);
        }
    }
    return "";
}

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
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
    json report = json::object();
    std::vector<double> ratios;
    std::string worst_case;
    double worst_ratio = -1.0;
    for (const auto& entry : index.at("cases")) {
        const std::string name = entry.at("name").get<std::string>();
        std::string problem;
        try {
            const json c = read_json(dir + "/" + entry.at("case").get<std::string>());
            if (c.at("kind") == "accept") {
                ++accept;
                Ratio r;
                problem = run_accept(dir, c, precision, r);
                ratios.push_back(r.ratio);
                report[name] = {{"ratio", r.ratio}, {"error", r.error}, {"bound", r.bound}, {"step", r.step},
                                {"output", r.output}};
                if (r.ratio > worst_ratio) worst_ratio = r.ratio, worst_case = name;
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
    if (!ratios.empty())
        std::printf("error / derived bound (%s): largest %.3g (%s), median %.3g over %zu accept cases\n",
                    ml5::to_string(precision), worst_ratio, worst_case.c_str(), median(ratios), ratios.size());
    if (!args.report.empty()) {
        std::ofstream f(args.report);
        f << json{{"precision", ml5::to_string(precision)}, {"folder", dir}, {"largest_ratio", worst_ratio},
                  {"largest_case", worst_case}, {"median_ratio", median(ratios)}, {"cases", report}}
                 .dump(1)
          << "\n";
        if (!f) {
            std::fprintf(stderr, "conformance: cannot write %s\n", args.report.c_str());
            return 2;
        }
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
