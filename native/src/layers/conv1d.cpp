#include "ml5/layers/conv1d.hpp"

#include <cstring>

#include "../kernels.hpp"

namespace ml5 {

Conv1D::Conv1D(int in_size, int out_size, int kernel_size, int dilation, int groups, Activation act)
    : Layer(in_size, out_size),
      kernel_size_(kernel_size),
      dilation_(dilation),
      groups_(groups),
      in_per_group_(in_size / groups),
      out_per_group_(out_size / groups),
      act_(act),
      frames_(static_cast<std::size_t>(kernel_size - 1) * static_cast<std::size_t>(dilation) + 1),
      frame_stride_(static_cast<std::size_t>(in_size)),  // unpadded: long histories stay small
      w_(static_cast<std::size_t>(out_size) * static_cast<std::size_t>(kernel_size) *
         static_cast<std::size_t>(in_size / groups)),
      b_(static_cast<std::size_t>(out_size)),
      history_(frames_ * frame_stride_),
      taps_(new const float*[static_cast<std::size_t>(kernel_size)]) {
    n_params_ = w_.size() + b_.size();
}

void Conv1D::set_weights(const float* W, const float* b) noexcept {
    const std::size_t K = static_cast<std::size_t>(kernel_size_), cg = static_cast<std::size_t>(in_per_group_);
    const std::size_t out = static_cast<std::size_t>(out_size());
    for (std::size_t k = 0; k < K; ++k)
        for (std::size_t c = 0; c < cg; ++c)
            for (std::size_t o = 0; o < out; ++o) w_[(o * K + k) * cg + c] = W[(k * cg + c) * out + o];
    for (std::size_t o = 0; o < out; ++o) b_[o] = b[o];
}

void Conv1D::reset() noexcept {
    history_.zero();
    pos_ = 0;
}

// taps[k] points at the input frame that kernel tap k multiplies.
void Conv1D::compute(const float* const* taps, float* out) noexcept {
    const std::size_t K = static_cast<std::size_t>(kernel_size_), cg = static_cast<std::size_t>(in_per_group_);
    for (int o = 0; o < out_size(); ++o) {
        const std::size_t offset = static_cast<std::size_t>(o / out_per_group_) * cg;
        const float* w = w_.data() + static_cast<std::size_t>(o) * K * cg;
        float s = b_[static_cast<std::size_t>(o)];
        for (std::size_t k = 0; k < K; ++k)
            if (taps[k]) s += detail::dot(w + k * cg, taps[k] + offset, cg);
        out[o] = s;
    }
    apply_activation(act_, out, out_size());
}

void Conv1D::forward(const float* in, float* out) noexcept {
    pos_ = (pos_ + 1) % frames_;
    std::memcpy(history_.data() + pos_ * frame_stride_, in, static_cast<std::size_t>(in_size()) * sizeof(float));
    const std::size_t K = static_cast<std::size_t>(kernel_size_), d = static_cast<std::size_t>(dilation_);
    for (std::size_t k = 0; k < K; ++k) {
        const std::size_t back = (K - 1 - k) * d;  // frames into the past, < frames_
        const std::size_t slot = (pos_ + frames_ - back) % frames_;
        taps_[k] = history_.data() + slot * frame_stride_;
    }
    compute(taps_.get(), out);
}

void Conv1D::forward_from_zero(const float* in, float* out) noexcept {
    const std::size_t K = static_cast<std::size_t>(kernel_size_);
    for (std::size_t k = 0; k + 1 < K; ++k) taps_[k] = nullptr;  // past frames are zero
    taps_[K - 1] = in;
    compute(taps_.get(), out);
}

}  // namespace ml5
