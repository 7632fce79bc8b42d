// How far the engine's output can be from the exact output of a model: a bound derived from the
// engine's arithmetic, not fitted to results. The one definition of it, used by the conformance
// runner (conformance_runner.cpp, both precisions) and so by the random-model test
// (tests/python/test_fp16_bound.py).
//
// A float64 forward pass, parsed here from the model's JSON independently of the engine's loader,
// carries for every value its exact value (mid: the model's arithmetic on the file's numbers) and
// a radius (rad) with |engine − exact| <= rad. Radii start from the inputs' rounding to float32 and
// grow, layer by layer and step by step, by what the engine does to each value:
//
//   stored weights  |ŵ − w| <= δ(w): fp16 (dense, time-distributed-dense, LSTM W and U) rounds to
//                   half, half an ulp of half: δ = 2^(max(⌊log2|w|⌋, −14) − 11) <= 2^-11·|w| + 2^-25
//                   (a weight beyond 65504 is refused); every other array (biases, GRU, conv1d,
//                   prelu, batchnorm, all of fp32) is read as float32: δ = |fl32(w) − w|.
//   sums            y = b + Σ_i w_i·x_i over n products, in float32, any order, FMA or not:
//                   rad_y = δ_b + Σ_i (|w_i| + δ_i)·rad_i + Σ_i δ_i·|x_i|
//                         + γ_{n+1}·(|b| + δ_b + Σ_i (|w_i| + δ_i)(|x_i| + rad_i)),   γ_k = k·u/(1 − k·u),
//                   u = 2^-24 (the last term: float32 rounding of the products and the sum).
//   activations     the exact image of [x − rad, x + rad] (all are monotone) plus the engine's own
//                   error (the k* constants below, measured over every float32 input by
//                   ml5rt_activation_error); softmax: the interval bound of each output plus its
//                   float32 arithmetic derived from the exp error.
//   products        |âb̂ − ab| <= |a|·rad_b + |b|·rad_a + rad_a·rad_b, plus γ of their float32 roundings
//                   (LSTM and GRU state updates); the cell and hidden states carry their radii from
//                   step to step, a conv1d keeps the radii of its history.
//
// The analysis's own float64 rounding (2^-53 per operation) is added to every sum and activation;
// it is some ten orders of magnitude below the terms above.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "ml5/weights.hpp"  // Precision

namespace ml5_bound {

using nlohmann::json;
using Vec = std::vector<double>;

inline constexpr double kU = 0x1p-24;          // float32 rounding, relative
inline constexpr double kUnderflow = 0x1p-150; // float32 rounding below the normal range, absolute
inline constexpr double kHalfMax = 65504.0;    // the largest half
inline constexpr double kOwn = 0x1p-52;        // this analysis's float64 rounding, with a factor 2

// The engine's activations, |engine(x) − f(x)| for every float32 x: ml5rt_activation_error --stride 1
// measures at most 3.79e-7, 3.39e-7, 1.72e-7 and 2.54e-7 (the kernels without fused multiply-adds;
// less with them); the constants leave some room for other compilers.
inline constexpr double kTanhRel = 4.0e-7;     // <= kTanhRel·|tanh x|     (rational_tanh.hpp)
inline constexpr double kSigmoidRel = 3.7e-7;  // <= kSigmoidRel·σ(x) + kSigmoidAbs
inline constexpr double kSigmoidAbs = 0x1p-120;
inline constexpr double kEluAbs = 1.9e-7;      // x < 0: e^x − 1 (x >= 0 is exact)
inline constexpr double kExpRel = 2.8e-7;      // -87 <= x <= 0 (softmax): <= kExpRel·e^x
inline constexpr double kExpAbs = 0x1p-120;    // x < -87: e^-87 stands in for e^x

// Bound on the relative error of k float32 roundings in a row.
inline double gamma(std::size_t k) {
    const double ku = static_cast<double>(k) * kU;
    return ku / (1.0 - ku);
}

// |stored − w| for a weight stored as float32 (half == false) or as half.
inline double weight_error(double w, bool half) {
    const float v = static_cast<float>(w);
    const double read = std::fabs(static_cast<double>(v) - w);  // exact: the two are within 2^-24
    if (!half) return read;
    if (std::fabs(v) > kHalfMax) throw std::runtime_error("weight " + std::to_string(w) + " is beyond the half range");
    int e = 0;
    std::frexp(static_cast<double>(v), &e);  // |v| = m·2^e, m in [0.5, 1): ⌊log2|v|⌋ = e − 1
    const int exponent = v == 0.0f ? -14 : std::max(e - 1, -14);
    return read + std::ldexp(1.0, exponent - 11);
}

// Values with radii: |engine − mid| <= rad element by element.
struct Bounded {
    Vec mid, rad;
    explicit Bounded(std::size_t n = 0) : mid(n, 0.0), rad(n, 0.0) {}
    std::size_t size() const { return mid.size(); }
};

// An array of the file as the engine holds it: the file's values and the bound on each stored error.
struct Weights {
    Vec w, err;
    Weights() = default;
    Weights(const json& a, bool half) { flatten(a, half); }
    std::size_t size() const { return w.size(); }

private:
    void flatten(const json& a, bool half) {
        if (!a.is_array()) {
            w.push_back(a.get<double>());
            err.push_back(weight_error(w.back(), half));
            return;
        }
        for (const auto& v : a) flatten(v, half);
    }
};

// One float32 sum b + Σ w·x as the engine computes it (products of stored weights and float32
// inputs, summed in any order): the exact value, the radius, and Σ|terms| for the rounding.
class Sum {
public:
    void add_bias(double b, double err) {
        mid_ += b;
        rad_ += err;
        mag_ += std::fabs(b) + err;
        ++terms_;
    }
    void add(double w, double w_err, double x, double x_rad) {
        mid_ += w * x;
        const double aw = std::fabs(w) + w_err;
        rad_ += aw * x_rad + w_err * std::fabs(x);
        mag_ += aw * (std::fabs(x) + x_rad);
        ++terms_;
    }
    // Another sum's terms, summed with these in the same float32 sum (the GRU gates).
    void add_sum(const Sum& s) {
        mid_ += s.mid_;
        rad_ += s.rad_;
        mag_ += s.mag_;
        terms_ += s.terms_;
    }
    double mid() const { return mid_; }
    double mag() const { return mag_; }
    // The radius of the float32 result: every term rounded at most `terms` times (a product and
    // the additions it goes through), products below the normal range off by 2^-150 at most.
    double rad() const {
        const double n = static_cast<double>(terms_);
        return rad_ + (gamma(terms_) + n * kOwn) * mag_ + n * kUnderflow;
    }

private:
    double mid_ = 0.0, rad_ = 0.0, mag_ = 0.0;
    std::size_t terms_ = 0;
};

// a·b with radii: the exact product, its radius before rounding, and |â|·|b̂| at most.
struct Product {
    double mid, rad, mag;
    Product(double a, double a_rad, double b, double b_rad)
        : mid(a * b),
          rad(std::fabs(a) * b_rad + std::fabs(b) * a_rad + a_rad * b_rad),
          mag((std::fabs(a) + a_rad) * (std::fabs(b) + b_rad)) {}
};

// ---- activations

inline double sigmoid(double x) { return x >= 0.0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x)); }
inline double elu(double x) { return x > 0.0 ? x : std::expm1(x); }

// A monotone f through [mid − rad, mid + rad]: the exact image plus `engine(lo, hi)`, the engine's
// own error for an input whose exact image lies in [lo, hi].
template <class F, class E>
void monotone(double& mid, double& rad, F f, E engine) {
    const double lo = f(mid - rad), hi = f(mid + rad), y = f(mid);
    const double own = kOwn * 4.0 * std::max(std::fabs(lo), std::fabs(hi));
    rad = std::max(hi - y, y - lo) + engine(lo, hi) + own;
    mid = y;
}

// log Σ_{j≠k} e^(a_j) for every k, from prefix and suffix sums in the log domain: no overflow,
// no cancellation, −inf for an empty sum.
inline Vec log_sum_of_others(const Vec& a) {
    auto add = [](double x, double y) {
        if (x < y) std::swap(x, y);
        return y == -INFINITY ? x : x + std::log1p(std::exp(y - x));
    };
    const std::size_t n = a.size();
    Vec before(n + 1, -INFINITY), after(n + 1, -INFINITY), out(n);
    for (std::size_t k = 0; k < n; ++k) before[k + 1] = add(before[k], a[k]);
    for (std::size_t k = n; k-- > 0;) after[k] = add(after[k + 1], a[k]);
    for (std::size_t k = 0; k < n; ++k) out[k] = add(before[k], after[k + 1]);
    return out;
}

// Softmax of values with radii: output k lies between 1 / (1 + Σ_{j≠k} e^(x_j + r_j − x_k + r_k))
// and the same with the signs of the radii swapped. Then the engine's arithmetic on its own input:
// x_k − max rounded (relative u), exp (kExpRel, or kExpAbs below -87), the sum of n terms
// (γ_{n−1}), 1/sum and the product (u each); its sum is at least 1, the largest input giving
// e^0 = 1 exactly. Both outputs lie in [0, 1] (the engine's within 3u of it), which caps the radius.
inline void softmax(Bounded& v) {
    const std::size_t n = v.size();
    Vec up(n), down(n);
    double top = -INFINITY;
    for (std::size_t k = 0; k < n; ++k) {
        up[k] = v.mid[k] + v.rad[k];
        down[k] = v.mid[k] - v.rad[k];
        top = std::max(top, up[k]);
    }
    const Vec others_up = log_sum_of_others(up), others_down = log_sum_of_others(down);
    const Vec others = log_sum_of_others(v.mid);
    Vec rel(n);  // relative error of the engine's exp of input k
    double worst_rel = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
        rel[k] = (1.0 + kExpRel) * std::exp(kU * (top - down[k])) - 1.0;  // top − down >= max − x_k
        worst_rel = std::max(worst_rel, rel[k]);
    }
    const double sum_rel = (1.0 + worst_rel) * (1.0 + gamma(n > 1 ? n - 1 : 0)) - 1.0 +
                           static_cast<double>(n) * kExpAbs * (1.0 + gamma(n));
    const double div = (1.0 + kU) * (1.0 + kU) / (1.0 - std::min(sum_rel, 0.5));
    for (std::size_t k = 0; k < n; ++k) {
        const double lower = 1.0 / (1.0 + std::exp(others_up[k] - down[k]));
        const double upper = 1.0 / (1.0 + std::exp(others_down[k] - up[k]));
        const double y = 1.0 / (1.0 + std::exp(others[k] - v.mid[k]));
        const double engine = sum_rel < 0.5 ? upper * ((1.0 + rel[k]) * div - 1.0) + kExpAbs * div + kUnderflow : 1.0;
        const double rad = std::max(upper - y, y - lower) + engine + kOwn * 4.0 * static_cast<double>(n);
        v.rad[k] = std::min(rad, std::max(upper, 1.0 + 3.0 * kU - lower) + kOwn);
        v.mid[k] = y;
    }
}

// An activation by its file name ("" is none).
inline void activate(const std::string& name, Bounded& v) {
    if (name.empty()) return;
    if (name == "softmax") return softmax(v);
    for (std::size_t k = 0; k < v.size(); ++k) {
        double& m = v.mid[k];
        double& r = v.rad[k];
        if (name == "tanh")
            monotone(m, r, [](double x) { return std::tanh(x); },
                     [](double lo, double hi) { return kTanhRel * std::max(std::fabs(lo), std::fabs(hi)); });
        else if (name == "sigmoid")
            monotone(m, r, sigmoid, [](double, double hi) { return kSigmoidRel * hi + kSigmoidAbs; });
        else if (name == "relu")
            monotone(m, r, [](double x) { return std::max(x, 0.0); }, [](double, double) { return 0.0; });
        else if (name == "elu")
            monotone(m, r, elu, [](double lo, double) { return lo < 0.0 ? kEluAbs : 0.0; });
        else
            throw std::runtime_error("unknown activation \"" + name + "\"");
    }
}

// ---- layers

class Layer {
public:
    virtual ~Layer() = default;
    virtual void reset() {}
    virtual Bounded step(const Bounded& x) = 0;
};

inline std::string activation_of(const json& layer) { return layer.value("activation", std::string()); }

class Dense final : public Layer {
public:
    Dense(const json& layer, std::size_t in, std::size_t out, bool half)
        : in_(in), out_(out), act_(activation_of(layer)), k_(layer.at("weights").at(0), half) {
        if (layer.at("weights").size() > 1) b_ = Weights(layer.at("weights").at(1), false);
    }
    Bounded step(const Bounded& x) override {
        Bounded y(out_);
        for (std::size_t j = 0; j < out_; ++j) {
            Sum s;
            s.add_bias(b_.size() ? b_.w[j] : 0.0, b_.size() ? b_.err[j] : 0.0);
            for (std::size_t i = 0; i < in_; ++i) s.add(k_.w[i * out_ + j], k_.err[i * out_ + j], x.mid[i], x.rad[i]);
            y.mid[j] = s.mid();
            y.rad[j] = s.rad();
        }
        activate(act_, y);
        return y;
    }

private:
    std::size_t in_, out_;
    std::string act_;
    Weights k_, b_;
};

class Activation final : public Layer {
public:
    explicit Activation(const json& layer) : act_(activation_of(layer)) {}
    Bounded step(const Bounded& x) override {
        Bounded y = x;
        activate(act_, y);
        return y;
    }

private:
    std::string act_;
};

// z = x·W + h·U + b in gate blocks i, f, c, o; c = σ(f)·c + σ(i)·tanh(c̃); h = σ(o)·tanh(c).
class Lstm final : public Layer {
public:
    Lstm(const json& layer, std::size_t in, std::size_t hidden, bool half)
        : in_(in), h_size_(hidden), w_(layer.at("weights").at(0), half), u_(layer.at("weights").at(1), half),
          b_(layer.at("weights").at(2), false) {
        reset();
    }
    void reset() override { h_ = c_ = Bounded(h_size_); }
    Bounded step(const Bounded& x) override {
        const std::size_t H = h_size_, G = 4 * H;
        Bounded z(G);
        for (std::size_t g = 0; g < G; ++g) {
            Sum s;
            s.add_bias(b_.w[g], b_.err[g]);
            for (std::size_t i = 0; i < in_; ++i) s.add(w_.w[i * G + g], w_.err[i * G + g], x.mid[i], x.rad[i]);
            for (std::size_t k = 0; k < H; ++k) s.add(u_.w[k * G + g], u_.err[k * G + g], h_.mid[k], h_.rad[k]);
            z.mid[g] = s.mid();
            z.rad[g] = s.rad();
        }
        Bounded gi = part(z, 0), gf = part(z, 1), gc = part(z, 2), go = part(z, 3);
        activate("sigmoid", gi);
        activate("sigmoid", gf);
        activate("tanh", gc);
        activate("sigmoid", go);
        Bounded c(H);
        for (std::size_t k = 0; k < H; ++k) {
            const Product kept(gf.mid[k], gf.rad[k], c_.mid[k], c_.rad[k]);
            const Product added(gi.mid[k], gi.rad[k], gc.mid[k], gc.rad[k]);
            c.mid[k] = kept.mid + added.mid;
            c.rad[k] = kept.rad + added.rad + (gamma(2) + 2.0 * kOwn) * (kept.mag + added.mag) + 2.0 * kUnderflow;
        }
        Bounded t = c;
        activate("tanh", t);
        for (std::size_t k = 0; k < H; ++k) {
            const Product out(go.mid[k], go.rad[k], t.mid[k], t.rad[k]);
            h_.mid[k] = out.mid;
            // the engine's h and the exact one lie in [−1, 1]: a radius beyond that says nothing more
            h_.rad[k] = std::min(out.rad + (kU + kOwn) * out.mag + kUnderflow, 1.0 + std::fabs(out.mid) + kOwn);
        }
        c_ = c;
        return h_;
    }

private:
    Bounded part(const Bounded& z, std::size_t gate) const {
        Bounded p(h_size_);
        for (std::size_t k = 0; k < h_size_; ++k) {
            p.mid[k] = z.mid[gate * h_size_ + k];
            p.rad[k] = z.rad[gate * h_size_ + k];
        }
        return p;
    }

    std::size_t in_, h_size_;
    Weights w_, u_, b_;
    Bounded h_, c_;
};

// Gates z, r, h (Keras reset_after): z = σ(xW_z + B0_z + hU_z + B1_z), r likewise,
// h' = tanh(xW_h + B0_h + r·(hU_h + B1_h)), h = z·h + (1 − z)·h'. Weights always float32.
class Gru final : public Layer {
public:
    Gru(const json& layer, std::size_t in, std::size_t hidden)
        : in_(in), h_size_(hidden), w_(layer.at("weights").at(0), false), u_(layer.at("weights").at(1), false),
          b_(layer.at("weights").at(2), false) {
        reset();
    }
    void reset() override { h_ = Bounded(h_size_); }
    Bounded step(const Bounded& x) override {
        const std::size_t H = h_size_, G = 3 * H;
        std::vector<Sum> xs(G), hs(G);  // xW + B0 and hU + B1, each one float32 sum
        for (std::size_t g = 0; g < G; ++g) {
            xs[g].add_bias(b_.w[g], b_.err[g]);
            for (std::size_t i = 0; i < in_; ++i) xs[g].add(w_.w[i * G + g], w_.err[i * G + g], x.mid[i], x.rad[i]);
            hs[g].add_bias(b_.w[G + g], b_.err[G + g]);
            for (std::size_t k = 0; k < H; ++k) hs[g].add(u_.w[k * G + g], u_.err[k * G + g], h_.mid[k], h_.rad[k]);
        }
        Bounded z(H), r(H), cand(H);
        for (std::size_t k = 0; k < H; ++k) {
            for (std::size_t gate = 0; gate < 2; ++gate) {  // the two sums added: one float32 sum of all terms
                Sum s = xs[gate * H + k];
                s.add_sum(hs[gate * H + k]);
                (gate == 0 ? z : r).mid[k] = s.mid();
                (gate == 0 ? z : r).rad[k] = s.rad();
            }
        }
        activate("sigmoid", z);
        activate("sigmoid", r);
        for (std::size_t k = 0; k < H; ++k) {
            const Sum& xh = xs[2 * H + k];
            const Sum& hh = hs[2 * H + k];
            const double xh_rad = xh.rad(), xh_mag = xh.mag() + xh_rad;
            const Product gated(r.mid[k], r.rad[k], hh.mid(), hh.rad());
            cand.mid[k] = xh.mid() + gated.mid;
            cand.rad[k] = xh_rad + gated.rad + (gamma(2) + 2.0 * kOwn) * (xh_mag + gated.mag) + 2.0 * kUnderflow;
        }
        activate("tanh", cand);
        for (std::size_t k = 0; k < H; ++k) {
            const Product fresh(1.0 - z.mid[k], z.rad[k], cand.mid[k], cand.rad[k]);  // 1 − z rounded too
            const Product kept(z.mid[k], z.rad[k], h_.mid[k], h_.rad[k]);
            h_.mid[k] = fresh.mid + kept.mid;
            h_.rad[k] = fresh.rad + kept.rad + (gamma(3) + 3.0 * kOwn) * (fresh.mag + kept.mag) + 2.0 * kUnderflow;
        }
        return h_;
    }

private:
    std::size_t in_, h_size_;
    Weights w_, u_, b_;  // b_: B0 then B1
    Bounded h_;
};

// Causal convolution: y_o = b_o + Σ_k Σ_c W[k][c][o]·x[t − (K−1−k)·d][g·in/G + c], g = o / (out/G).
class Conv1d final : public Layer {
public:
    Conv1d(const json& layer, std::size_t in, std::size_t out)
        : in_(in), out_(out), k_(last(layer.at("kernel_size"))), d_(last(layer.at("dilation"))),
          groups_(layer.contains("groups") ? last(layer.at("groups")) : 1), act_(activation_of(layer)),
          w_(layer.at("weights").at(0), false), b_(layer.at("weights").at(1), false) {
        reset();
    }
    void reset() override { history_.assign((k_ - 1) * d_ + 1, Bounded(in_)); }
    Bounded step(const Bounded& x) override {
        history_.erase(history_.begin());
        history_.push_back(x);  // back: the current frame
        const std::size_t cg = in_ / groups_, og = out_ / groups_;
        Bounded y(out_);
        for (std::size_t o = 0; o < out_; ++o) {
            Sum s;
            s.add_bias(b_.w[o], b_.err[o]);
            for (std::size_t k = 0; k < k_; ++k) {
                const Bounded& frame = history_[history_.size() - 1 - (k_ - 1 - k) * d_];
                for (std::size_t c = 0; c < cg; ++c) {
                    const std::size_t at = (k * cg + c) * out_ + o, from = (o / og) * cg + c;
                    s.add(w_.w[at], w_.err[at], frame.mid[from], frame.rad[from]);
                }
            }
            y.mid[o] = s.mid();
            y.rad[o] = s.rad();
        }
        activate(act_, y);
        return y;
    }

private:
    static std::size_t last(const json& v) { return (v.is_array() ? v.back() : v).get<std::size_t>(); }

    std::size_t in_, out_, k_, d_, groups_;
    std::string act_;
    Weights w_, b_;
    std::vector<Bounded> history_;
};

// y = x for x >= 0, α·x below (α float32, the product rounded).
class Prelu final : public Layer {
public:
    explicit Prelu(const json& layer) : alpha_(layer.at("weights").at(0).at(0), false) {}
    Bounded step(const Bounded& x) override {
        Bounded y(x.size());
        for (std::size_t k = 0; k < x.size(); ++k) {
            const std::size_t at = alpha_.size() == 1 ? 0 : k;
            const double a = alpha_.w[at], a_err = alpha_.err[at];
            auto f = [a](double v) { return v >= 0.0 ? v : a * v; };
            const double m = x.mid[k], r = x.rad[k], fm = f(m);
            double img = std::max(std::fabs(f(m - r) - fm), std::fabs(f(m + r) - fm));
            if (m - r < 0.0 && m + r > 0.0) img = std::max(img, std::fabs(fm));  // f(0) = 0
            const double negative = std::max(0.0, r - m);  // the largest |x̂| with x̂ < 0
            y.mid[k] = fm;
            y.rad[k] = img + (a_err + kU * (std::fabs(a) + a_err)) * negative + kUnderflow + kOwn * 2.0 * std::fabs(fm);
        }
        return y;
    }

private:
    Weights alpha_;
};

// y = γ·(x − mean)/sqrt(var + ε) + β = s·x + t; the engine folds s and t in double from the float32
// arrays and rounds each to float32, then computes s·x + t in float32.
class Batchnorm final : public Layer {
public:
    explicit Batchnorm(const json& layer) {
        const json& w = layer.at("weights");
        const bool affine = w.size() == 4;
        const Weights mean(w.at(affine ? 2 : 0), false), var(w.at(affine ? 3 : 1), false);
        const Weights gamma_w = affine ? Weights(w.at(0), false) : Weights();
        const Weights beta_w = affine ? Weights(w.at(1), false) : Weights();
        const double eps = layer.at("epsilon").get<double>();
        for (std::size_t k = 0; k < mean.size(); ++k) {
            const double g = affine ? gamma_w.w[k] : 1.0, b = affine ? beta_w.w[k] : 0.0;
            const double s = g / std::sqrt(var.w[k] + eps), t = b - mean.w[k] * s;  // exact
            // the engine's inputs: the arrays as float32 (eps as the file's double), folded in double
            auto f32 = [](double v) { return static_cast<double>(static_cast<float>(v)); };
            const double s_in = (affine ? f32(g) : 1.0) / std::sqrt(f32(var.w[k]) + eps);
            const double t_in = (affine ? f32(b) : 0.0) - f32(mean.w[k]) * s_in;
            scale_.push_back(s);
            shift_.push_back(t);
            scale_err_.push_back(std::fabs(s_in - s) + (kU + 4.0 * kOwn) * std::fabs(s_in));
            shift_err_.push_back(std::fabs(t_in - t) + kU * std::fabs(t_in) +
                                 4.0 * kOwn * (std::fabs(t_in) + std::fabs(f32(mean.w[k]) * s_in)));
        }
    }
    Bounded step(const Bounded& x) override {
        Bounded y(x.size());
        for (std::size_t k = 0; k < x.size(); ++k) {
            Sum s;  // s·x + t: one product and one addition
            s.add_bias(shift_[k], shift_err_[k]);
            s.add(scale_[k], scale_err_[k], x.mid[k], x.rad[k]);
            y.mid[k] = s.mid();
            y.rad[k] = s.rad();
        }
        return y;
    }

private:
    Vec scale_, shift_, scale_err_, shift_err_;
};

// A model of the RTNeural format (the file checked by the engine's loader already), one step at a time.
class Model {
public:
    Model(const json& doc, ml5::Precision precision) {
        const bool half = precision == ml5::Precision::fp16;
        const json& shape = doc.at("in_shape");
        in_ = shape.size() == 4 ? shape[2].get<std::size_t>() * shape[3].get<std::size_t>() : shape.back().get<std::size_t>();
        std::size_t size = in_;
        for (const json& layer : doc.at("layers")) {
            const std::string type = layer.at("type").get<std::string>();
            const std::size_t out = layer.at("shape").back().get<std::size_t>();
            if (type == "dense" || type == "time-distributed-dense")
                layers_.push_back(std::make_unique<Dense>(layer, size, out, half));
            else if (type == "activation")
                layers_.push_back(std::make_unique<Activation>(layer));
            else if (type == "lstm")
                layers_.push_back(std::make_unique<Lstm>(layer, size, out, half));
            else if (type == "gru")
                layers_.push_back(std::make_unique<Gru>(layer, size, out));
            else if (type == "conv1d")
                layers_.push_back(std::make_unique<Conv1d>(layer, size, out));
            else if (type == "prelu")
                layers_.push_back(std::make_unique<Prelu>(layer));
            else if (type == "batchnorm")
                layers_.push_back(std::make_unique<Batchnorm>(layer));
            else
                throw std::runtime_error("unknown layer type \"" + type + "\"");
            size = out;
        }
    }

    std::size_t in_size() const { return in_; }
    void reset() {
        for (auto& l : layers_) l->reset();
    }
    // One step from the inputs as written (the engine reads them as float32).
    Bounded step(const Vec& inputs) {
        Bounded x(inputs.size());
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            x.mid[i] = inputs[i];
            x.rad[i] = std::fabs(static_cast<double>(static_cast<float>(inputs[i])) - inputs[i]);
        }
        for (auto& l : layers_) x = l->step(x);
        return x;
    }

private:
    std::size_t in_ = 0;
    std::vector<std::unique_ptr<Layer>> layers_;
};

}  // namespace ml5_bound
