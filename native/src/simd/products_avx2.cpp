// The products for x86-64 with AVX2, FMA and F16C (this file is compiled for them; weights.cpp
// calls it only on a CPU that has them).
#include "avx2.hpp"
#include "products.hpp"

namespace ml5::detail {

void gemv_avx2(const float* W, std::size_t rows, std::size_t cols, const float* x, const float* init,
               float* y, Elementwise each_block) noexcept {
    gemv<Avx2>(W, rows, cols, x, init, y, each_block);
}
void gemv_avx2(const std::uint16_t* W, std::size_t rows, std::size_t cols, const float* x, const float* init,
               float* y, Elementwise each_block) noexcept {
    gemv<Avx2>(W, rows, cols, x, init, y, each_block);
}
void gemm_avx2(const float* W, std::size_t rows, std::size_t cols, const float* X, std::size_t ldx, std::size_t frames,
               const float* init, float* Y, std::size_t ldy) noexcept {
    gemm<Avx2>(W, rows, cols, X, ldx, frames, init, Y, ldy);
}
void gemm_avx2(const std::uint16_t* W, std::size_t rows, std::size_t cols, const float* X, std::size_t ldx,
               std::size_t frames, const float* init, float* Y, std::size_t ldy) noexcept {
    gemm<Avx2>(W, rows, cols, X, ldx, frames, init, Y, ldy);
}

void tanh_avx2(float* x, std::size_t n) noexcept { tanh_all<Avx2>(x, n); }

}  // namespace ml5::detail
