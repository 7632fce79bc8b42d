// The engine's tanh, written once for any vector width (internal header).
//
// tanh x ≈ x·P(x²)/Q(x²) for |x| <= 9.2, a minimax fit of the relative error made and checked by
// native/tools/fit_tanh.py: in float32 at most 3.6e-7 off, absolute and relative, for every x
// (small ones included) with fused multiply-adds (the AVX2 and AVX-512 paths), 3.8e-7 without.
// Beyond 9.2 the float result is ±1. About fifteen vector operations and one division, against
// some twenty-two for 1 − 2/(e^{2x} + 1) through exp.
#pragma once

namespace ml5::detail {

inline constexpr float kTanhClamp = 9.2f;
inline constexpr float kTanhP[] = {9.999999210e-01f, 1.291357632e-01f, 2.914398990e-03f,
                                   9.203899751e-06f, -1.257139351e-08f, 1.767997188e-11f};
inline constexpr float kTanhQ[] = {1.000000000e+00f, 4.624687200e-01f, 2.373789702e-02f, 2.271830830e-04f};

// V provides reg, set1, mul, fma(a, b, c) = a·b + c, div, and min/max with the x86 rule: when
// either operand is NaN the second is returned — so min(c, x) passes a NaN x through.
template <class V>
inline typename V::reg tanh_rational(typename V::reg x) noexcept {
    using R = typename V::reg;
    const R v = V::max(V::set1(-kTanhClamp), V::min(V::set1(kTanhClamp), x));
    const R t = V::mul(v, v);
    R p = V::set1(kTanhP[5]);
    for (int k = 4; k >= 0; --k) p = V::fma(p, t, V::set1(kTanhP[k]));
    R q = V::set1(kTanhQ[3]);
    for (int k = 2; k >= 0; --k) q = V::fma(q, t, V::set1(kTanhQ[k]));
    const R r = V::div(V::mul(v, p), q);
    return V::max(V::set1(-1.0f), V::min(V::set1(1.0f), r));  // the fit overshoots 1 by an ulp near the clamp
}

// One lane: the portable path, the same operations in the same order; a·b + c is rounded twice
// here (std::fma would be a library call on a CPU without the instruction).
struct ScalarLane {
    using reg = float;
    static float set1(float v) noexcept { return v; }
    static float mul(float a, float b) noexcept { return a * b; }
    static float fma(float a, float b, float c) noexcept { return a * b + c; }
    static float div(float a, float b) noexcept { return a / b; }
    static float min(float a, float b) noexcept { return a < b ? a : b; }
    static float max(float a, float b) noexcept { return a > b ? a : b; }
};

}  // namespace ml5::detail
