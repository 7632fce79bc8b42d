// LSTM cell, gate blocks in Keras order i, f, c, o, one (summed) bias:
//   z = x·W + h·U + b;  c = σ(f)∘c + σ(i)∘tanh(c̃);  h = σ(o)∘tanh(c).
#pragma once

#include "ml5/aligned_buffer.hpp"
#include "ml5/layer.hpp"
#include "ml5/weights.hpp"

namespace ml5 {

class LSTM final : public Layer {
public:
    LSTM(int in_size, int hidden_size, Precision precision = Precision::fp32);

    // W[in][4H], U[H][4H], b[4H], flattened row-major as in the file.
    // Load time (allocates while regrouping the gates).
    void set_weights(const float* W, const float* U, const float* b);

    const char* type() const noexcept override { return "lstm"; }
    void forward(const float* in, float* out) noexcept override;
    // With h = c = 0 the recurrent product and the forget gate vanish: only the input, cell
    // and output rows of x·W + b are computed.
    void forward_from_zero(const float* in, float* out) noexcept override;
    void forward_batch(const float* in, std::size_t ld_in, std::size_t frames, float* out,
                       std::size_t ld_out) noexcept override;
    void reset() noexcept override;
    bool has_state() const noexcept override { return true; }
    std::size_t weight_bytes() const noexcept override {
        return w_ico_.bytes() + w_f_.bytes() + u_.bytes() + b_.bytes();
    }

private:
    void finish_step(float* gates, const float* c_prev, float* c_out, float* h_out) noexcept;

    // frames per block in forward_batch (its scratch is allocated with the layer)
    static constexpr std::size_t kBatchBlock = 12;

    // Gates are held in the order i, c, o, f (the file's is i, f, c, o): a step from zero needs
    // only the first three, one product over contiguous weights.
    int hidden_;
    WeightMatrix w_ico_;     // the i, c and o columns of W: [in][3H]
    WeightMatrix w_f_;       // the f columns of W: [in][H]
    WeightMatrix u_;         // U with its columns as i, c, o, f: [H][4H]
    AlignedBuffer b_;        // [4H], i, c, o, f
    AlignedBuffer gates_;    // scratch [kBatchBlock][4H]; one frame uses the first row
    AlignedBuffer h_, c_;  // state [H]
};

}  // namespace ml5
