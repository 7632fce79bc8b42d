#include "ml5/layers/prelu.hpp"

namespace ml5 {

// Until set_alphas(), a single zero alpha (a plain ReLU).
PReLU::PReLU(int size) : Layer(size, size), alpha_(1), alpha_step_(0) {}

void PReLU::set_alphas(const float* alphas, int n_alphas) {
    // Keeps as many alphas as the file holds, so memory stays proportional to the file.
    alpha_ = AlignedBuffer(static_cast<std::size_t>(n_alphas));
    for (std::size_t i = 0; i < alpha_.size(); ++i) alpha_[i] = alphas[i];
    alpha_step_ = n_alphas == 1 ? 0 : 1;
    n_params_ = static_cast<std::size_t>(n_alphas);
}

void PReLU::forward(const float* in, float* out) noexcept {
    for (int i = 0; i < out_size(); ++i) {
        const float x = in[i];
        out[i] = x >= 0.0f ? x : alpha_[static_cast<std::size_t>(i) * alpha_step_] * x;
    }
}

}  // namespace ml5
