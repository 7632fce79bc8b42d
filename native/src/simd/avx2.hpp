// The 8-lane vector type of the product kernels: AVX2 with FMA, F16C for half precision.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace {

struct Avx2 {
    using reg = __m256;
    using Narrow = Avx2;
    static constexpr std::size_t kLanes = 8;
    static reg zero() noexcept { return _mm256_setzero_ps(); }
    static reg set1(float v) noexcept { return _mm256_set1_ps(v); }
    static reg load(const float* p) noexcept { return _mm256_loadu_ps(p); }
    static reg load(const std::uint16_t* p) noexcept {
        return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    }
    static reg fma(reg a, reg b, reg c) noexcept { return _mm256_fmadd_ps(a, b, c); }
    static reg add(reg a, reg b) noexcept { return _mm256_add_ps(a, b); }
    static reg mul(reg a, reg b) noexcept { return _mm256_mul_ps(a, b); }
    static reg div(reg a, reg b) noexcept { return _mm256_div_ps(a, b); }
    static reg min(reg a, reg b) noexcept { return _mm256_min_ps(a, b); }  // b when either is NaN
    static reg max(reg a, reg b) noexcept { return _mm256_max_ps(a, b); }
    static void store(float* p, reg v) noexcept { _mm256_storeu_ps(p, v); }
};

}  // namespace
