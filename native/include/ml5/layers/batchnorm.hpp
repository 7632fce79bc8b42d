// Batch normalisation at inference: y = gamma·(x − mean)/sqrt(var + eps) + beta,
// folded at load time into y = scale·x + shift.
#pragma once

#include "ml5/aligned_buffer.hpp"
#include "ml5/layer.hpp"

namespace ml5 {

class BatchNorm final : public Layer {
public:
    explicit BatchNorm(int size);

    // gamma and beta may be null (the [mean, var] form: gamma 1, beta 0).
    // Returns false if a folded scale or shift is not finite (e.g. var + eps <= 0).
    bool set_weights(const float* gamma, const float* beta, const float* mean, const float* var,
                     double epsilon) noexcept;

    const char* type() const noexcept override { return "batchnorm"; }
    void forward(const float* in, float* out) noexcept override;
    std::size_t weight_bytes() const noexcept override { return scale_.bytes() + shift_.bytes(); }

private:
    AlignedBuffer scale_, shift_;
};

}  // namespace ml5
