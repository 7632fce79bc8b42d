// The packed-matrix products behind WeightMatrix, one set per instruction set (internal header).
// W is packed as weights.cpp describes; y[r] = init[r] + Σ_c x[c]·K[c][r] for r < rows (init may
// be null or equal y); gemm does the same for `frames` rows of X (stride ldx) into Y (stride ldy).
// gemv's each_block (may be null) runs on each block of outputs as soon as it is stored: an
// element-wise activation there overlaps the next block's weight loads instead of waiting for the
// whole layer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ml5::detail {

// An in-place element-wise function on y[0..n) (an activation).
using Elementwise = void (*)(float* y, std::size_t n) noexcept;

// Which kernels this CPU runs, chosen once before main (weights.cpp). ML5_SIMD=portable|avx2
// picks a narrower set (for tests and comparisons); it never picks one the CPU lacks.
enum class Simd { portable, avx2, avx512 };
Simd simd() noexcept;

namespace {  // internal linkage: each file compiled for its own instruction set keeps its own copy

// The layout of a packed matrix: the width of the block of outputs that starts at output r of
// `rows` — 64 while 64 are left, then 32, 16, 8, and a last block zero-padded to 8.
inline std::size_t block_width(std::size_t rows, std::size_t r) noexcept {
    const std::size_t left = rows - r;
    return left >= 64 ? 64 : left >= 32 ? 32 : left >= 16 ? 16 : 8;
}

}  // namespace

#define ML5_PRODUCTS(isa)                                                                                       \
    void gemv_##isa(const float* W, std::size_t rows, std::size_t cols, const float* x, const float* init,      \
                    float* y, Elementwise each_block) noexcept;                                               \
    void gemv_##isa(const std::uint16_t* W, std::size_t rows, std::size_t cols, const float* x,                 \
                    const float* init, float* y, Elementwise each_block) noexcept;                            \
    void gemm_##isa(const float* W, std::size_t rows, std::size_t cols, const float* X, std::size_t ldx,        \
                    std::size_t frames, const float* init, float* Y, std::size_t ldy) noexcept;                 \
    void gemm_##isa(const std::uint16_t* W, std::size_t rows, std::size_t cols, const float* X,                 \
                    std::size_t ldx, std::size_t frames, const float* init, float* Y, std::size_t ldy) noexcept; \
    void tanh_##isa(float* x, std::size_t n) noexcept;

ML5_PRODUCTS(avx2)
ML5_PRODUCTS(avx512)
#undef ML5_PRODUCTS

}  // namespace ml5::detail
