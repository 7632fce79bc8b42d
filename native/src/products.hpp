// The packed-matrix products behind WeightMatrix, one set per instruction set (internal header).
// W is packed as weights.cpp describes; y[r] = init[r] + Σ_c x[c]·K[c][r] for r < rows (init may
// be null or equal y); gemm does the same for `frames` rows of X (stride ldx) into Y (stride ldy).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ml5::detail {

#define ML5_PRODUCTS(isa)                                                                                       \
    void gemv_##isa(const float* W, std::size_t rows, std::size_t cols, const float* x, const float* init,      \
                    float* y) noexcept;                                                                         \
    void gemv_##isa(const std::uint16_t* W, std::size_t rows, std::size_t cols, const float* x,                 \
                    const float* init, float* y) noexcept;                                                      \
    void gemm_##isa(const float* W, std::size_t rows, std::size_t cols, const float* X, std::size_t ldx,        \
                    std::size_t frames, const float* init, float* Y, std::size_t ldy) noexcept;                 \
    void gemm_##isa(const std::uint16_t* W, std::size_t rows, std::size_t cols, const float* X,                 \
                    std::size_t ldx, std::size_t frames, const float* init, float* Y, std::size_t ldy) noexcept;

ML5_PRODUCTS(avx2)
ML5_PRODUCTS(avx512)
#undef ML5_PRODUCTS

}  // namespace ml5::detail
