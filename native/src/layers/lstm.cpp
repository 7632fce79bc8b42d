#include "ml5/layers/lstm.hpp"

#include "../kernels.hpp"

namespace ml5 {

LSTM::LSTM(int in_size, int hidden_size)
    : Layer(in_size, hidden_size),
      hidden_(hidden_size),
      w_stride_(padded(static_cast<std::size_t>(in_size))),
      u_stride_(padded(static_cast<std::size_t>(hidden_size))),
      w_(4 * static_cast<std::size_t>(hidden_size) * w_stride_),
      u_(4 * static_cast<std::size_t>(hidden_size) * u_stride_),
      b_(4 * static_cast<std::size_t>(hidden_size)),
      gates_(4 * static_cast<std::size_t>(hidden_size)),
      h_(static_cast<std::size_t>(hidden_size)),
      c_(static_cast<std::size_t>(hidden_size)) {
    const std::size_t in = static_cast<std::size_t>(in_size), h = static_cast<std::size_t>(hidden_size);
    n_params_ = in * 4 * h + h * 4 * h + 4 * h;
}

void LSTM::set_weights(const float* W, const float* U, const float* b) noexcept {
    const std::size_t in = static_cast<std::size_t>(in_size()), g = 4 * static_cast<std::size_t>(hidden_);
    for (std::size_t i = 0; i < in; ++i)
        for (std::size_t j = 0; j < g; ++j) w_[j * w_stride_ + i] = W[i * g + j];
    for (std::size_t i = 0; i < static_cast<std::size_t>(hidden_); ++i)
        for (std::size_t j = 0; j < g; ++j) u_[j * u_stride_ + i] = U[i * g + j];
    for (std::size_t j = 0; j < g; ++j) b_[j] = b[j];
}

void LSTM::reset() noexcept {
    h_.zero();
    c_.zero();
}

// gates_ holds the pre-activations. c_prev null means a zero previous cell state (the
// forget gate is then not needed); c_out null means the new cell state is not kept.
void LSTM::finish_step(const float* c_prev, float* c_out, float* h_out) noexcept {
    const std::size_t H = static_cast<std::size_t>(hidden_);
    float* gi = gates_.data();
    float* gf = gi + H;
    float* gc = gf + H;
    float* go = gc + H;
    // Whole blocks at a time, so the activation loops vectorise.
    detail::sigmoid_inplace(gi, H);
    if (c_prev) detail::sigmoid_inplace(gf, H);
    detail::tanh_inplace(gc, H);
    detail::sigmoid_inplace(go, H);
    for (std::size_t k = 0; k < H; ++k) {
        const float c = gi[k] * gc[k] + (c_prev ? gf[k] * c_prev[k] : 0.0f);
        if (c_out) c_out[k] = c;
        gc[k] = c;  // gc is free now: keep c there for tanh
    }
    detail::tanh_inplace(gc, H);
    for (std::size_t k = 0; k < H; ++k) h_out[k] = go[k] * gc[k];
}

void LSTM::forward(const float* in, float* out) noexcept {
    const std::size_t g = 4 * static_cast<std::size_t>(hidden_);
    detail::gemv(w_.data(), w_stride_, g, static_cast<std::size_t>(in_size()), in, b_.data(), gates_.data());
    detail::gemv(u_.data(), u_stride_, g, static_cast<std::size_t>(hidden_), h_.data(), gates_.data(),
                 gates_.data());
    finish_step(c_.data(), c_.data(), h_.data());  // element k is read before it is written
    for (int k = 0; k < hidden_; ++k) out[k] = h_[static_cast<std::size_t>(k)];
}

void LSTM::forward_from_zero(const float* in, float* out) noexcept {
    // With c = 0 the forget gate multiplies zero: its rows are skipped, a quarter of the work.
    const std::size_t H = static_cast<std::size_t>(hidden_), n = static_cast<std::size_t>(in_size());
    detail::gemv(w_.data(), w_stride_, H, n, in, b_.data(), gates_.data());  // input gate
    detail::gemv(w_.data() + 2 * H * w_stride_, w_stride_, 2 * H, n, in, b_.data() + 2 * H,
                 gates_.data() + 2 * H);  // cell candidate and output gate
    finish_step(nullptr, nullptr, out);
}

}  // namespace ml5
