// Parametric ReLU: y = x if x >= 0 else alpha·x, one alpha per channel or one for all.
#pragma once

#include "ml5/aligned_buffer.hpp"
#include "ml5/layer.hpp"

namespace ml5 {

class PReLU final : public Layer {
public:
    explicit PReLU(int size);

    // n_alphas is 1 (broadcast to every channel) or size. Until then: one alpha of 0.
    // (Allocates: load time only.)
    void set_alphas(const float* alphas, int n_alphas);

    const char* type() const noexcept override { return "prelu"; }
    void forward(const float* in, float* out) noexcept override;
    std::size_t weight_bytes() const noexcept override { return alpha_.bytes(); }

private:
    AlignedBuffer alpha_;  // 1 or size values: a single alpha is not expanded
    std::size_t alpha_step_;
};

}  // namespace ml5
