#include "kernels.hpp"

#include "products.hpp"
#include "rational_tanh.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

// The reductions below are vectorised through `omp simd` (compiled with -fopenmp-simd: no
// OpenMP runtime), which allows reordering the sum without -ffast-math for the whole build.
// ML5_MULTIVERSION adds AVX-512 and AVX2/FMA clones chosen at run time, so one binary runs
// everywhere. A clone can inline the helpers below only if the build's baseline instruction set is
// a subset of the clone's; a host that builds for its own CPU (-march=native, -march=haswell, even
// -march=westmere) breaks that, and every element would become a function call (2.6x slower). So
// the clones are made only from a baseline within x86-64-v2: no AVX (a host asking for AVX or
// later chose its instruction set) and none of the extensions outside x86-64-v3 that -march
// settings add. Otherwise the loops are compiled for the host's choice alone.
#if defined(__AVX__) || defined(__AES__) || defined(__PCLMUL__) || defined(__RDRND__) || defined(__PRFCHW__) || \
    defined(__SHA__) || defined(__RDSEED__) || defined(__FSGSBASE__) || defined(__CLFLUSHOPT__) ||             \
    defined(__XSAVEOPT__) || defined(__XSAVEC__) || defined(__XSAVES__)
#define ML5_HOST_CHOSE_ISA 1
#endif
#if defined(ML5_MULTIVERSION) && defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    !defined(ML5_HOST_CHOSE_ISA)
#define ML5_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define ML5_CLONES
#endif

namespace ml5::detail {

ML5_CLONES
float dot(const float* a, const float* b, std::size_t n) noexcept {
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
}

ML5_CLONES
void gemv(const float* W, std::size_t ld, std::size_t rows, std::size_t cols, const float* x,
          const float* init, float* y) noexcept {
    std::size_t r = 0;
    // Four rows at a time: each load of x feeds four products.
    for (; r + 4 <= rows; r += 4) {
        const float* w0 = W + r * ld;
        const float* w1 = w0 + ld;
        const float* w2 = w1 + ld;
        const float* w3 = w2 + ld;
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
        for (std::size_t c = 0; c < cols; ++c) {
            const float xc = x[c];
            s0 += w0[c] * xc;
            s1 += w1[c] * xc;
            s2 += w2[c] * xc;
            s3 += w3[c] * xc;
        }
        const float b0 = init ? init[r] : 0.0f, b1 = init ? init[r + 1] : 0.0f;
        const float b2 = init ? init[r + 2] : 0.0f, b3 = init ? init[r + 3] : 0.0f;
        y[r] = b0 + s0;
        y[r + 1] = b1 + s1;
        y[r + 2] = b2 + s2;
        y[r + 3] = b3 + s3;
    }
    for (; r < rows; ++r) {
        float s = 0.0f;
        const float* w = W + r * ld;
#pragma omp simd reduction(+ : s)
        for (std::size_t c = 0; c < cols; ++c) s += w[c] * x[c];
        y[r] = (init ? init[r] : 0.0f) + s;
    }
}

namespace {

// e^x for x in [-87, 88] (no NaN): 2^n · p(r), x = n·ln2 + r, |r| <= ln2/2, p the degree-6
// Taylor polynomial. Branch-free so that loops around it vectorise.
inline float exp_core(float x) noexcept {
    // Round x·log2(e) to the nearest integer with the 1.5·2^23 trick (no libm call).
    const float shifter = 12582912.0f;
    const float n = (x * 1.44269504f + shifter) - shifter;
    const float r = (x - n * 0.693145752f) - n * 1.42860677e-6f;  // ln 2 split in two for precision
    float p = 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;  // 2^n, n in [-126, 127]
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

// e^x for any x: out-of-range x saturates (NaN → e^-87; callers restore NaN).
inline float exp_approx(float x) noexcept {
    x = x > -87.0f ? x : -87.0f;  // also maps NaN to -87
    x = x < 88.0f ? x : 88.0f;
    return exp_core(x);
}

inline float nan_to(float x, float value) noexcept { return x != x ? x : value; }

}  // namespace

ML5_CLONES
void exp_inplace(float* x, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) x[i] = nan_to(x[i], exp_approx(x[i]));
}

void tanh_inplace(float* x, std::size_t n) noexcept {
#ifdef ML5_X86_KERNELS
    if (simd() == Simd::avx512) return tanh_avx512(x, n);
    if (simd() == Simd::avx2) return tanh_avx2(x, n);
#endif
    for (std::size_t i = 0; i < n; ++i) x[i] = tanh_rational<ScalarLane>(x[i]);
}

ML5_CLONES
void sigmoid_inplace(float* x, std::size_t n) noexcept {
    // With e = e^{-|x|} in (0, 1]: 1/(1 + e) for x >= 0, e/(1 + e) below, so neither side
    // overflows or loses its relative precision. |x| is capped at 87, where e^{-|x|} is still normal.
    for (std::size_t i = 0; i < n; ++i) {
        const float a = std::fabs(x[i]);
        const float e = exp_core(-(a < 87.0f ? a : 87.0f));  // NaN → 87
        x[i] = nan_to(x[i], (x[i] < 0.0f ? e : 1.0f) / (1.0f + e));
    }
}

ML5_CLONES
void relu_inplace(float* x, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

ML5_CLONES
void softmax_inplace(float* x, std::size_t n) noexcept {
    if (n == 0) return;
    float m = x[0];
#pragma omp simd reduction(max : m)
    for (std::size_t i = 0; i < n; ++i) m = x[i] > m ? x[i] : m;  // exp(x − max) <= 1: no overflow
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (std::size_t i = 0; i < n; ++i) {
        const float e = nan_to(x[i], exp_approx(x[i] - m));
        x[i] = e;
        sum += e;
    }
    const float inv = 1.0f / sum;  // sum >= 1 (the max contributes exp(0))
    for (std::size_t i = 0; i < n; ++i) x[i] *= inv;
}

ML5_CLONES
void elu_inplace(float* x, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) x[i] = x[i] > 0.0f ? x[i] : nan_to(x[i], exp_approx(x[i]) - 1.0f);
}

}  // namespace ml5::detail
