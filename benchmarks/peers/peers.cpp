// ml5-peers: the ml5 engine and a plain Eigen implementation of the same layer chains, timed in
// one interleaved run on the same RTNeural files and inputs.
//
// "native_fp16" is the engine with half-precision weights (its error is reported, not hidden).
//
//   ml5-peers EMOTION.json MELODY.json HARMONY.json DYNAMICS.json GROOVE.json [--rounds R] [--block K]
//             [--only MODEL,...]
//
// Each round times a block of K frames of every (model, engine) pair in turn, so that a noisy
// neighbour slows every engine alike; the figure per pair is the median over rounds of the mean
// time per frame in a block (one clock read per block, not per frame). A few untimed frames
// before each block bring that engine's weights back into cache after the others evicted them,
// so every engine is timed in the same steady state. --only times just the models named. "five"
// is the chain of MODELS.md for one feature frame. Prints JSON: {"model": {"engine": ns_per_frame, ...}, ...}.
//
// The Eigen peer is what a C++ developer would write with Eigen for these chains, as RTNeural's
// Eigen backend does: y = W·x + b on column-major matrices, Eigen's vectorised tanh/exp. Dense
// layers come in two builds — dynamic matrices, and fixed-size matrices for the three small
// models (sizes known at compile time) — and the faster one per model is reported as "eigen".
// LSTMs run one step from a zero state, like the engine's stateless mode: the input product
// for the input, cell and output gates (the forget gate multiplies a zero cell).
#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ml5/ml5.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Vec = Eigen::VectorXf;
using Mat = Eigen::MatrixXf;  // column-major: W·x is Eigen's axpy kernel, no horizontal sums
using json = nlohmann::json;

enum class Act { None, Tanh, Relu, Sigmoid, Softmax };

Act act_of(const std::string& name) {
    if (name == "tanh") return Act::Tanh;
    if (name == "relu") return Act::Relu;
    if (name == "sigmoid") return Act::Sigmoid;
    if (name == "softmax") return Act::Softmax;
    if (name.empty()) return Act::None;
    throw std::runtime_error("activation not in the peer: " + name);
}

template <class V>
void apply(Act act, V& y) {
    switch (act) {
        case Act::Tanh: y = y.array().tanh(); break;
        case Act::Relu: y = y.cwiseMax(0.0f); break;
        case Act::Sigmoid: y = (1.0f + (-y.array()).exp()).inverse(); break;
        case Act::Softmax: {
            y = (y.array() - y.maxCoeff()).exp();
            y /= y.sum();
            break;
        }
        case Act::None: break;
    }
}

// W as out×in from a Keras-layout kernel K[in][out].
Mat kernel(const json& k) {
    const auto in = static_cast<Eigen::Index>(k.size()), out = static_cast<Eigen::Index>(k[0].size());
    Mat w(out, in);
    for (Eigen::Index i = 0; i < in; ++i)
        for (Eigen::Index o = 0; o < out; ++o) w(o, i) = k[static_cast<std::size_t>(i)][static_cast<std::size_t>(o)].get<float>();
    return w;
}

Vec vector(const json& v) {
    Vec out(static_cast<Eigen::Index>(v.size()));
    for (std::size_t i = 0; i < v.size(); ++i) out(static_cast<Eigen::Index>(i)) = v[i].get<float>();
    return out;
}

// Dynamic sizes: any chain of dense and LSTM layers.
struct DynamicChain {
    struct Layer {
        bool lstm = false;
        Act act = Act::None;
        Mat w;       // dense: out×in; LSTM: the input, cell and output gate rows, 3H×in
        Vec b;       // the matching bias
        Vec y;       // output buffer
        Vec gates;   // LSTM only
    };
    std::vector<Layer> layers;
    Vec x;

    explicit DynamicChain(const json& model) {
        for (const auto& spec : model["layers"]) {
            Layer layer;
            const std::string type = spec["type"];
            const Mat w = kernel(spec["weights"][0]);
            if (type == "dense") {
                layer.w = w;
                layer.b = spec["weights"].size() > 1 ? vector(spec["weights"][1]) : Vec::Zero(w.rows());
                layer.act = act_of(spec.value("activation", ""));
                layer.y = Vec::Zero(w.rows());
            } else if (type == "lstm") {
                const Eigen::Index h = w.rows() / 4;
                const Vec b = vector(spec["weights"][2]);
                layer.lstm = true;
                layer.w.resize(3 * h, w.cols());
                layer.w << w.middleRows(0, h), w.middleRows(2 * h, h), w.middleRows(3 * h, h);
                layer.b.resize(3 * h);
                layer.b << b.segment(0, h), b.segment(2 * h, h), b.segment(3 * h, h);
                layer.gates = Vec::Zero(3 * h);
                layer.y = Vec::Zero(h);
            } else {
                throw std::runtime_error("layer type not in the peer: " + type);
            }
            layers.push_back(std::move(layer));
        }
        x = Vec::Zero(layers.front().w.cols());
    }

    void forward(const float* in, float* out) {
        x = Eigen::Map<const Vec>(in, x.size());
        const Vec* src = &x;
        for (auto& l : layers) {
            if (l.lstm) {
                const Eigen::Index h = l.y.size();
                l.gates.noalias() = l.w * *src;
                l.gates += l.b;
                auto i = l.gates.segment(0, h).array(), g = l.gates.segment(h, h).array(), o = l.gates.segment(2 * h, h).array();
                // c = σ(i)·tanh(g) (zero previous cell); h = σ(o)·tanh(c)
                l.y = ((1.0f + (-o).exp()).inverse() * ((1.0f + (-i).exp()).inverse() * g.tanh()).tanh()).matrix();
            } else {
                l.y.noalias() = l.w * *src;
                l.y += l.b;
                apply(l.act, l.y);
            }
            src = &l.y;
        }
        Eigen::Map<Vec>(out, src->size()) = *src;
    }
};

// Fixed sizes, for a chain of three dense layers (the three small models).
template <int In, int H1, int H2, int Out>
struct FixedChain3 {
    Eigen::Matrix<float, H1, In> w1;
    Eigen::Matrix<float, H2, H1> w2;
    Eigen::Matrix<float, Out, H2> w3;
    Eigen::Matrix<float, H1, 1> b1, y1;
    Eigen::Matrix<float, H2, 1> b2, y2;
    Eigen::Matrix<float, Out, 1> b3, y3;
    Eigen::Matrix<float, In, 1> x;
    Act a1, a2, a3;

    explicit FixedChain3(const json& model) {
        const auto& l = model["layers"];
        if (l.size() != 3) throw std::runtime_error("not a three-layer chain");
        w1 = kernel(l[0]["weights"][0]);
        w2 = kernel(l[1]["weights"][0]);
        w3 = kernel(l[2]["weights"][0]);
        b1 = vector(l[0]["weights"][1]);
        b2 = vector(l[1]["weights"][1]);
        b3 = vector(l[2]["weights"][1]);
        a1 = act_of(l[0].value("activation", ""));
        a2 = act_of(l[1].value("activation", ""));
        a3 = act_of(l[2].value("activation", ""));
    }

    void forward(const float* in, float* out) {
        x = Eigen::Map<const Eigen::Matrix<float, In, 1>>(in);
        y1.noalias() = w1 * x;
        y1 += b1;
        apply(a1, y1);
        y2.noalias() = w2 * y1;
        y2 += b2;
        apply(a2, y2);
        y3.noalias() = w3 * y2;
        y3 += b3;
        apply(a3, y3);
        Eigen::Map<Eigen::Matrix<float, Out, 1>> result(out);
        result = y3;
    }

    EIGEN_MAKE_ALIGNED_OPERATOR_NEW
};

using Forward = std::function<void(const float*, float*)>;

json read_json(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot open " + path);
    return json::parse(f);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

constexpr int kWarmFrames = 4;

const char* const kNames[] = {"emotion", "melody", "harmony", "dynamics", "groove"};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 6) {
        std::fprintf(stderr, "usage: ml5-peers EMOTION.json MELODY.json HARMONY.json DYNAMICS.json GROOVE.json "
                             "[--rounds R] [--block K] [--only MODEL,...]\n");
        return 2;
    }
    int rounds = 300, block = 64;
    std::set<std::string> only;
    for (int i = 6; i < argc; i += 2) {
        const std::string flag = argv[i];
        if (i + 1 >= argc) {
            std::fprintf(stderr, "ml5-peers: %s needs a value\n", flag.c_str());
            return 2;
        }
        if (flag == "--rounds") rounds = std::stoi(argv[i + 1]);
        else if (flag == "--block") block = std::stoi(argv[i + 1]);
        else if (flag == "--only") {
            std::istringstream names(argv[i + 1]);
            for (std::string name; std::getline(names, name, ',');) only.insert(name);
        }
        else {
            std::fprintf(stderr, "ml5-peers: unknown option %s\n", flag.c_str());
            return 2;
        }
    }
    try {
        std::vector<json> files;
        std::vector<ml5::Model> native, native16;
        for (int i = 1; i <= 5; ++i) {
            files.push_back(read_json(argv[i]));
            native.push_back(ml5::load_model_file(argv[i]));
            native16.push_back(ml5::load_model_file(argv[i], ml5::Precision::fp16));
        }
        std::vector<std::unique_ptr<DynamicChain>> dynamic;
        for (const auto& f : files) dynamic.push_back(std::make_unique<DynamicChain>(f));
        auto harmony = std::make_unique<FixedChain3<128, 256, 128, 64>>(files[2]);
        auto dynamics = std::make_unique<FixedChain3<32, 128, 64, 16>>(files[3]);
        auto groove = std::make_unique<FixedChain3<64, 128, 64, 32>>(files[4]);

        // engines[model][engine] = one frame
        std::map<std::string, std::map<std::string, Forward>> engines;
        for (int m = 0; m < 5; ++m) {
            engines[kNames[m]]["native"] = [&, m](const float* x, float* y) { native[static_cast<std::size_t>(m)].forward(x, y); };
            engines[kNames[m]]["native_fp16"] = [&, m](const float* x, float* y) { native16[static_cast<std::size_t>(m)].forward(x, y); };
            engines[kNames[m]]["eigen_dynamic"] = [&, m](const float* x, float* y) { dynamic[static_cast<std::size_t>(m)]->forward(x, y); };
        }
        engines["harmony"]["eigen_fixed"] = [&](const float* x, float* y) { harmony->forward(x, y); };
        engines["dynamics"]["eigen_fixed"] = [&](const float* x, float* y) { dynamics->forward(x, y); };
        engines["groove"]["eigen_fixed"] = [&](const float* x, float* y) { groove->forward(x, y); };

        // the five as a host runs them: emotion, then the four from its embedding
        std::vector<float> emotion(64), harmony_in(128), out(128);
        for (const std::string engine : {"native", "native_fp16", "eigen_dynamic", "eigen_fixed"}) {
            auto pick = [&, engine](const char* model) {
                auto& e = engines[model];
                return e.count(engine) ? e[engine] : e["eigen_dynamic"];
            };
            Forward run[5] = {pick("emotion"), pick("melody"), pick("harmony"), pick("dynamics"), pick("groove")};
            engines["five"][engine] = [&, run](const float* features, float* y) {
                run[0](features, emotion.data());
                run[1](emotion.data(), y);
                std::copy(emotion.begin(), emotion.end(), harmony_in.begin());
                std::copy(features, features + 64, harmony_in.begin() + 64);
                run[2](harmony_in.data(), y);
                run[3](emotion.data(), y);
                run[4](emotion.data(), y);
            };
        }

        if (!only.empty()) {
            for (const auto& name : only) {
                if (!engines.count(name)) {
                    std::fprintf(stderr, "ml5-peers: --only %s: no such model (emotion, melody, harmony, dynamics, "
                                         "groove, five)\n", name.c_str());
                    return 2;
                }
            }
            for (auto it = engines.begin(); it != engines.end();) it = only.count(it->first) ? std::next(it) : engines.erase(it);
        }

        // the same inputs for every engine; the peers must compute what the engine computes
        std::map<std::string, std::vector<float>> inputs;
        json result, max_error;
        for (auto& [model, by_engine] : engines) {
            const int m = model == "five" ? 0 : static_cast<int>(std::find(std::begin(kNames), std::end(kNames), model) - std::begin(kNames));
            std::vector<float> x(static_cast<std::size_t>(native[static_cast<std::size_t>(m)].in_size()));
            for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 37) % 101) / 50.0f - 1.0f;
            inputs[model] = x;
            std::vector<float> want(128), got(128);
            by_engine["native"](x.data(), want.data());
            for (auto& [engine, run] : by_engine) {
                std::fill(got.begin(), got.end(), 0.0f);
                run(x.data(), got.data());
                float worst = 0.0f;
                for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
                max_error[model][engine] = worst;
            }
        }

        std::map<std::string, std::map<std::string, std::vector<double>>> ns;
        std::vector<float> y(128);
        for (int r = 0; r < rounds + 10; ++r) {  // the first ten rounds warm the caches
            for (auto& [model, by_engine] : engines) {
                auto& x = inputs[model];
                for (auto& [engine, run] : by_engine) {
                    // a few untimed frames first: each block starts with this engine's weights
                    // back in cache, as in a host that runs the model every callback
                    for (int k = 0; k < kWarmFrames; ++k) run(x.data(), y.data());
                    const auto t0 = Clock::now();
                    for (int k = 0; k < block; ++k) {
                        x[static_cast<std::size_t>(k) % x.size()] += 1e-6f;  // keep the inputs moving
                        run(x.data(), y.data());
                    }
                    const double per_frame = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / block;
                    if (r >= 10) ns[model][engine].push_back(per_frame);
                }
            }
        }
        for (auto& [model, by_engine] : ns) {
            for (auto& [engine, times] : by_engine) result[model][engine] = median(times);
            const double fixed = result[model].value("eigen_fixed", 1e300);
            result[model]["eigen"] = std::min(fixed, result[model]["eigen_dynamic"].get<double>());
        }
        std::printf("%s\n", json({{"ns_per_frame", result}, {"max_abs_error_vs_native", max_error},
                                  {"rounds", rounds}, {"block", block}}).dump(2).c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ml5-peers: %s\n", e.what());
        return 1;
    }
    return 0;
}
