#include "ml5/layers/dense.hpp"

#include "../kernels.hpp"

namespace ml5 {

Dense::Dense(int in_size, int out_size, Activation act, const char* type_name)
    : Layer(in_size, out_size),
      type_name_(type_name),
      act_(act),
      stride_(padded(static_cast<std::size_t>(in_size))),
      w_(static_cast<std::size_t>(out_size) * stride_),
      b_(static_cast<std::size_t>(out_size)) {
    n_params_ = static_cast<std::size_t>(in_size) * static_cast<std::size_t>(out_size);
}

void Dense::set_kernel(const float* kernel) noexcept {
    const std::size_t in = static_cast<std::size_t>(in_size()), out = static_cast<std::size_t>(out_size());
    for (std::size_t i = 0; i < in; ++i)
        for (std::size_t o = 0; o < out; ++o) w_[o * stride_ + i] = kernel[i * out + o];
}

void Dense::set_bias(const float* bias) noexcept {
    for (int o = 0; o < out_size(); ++o) b_[static_cast<std::size_t>(o)] = bias[o];
    if (!has_bias_) n_params_ += static_cast<std::size_t>(out_size());
    has_bias_ = true;
}

void Dense::forward(const float* in, float* out) noexcept {
    detail::gemv(w_.data(), stride_, static_cast<std::size_t>(out_size()), static_cast<std::size_t>(in_size()),
                 in, b_.data(), out);
    apply_activation(act_, out, out_size());
}

}  // namespace ml5
