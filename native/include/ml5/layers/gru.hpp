// GRU cell, Keras gate order z, r, h with reset_after biases B[2][3H]:
//   z = σ(xW_z + B0_z + hU_z + B1_z), r likewise,
//   h' = tanh(xW_h + B0_h + r∘(hU_h + B1_h)),  h = z∘h + (1−z)∘h'.
#pragma once

#include "ml5/aligned_buffer.hpp"
#include "ml5/layer.hpp"

namespace ml5 {

class GRU final : public Layer {
public:
    GRU(int in_size, int hidden_size);

    // W[in][3H], U[H][3H], B[2][3H] (input bias row, then recurrent bias row), row-major.
    void set_weights(const float* W, const float* U, const float* B) noexcept;

    const char* type() const noexcept override { return "gru"; }
    void forward(const float* in, float* out) noexcept override;
    // With h = 0 the recurrent product is just its bias B1.
    void forward_from_zero(const float* in, float* out) noexcept override;
    void reset() noexcept override;
    bool has_state() const noexcept override { return true; }
    std::size_t weight_bytes() const noexcept override {
        return w_.bytes() + u_.bytes() + b0_.bytes() + b1_.bytes();
    }

private:
    void finish_step(const float* h_prev, const float* hg, float* out) noexcept;

    int hidden_;
    std::size_t w_stride_, u_stride_;
    AlignedBuffer w_;       // [3H][w_stride]
    AlignedBuffer u_;       // [3H][u_stride]
    AlignedBuffer b0_, b1_; // [3H] each
    AlignedBuffer xg_, hg_; // scratch [3H]
    AlignedBuffer h_;       // state [H]
};

}  // namespace ml5
