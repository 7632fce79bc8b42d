// The engine's activations against the exact functions, input by input over float32: the
// constants of error_bound.hpp (kTanhRel, kSigmoidRel, kEluAbs, kExpRel) come from here. Also
// checks what the bound assumes of fp16's weights: each rounds to half within half an ulp.
// Usage: ml5rt_activation_error [--stride N]   every Nth float32 bit pattern of each sign
//        (default 1: every float32; the ctests take a sample, the full sweep takes minutes).
// Prints the largest errors and fails if one exceeds the constant the error bound uses.
// ML5_SIMD=portable|avx2 picks the tanh kernel as it does for the engine (the exp-based ones are
// chosen by the CPU alone).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "../src/kernels.hpp"  // the engine's element-wise kernels, exp included
#include "error_bound.hpp"
#include "ml5/weights.hpp"

namespace {

struct Worst {
    double error = 0.0;
    float at = 0.0f;
    void see(double e, float x) {
        if (e > error) error = e, at = x;
    }
};

float from_bits(std::uint32_t b) {
    float f;
    std::memcpy(&f, &b, sizeof f);
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint32_t stride = 1;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--stride") stride = static_cast<std::uint32_t>(std::stoul(argv[++i]));
    using namespace ml5_bound;
    Worst tanh_rel, sigmoid_rel, sigmoid_abs, elu_abs, exp_rel, exp_abs, half_excess;
    std::size_t seen = 0;
    constexpr std::size_t kChunk = 1 << 16;
    std::vector<float> x(kChunk), t(kChunk), s(kChunk), e(kChunk), p(kChunk);
    // both signs of every stride-th magnitude below infinity
    for (std::uint64_t b = 0; b < 0x7f800000u;) {
        std::size_t n = 0;
        for (; b < 0x7f800000u && n + 2 <= kChunk; b += stride) {
            x[n++] = from_bits(static_cast<std::uint32_t>(b));
            x[n++] = -from_bits(static_cast<std::uint32_t>(b));
        }
        t.assign(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(n));
        s = t, e = t, p = t;
        ml5::detail::tanh_inplace(t.data(), n);
        ml5::detail::sigmoid_inplace(s.data(), n);
        ml5::detail::elu_inplace(e.data(), n);
        ml5::detail::exp_inplace(p.data(), n);
        for (std::size_t i = 0; i < n; ++i) {
            const double v = x[i];
            const double th = std::tanh(v);
            if (v != 0.0) tanh_rel.see(std::fabs(t[i] - th) / std::fabs(th), x[i]);
            else if (t[i] != 0.0f) tanh_rel.see(1.0, x[i]);
            const double sg_exact = v < 0.0 ? std::exp(v) / (1.0 + std::exp(v)) : 1.0 / (1.0 + std::exp(-v));
            if (sg_exact > 0x1p-100) sigmoid_rel.see(std::fabs(s[i] - sg_exact) / sg_exact, x[i]);
            else sigmoid_abs.see(std::fabs(s[i] - sg_exact), x[i]);
            if (v < 0.0) elu_abs.see(std::fabs(e[i] - std::expm1(v)), x[i]);
            if (std::fabs(v) <= kHalfMax) {  // the stored weight against the bound's δ(w)
                const double h = ml5::half_to_float(ml5::float_to_half(x[i]));
                half_excess.see(std::max(0.0, std::fabs(h - v) - weight_error(v, true)), x[i]);
            }
            if (v <= 0.0) {
                const double ex = std::exp(v);
                if (v >= -87.0) exp_rel.see(std::fabs(p[i] - ex) / ex, x[i]);
                else exp_abs.see(std::fabs(p[i] - ex), x[i]);
            }
        }
        seen += n;
    }
    std::printf("%zu float32 inputs (every %u-th bit pattern of each sign)\n", seen, stride);
    bool ok = true;
    auto report = [&](const char* what, const Worst& w, double limit) {
        const bool within = w.error <= limit;
        ok = ok && within;
        std::printf("%-38s %.4g at x = %.9g (limit %.4g)%s\n", what, w.error, static_cast<double>(w.at), limit,
                    within ? "" : "  EXCEEDED");
    };
    report("tanh, relative", tanh_rel, kTanhRel);
    report("sigmoid, relative (sigmoid > 2^-100)", sigmoid_rel, kSigmoidRel);
    report("sigmoid, absolute (sigmoid <= 2^-100)", sigmoid_abs, kSigmoidAbs);
    report("elu (x < 0), absolute", elu_abs, kEluAbs);
    report("exp (-87 <= x <= 0), relative", exp_rel, kExpRel);
    report("exp (x < -87), absolute", exp_abs, kExpAbs);
    report("half rounding beyond half an ulp", half_excess, 0.0);
    return ok ? 0 : 1;
}
