// Inner loops shared by the layers (internal header).
#pragma once

#include <cstddef>

#include "ml5/activation.hpp"
#include "products.hpp"  // Elementwise

namespace ml5::detail {

// y[r] = init[r] + Σ_c W[r·ld + c]·x[c] for r < rows. init may be null (zero) or equal y.
// W rows start on cache lines (ld is padded); x and y need no particular alignment.
void gemv(const float* W, std::size_t ld, std::size_t rows, std::size_t cols, const float* x,
          const float* init, float* y) noexcept;

// Σ a[i]·b[i] for i < n.
float dot(const float* a, const float* b, std::size_t n) noexcept;

// In-place element-wise functions on x[0..n); NaN stays NaN. tanh is a rational fit
// (rational_tanh.hpp: 3.8e-7 off at most) run with the widest vectors the CPU has; the others use
// one exp approximation (relative error about 2e-7) written so the loops vectorise. Both are far
// inside the float tolerance.
void exp_inplace(float* x, std::size_t n) noexcept;
void tanh_inplace(float* x, std::size_t n) noexcept;
void sigmoid_inplace(float* x, std::size_t n) noexcept;
void elu_inplace(float* x, std::size_t n) noexcept;  // alpha 1
void relu_inplace(float* x, std::size_t n) noexcept;
// exp(x − max) / Σ: no overflow for any finite input; a NaN input makes the sum NaN.
void softmax_inplace(float* x, std::size_t n) noexcept;

// The in-place function of an element-wise activation; null for None and for softmax (which
// needs every output at once).
Elementwise elementwise(Activation a) noexcept;

}  // namespace ml5::detail
