#include "ml5/layers/gru.hpp"

#include "../kernels.hpp"

namespace ml5 {

GRU::GRU(int in_size, int hidden_size)
    : Layer(in_size, hidden_size),
      hidden_(hidden_size),
      w_stride_(padded(static_cast<std::size_t>(in_size))),
      u_stride_(padded(static_cast<std::size_t>(hidden_size))),
      w_(3 * static_cast<std::size_t>(hidden_size) * w_stride_),
      u_(3 * static_cast<std::size_t>(hidden_size) * u_stride_),
      b0_(3 * static_cast<std::size_t>(hidden_size)),
      b1_(3 * static_cast<std::size_t>(hidden_size)),
      xg_(3 * static_cast<std::size_t>(hidden_size)),
      hg_(3 * static_cast<std::size_t>(hidden_size)),
      h_(static_cast<std::size_t>(hidden_size)) {
    const std::size_t in = static_cast<std::size_t>(in_size), h = static_cast<std::size_t>(hidden_size);
    n_params_ = in * 3 * h + h * 3 * h + 2 * 3 * h;
}

void GRU::set_weights(const float* W, const float* U, const float* B) noexcept {
    const std::size_t in = static_cast<std::size_t>(in_size()), g = 3 * static_cast<std::size_t>(hidden_);
    for (std::size_t i = 0; i < in; ++i)
        for (std::size_t j = 0; j < g; ++j) w_[j * w_stride_ + i] = W[i * g + j];
    for (std::size_t i = 0; i < static_cast<std::size_t>(hidden_); ++i)
        for (std::size_t j = 0; j < g; ++j) u_[j * u_stride_ + i] = U[i * g + j];
    for (std::size_t j = 0; j < g; ++j) {
        b0_[j] = B[j];
        b1_[j] = B[g + j];
    }
}

void GRU::reset() noexcept { h_.zero(); }

// xg_ = xW + B0 and hg = hU + B1 are ready; h_prev is null when the previous state is zero.
// out may be h_prev (element k is read before it is written).
void GRU::finish_step(const float* h_prev, const float* hg, float* out) noexcept {
    const std::size_t H = static_cast<std::size_t>(hidden_);
    float* x = xg_.data();
    for (std::size_t k = 0; k < 2 * H; ++k) x[k] += hg[k];  // z and r pre-activations
    detail::sigmoid_inplace(x, 2 * H);
    for (std::size_t k = 0; k < H; ++k) x[2 * H + k] += x[H + k] * hg[2 * H + k];  // + r∘(hU_h + B1_h)
    detail::tanh_inplace(x + 2 * H, H);
    for (std::size_t k = 0; k < H; ++k) {
        const float z = x[k];
        out[k] = (1.0f - z) * x[2 * H + k] + (h_prev ? z * h_prev[k] : 0.0f);
    }
}

void GRU::forward(const float* in, float* out) noexcept {
    const std::size_t g = 3 * static_cast<std::size_t>(hidden_);
    detail::gemv(w_.data(), w_stride_, g, static_cast<std::size_t>(in_size()), in, b0_.data(), xg_.data());
    detail::gemv(u_.data(), u_stride_, g, static_cast<std::size_t>(hidden_), h_.data(), b1_.data(), hg_.data());
    finish_step(h_.data(), hg_.data(), h_.data());  // element k reads h_prev[k] before writing it
    for (int k = 0; k < hidden_; ++k) out[k] = h_[static_cast<std::size_t>(k)];
}

void GRU::forward_from_zero(const float* in, float* out) noexcept {
    const std::size_t g = 3 * static_cast<std::size_t>(hidden_);
    detail::gemv(w_.data(), w_stride_, g, static_cast<std::size_t>(in_size()), in, b0_.data(), xg_.data());
    finish_step(nullptr, b1_.data(), out);
}

}  // namespace ml5
