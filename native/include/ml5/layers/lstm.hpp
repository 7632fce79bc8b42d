// LSTM cell, gate blocks in Keras order i, f, c, o, one (summed) bias:
//   z = x·W + h·U + b;  c = σ(f)∘c + σ(i)∘tanh(c̃);  h = σ(o)∘tanh(c).
#pragma once

#include "ml5/aligned_buffer.hpp"
#include "ml5/layer.hpp"

namespace ml5 {

class LSTM final : public Layer {
public:
    LSTM(int in_size, int hidden_size);

    // W[in][4H], U[H][4H], b[4H], flattened row-major as in the file.
    void set_weights(const float* W, const float* U, const float* b) noexcept;

    const char* type() const noexcept override { return "lstm"; }
    void forward(const float* in, float* out) noexcept override;
    // With h = c = 0 the recurrent product and the forget gate vanish: only the input, cell
    // and output rows of x·W + b are computed.
    void forward_from_zero(const float* in, float* out) noexcept override;
    void reset() noexcept override;
    bool has_state() const noexcept override { return true; }
    std::size_t weight_bytes() const noexcept override { return w_.bytes() + u_.bytes() + b_.bytes(); }

private:
    void finish_step(const float* c_prev, float* c_out, float* h_out) noexcept;

    int hidden_;
    std::size_t w_stride_, u_stride_;
    AlignedBuffer w_;      // [4H][w_stride]: transposed input kernel
    AlignedBuffer u_;      // [4H][u_stride]: transposed recurrent kernel
    AlignedBuffer b_;      // [4H]
    AlignedBuffer gates_;  // scratch [4H]
    AlignedBuffer h_, c_;  // state [H]
};

}  // namespace ml5
