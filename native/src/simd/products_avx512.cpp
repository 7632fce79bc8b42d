// The products for x86-64 with AVX-512F (16 lanes; 8-wide blocks use AVX2). This file is
// compiled for it; weights.cpp calls it only on a CPU that has it.
#include <immintrin.h>

// GCC 12's own _mm512_cvtph_ps reads an "undefined" vector it then overwrites: a false alarm.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "avx2.hpp"
#include "products.hpp"

namespace {

struct Avx512 {
    using reg = __m512;
    using Narrow = Avx2;
    static constexpr std::size_t kLanes = 16;
    static reg zero() noexcept { return _mm512_setzero_ps(); }
    static reg set1(float v) noexcept { return _mm512_set1_ps(v); }
    static reg load(const float* p) noexcept { return _mm512_loadu_ps(p); }
    static reg load(const std::uint16_t* p) noexcept {
        return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    }
    static reg fma(reg a, reg b, reg c) noexcept { return _mm512_fmadd_ps(a, b, c); }
    static reg add(reg a, reg b) noexcept { return _mm512_add_ps(a, b); }
    static reg mul(reg a, reg b) noexcept { return _mm512_mul_ps(a, b); }
    static reg div(reg a, reg b) noexcept { return _mm512_div_ps(a, b); }
    static reg min(reg a, reg b) noexcept { return _mm512_min_ps(a, b); }  // b when either is NaN
    static reg max(reg a, reg b) noexcept { return _mm512_max_ps(a, b); }
    static void store(float* p, reg v) noexcept { _mm512_storeu_ps(p, v); }
};

}  // namespace

namespace ml5::detail {

void gemv_avx512(const float* W, std::size_t rows, std::size_t cols, const float* x, const float* init,
                 float* y, Elementwise each_block) noexcept {
    gemv<Avx512>(W, rows, cols, x, init, y, each_block);
}
void gemv_avx512(const std::uint16_t* W, std::size_t rows, std::size_t cols, const float* x, const float* init,
                 float* y, Elementwise each_block) noexcept {
    gemv<Avx512>(W, rows, cols, x, init, y, each_block);
}
void gemm_avx512(const float* W, std::size_t rows, std::size_t cols, const float* X, std::size_t ldx,
                 std::size_t frames, const float* init, float* Y, std::size_t ldy) noexcept {
    gemm<Avx512>(W, rows, cols, X, ldx, frames, init, Y, ldy);
}
void gemm_avx512(const std::uint16_t* W, std::size_t rows, std::size_t cols, const float* X, std::size_t ldx,
                 std::size_t frames, const float* init, float* Y, std::size_t ldy) noexcept {
    gemm<Avx512>(W, rows, cols, X, ldx, frames, init, Y, ldy);
}

void tanh_avx512(float* x, std::size_t n) noexcept { tanh_all<Avx512>(x, n); }

}  // namespace ml5::detail
