#include "ml5/layers/dense.hpp"

namespace ml5 {

Dense::Dense(int in_size, int out_size, Activation act, const char* type_name, Precision precision)
    : Layer(in_size, out_size),
      type_name_(type_name),
      act_(act),
      w_(static_cast<std::size_t>(in_size), static_cast<std::size_t>(out_size), precision),
      b_(static_cast<std::size_t>(out_size)) {
    n_params_ = static_cast<std::size_t>(in_size) * static_cast<std::size_t>(out_size);
}

void Dense::set_kernel(const float* kernel) noexcept { w_.set(kernel); }

void Dense::set_bias(const float* bias) noexcept {
    for (int o = 0; o < out_size(); ++o) b_[static_cast<std::size_t>(o)] = bias[o];
    if (!has_bias_) n_params_ += static_cast<std::size_t>(out_size());
    has_bias_ = true;
}

void Dense::forward(const float* in, float* out) noexcept {
    w_.apply(in, b_.data(), out, act_);  // the activation overlaps the product, block by block
}

void Dense::forward_batch(const float* in, std::size_t ld_in, std::size_t frames, float* out,
                          std::size_t ld_out) noexcept {
    w_.apply_batch(in, ld_in, frames, b_.data(), out, ld_out);
    if (act_ == Activation::Softmax) {
        for (std::size_t f = 0; f < frames; ++f) apply_activation(act_, out + f * ld_out, out_size());
    } else {  // elementwise: one pass over the rows, the padding between them included (harmless)
        apply_activation(act_, out, static_cast<int>((frames - 1) * ld_out) + out_size());
    }
}

}  // namespace ml5
