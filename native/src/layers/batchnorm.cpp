#include "ml5/layers/batchnorm.hpp"

#include <cmath>

namespace ml5 {

BatchNorm::BatchNorm(int size)
    : Layer(size, size), scale_(static_cast<std::size_t>(size)), shift_(static_cast<std::size_t>(size)) {}

bool BatchNorm::set_weights(const float* gamma, const float* beta, const float* mean, const float* var,
                            double epsilon) noexcept {
    const std::size_t n = scale_.size();
    n_params_ = (gamma ? 4 : 2) * n;
    bool finite = true;
    for (std::size_t i = 0; i < n; ++i) {
        // Folded in double so the float result is as close as one rounding allows.
        const double g = gamma ? gamma[i] : 1.0, b = beta ? beta[i] : 0.0;
        const double scale = g / std::sqrt(static_cast<double>(var[i]) + epsilon);
        const double shift = b - static_cast<double>(mean[i]) * scale;
        scale_[i] = static_cast<float>(scale);
        shift_[i] = static_cast<float>(shift);
        finite = finite && std::isfinite(scale_[i]) && std::isfinite(shift_[i]);
    }
    return finite;
}

void BatchNorm::forward(const float* in, float* out) noexcept {
    for (int i = 0; i < out_size(); ++i) {
        const std::size_t k = static_cast<std::size_t>(i);
        out[i] = scale_[k] * in[i] + shift_[k];
    }
}

}  // namespace ml5
