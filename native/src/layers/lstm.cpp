#include "ml5/layers/lstm.hpp"

#include <vector>

#include "../kernels.hpp"

namespace ml5 {

LSTM::LSTM(int in_size, int hidden_size, Precision precision)
    : Layer(in_size, hidden_size),
      hidden_(hidden_size),
      w_ico_(static_cast<std::size_t>(in_size), 3 * static_cast<std::size_t>(hidden_size), precision),
      w_f_(static_cast<std::size_t>(in_size), static_cast<std::size_t>(hidden_size), precision),
      u_(static_cast<std::size_t>(hidden_size), 4 * static_cast<std::size_t>(hidden_size), precision),
      b_(4 * static_cast<std::size_t>(hidden_size)),
      gates_(kBatchBlock * 4 * static_cast<std::size_t>(hidden_size)),
      h_(static_cast<std::size_t>(hidden_size)),
      c_(static_cast<std::size_t>(hidden_size)) {
    const std::size_t in = static_cast<std::size_t>(in_size), h = static_cast<std::size_t>(hidden_size);
    n_params_ = in * 4 * h + h * 4 * h + 4 * h;
}

void LSTM::set_weights(const float* W, const float* U, const float* b) {
    // Load time: the columns regrouped from the file's i, f, c, o to i, c, o | f.
    const std::size_t in = static_cast<std::size_t>(in_size()), H = static_cast<std::size_t>(hidden_);
    const std::size_t from[4] = {0, 2 * H, 3 * H, H};  // where gate i, c, o, f start in the file
    std::vector<float> ico(in * 3 * H), f(in * H), u(H * 4 * H);
    for (std::size_t i = 0; i < in; ++i)
        for (std::size_t k = 0; k < H; ++k) {
            for (std::size_t g = 0; g < 3; ++g) ico[i * 3 * H + g * H + k] = W[i * 4 * H + from[g] + k];
            f[i * H + k] = W[i * 4 * H + from[3] + k];
        }
    for (std::size_t i = 0; i < H; ++i)
        for (std::size_t g = 0; g < 4; ++g)
            for (std::size_t k = 0; k < H; ++k) u[i * 4 * H + g * H + k] = U[i * 4 * H + from[g] + k];
    for (std::size_t g = 0; g < 4; ++g)
        for (std::size_t k = 0; k < H; ++k) b_[g * H + k] = b[from[g] + k];
    w_ico_.set(ico.data());
    w_f_.set(f.data());
    u_.set(u.data());
}

void LSTM::reset() noexcept {
    h_.zero();
    c_.zero();
}

// gates_ holds the pre-activations. c_prev null means a zero previous cell state (the
// forget gate is then not needed); c_out null means the new cell state is not kept.
void LSTM::finish_step(float* gates, const float* c_prev, float* c_out, float* h_out) noexcept {
    const std::size_t H = static_cast<std::size_t>(hidden_);
    float* gi = gates;
    float* gc = gi + H;
    float* go = gc + H;
    float* gf = go + H;
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
    const std::size_t H = static_cast<std::size_t>(hidden_);
    w_ico_.apply(in, b_.data(), gates_.data());
    w_f_.apply(in, b_.data() + 3 * H, gates_.data() + 3 * H);
    u_.apply(h_.data(), gates_.data(), gates_.data());
    finish_step(gates_.data(), c_.data(), c_.data(), h_.data());  // element k is read before it is written
    for (std::size_t k = 0; k < H; ++k) out[k] = h_[k];
}

void LSTM::forward_from_zero(const float* in, float* out) noexcept {
    // With c = 0 the forget gate multiplies zero: its columns are skipped, a quarter of the work.
    w_ico_.apply(in, b_.data(), gates_.data());
    finish_step(gates_.data(), nullptr, nullptr, out);
}

void LSTM::forward_batch(const float* in, std::size_t ld_in, std::size_t frames, float* out,
                         std::size_t ld_out) noexcept {
    const std::size_t G = 4 * static_cast<std::size_t>(hidden_);
    for (std::size_t f0 = 0; f0 < frames; f0 += kBatchBlock) {
        const std::size_t n = frames - f0 < kBatchBlock ? frames - f0 : kBatchBlock;
        w_ico_.apply_batch(in + f0 * ld_in, ld_in, n, b_.data(), gates_.data(), G);
        for (std::size_t f = 0; f < n; ++f) finish_step(gates_.data() + f * G, nullptr, nullptr, out + (f0 + f) * ld_out);
    }
}

}  // namespace ml5
