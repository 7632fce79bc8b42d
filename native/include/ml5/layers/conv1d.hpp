// Causal streaming 1-D convolution, one frame per call:
//   y_o = b_o + Σ_k Σ_c W[k][c][o] · x_{g·in/G + c}[t − (K−1−k)·d],   g = o / (out/G).
// W[K−1] multiplies the current frame. Past frames live in a ring buffer, zero after reset().
#pragma once

#include <memory>

#include "ml5/aligned_buffer.hpp"
#include "ml5/layer.hpp"

namespace ml5 {

class Conv1D final : public Layer {
public:
    // groups must divide in_size and out_size (the loader checks; here it is a precondition).
    Conv1D(int in_size, int out_size, int kernel_size, int dilation, int groups, Activation act);

    // W[K][in/groups][out] and b[out], row-major as in the file.
    void set_weights(const float* W, const float* b) noexcept;

    const char* type() const noexcept override { return "conv1d"; }
    Activation activation() const noexcept override { return act_; }
    void forward(const float* in, float* out) noexcept override;
    // With an all-zero history only the last tap contributes.
    void forward_from_zero(const float* in, float* out) noexcept override;
    void reset() noexcept override;
    bool has_state() const noexcept override { return kernel_size_ > 1; }
    std::size_t weight_bytes() const noexcept override { return w_.bytes() + b_.bytes(); }

    int kernel_size() const noexcept { return kernel_size_; }
    int dilation() const noexcept { return dilation_; }
    int groups() const noexcept { return groups_; }

private:
    void compute(const float* const* taps, float* out) noexcept;

    int kernel_size_, dilation_, groups_;
    int in_per_group_, out_per_group_;
    Activation act_;
    std::size_t frames_;        // ring length: (K−1)·d + 1
    std::size_t frame_stride_;  // floats per stored frame
    std::size_t pos_ = 0;       // ring slot of the newest frame
    AlignedBuffer w_;           // [out][K][in/groups]: one output's taps contiguous
    AlignedBuffer b_;
    AlignedBuffer history_;     // [frames][frame_stride]
    std::unique_ptr<const float*[]> taps_;  // per-call tap pointers, allocated once
};

}  // namespace ml5
