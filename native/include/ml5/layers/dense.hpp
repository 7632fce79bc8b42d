// Fully connected layer: y = act(x·K + b), K in Keras layout [in][out].
#pragma once

#include "ml5/aligned_buffer.hpp"
#include "ml5/layer.hpp"
#include "ml5/weights.hpp"

namespace ml5 {

class Dense final : public Layer {
public:
    // `type_name` is "dense" or "time-distributed-dense" (the same computation per frame).
    Dense(int in_size, int out_size, Activation act, const char* type_name = "dense",
          Precision precision = Precision::fp32);

    // kernel[i * out_size + o] = K[i][o] (file layout, kept as it is).
    void set_kernel(const float* kernel) noexcept;
    // out_size values. Without a call the bias is zero and not counted as parameters.
    void set_bias(const float* bias) noexcept;

    const char* type() const noexcept override { return type_name_; }
    Activation activation() const noexcept override { return act_; }
    void forward(const float* in, float* out) noexcept override;
    void forward_batch(const float* in, std::size_t ld_in, std::size_t frames, float* out,
                       std::size_t ld_out) noexcept override;
    std::size_t weight_bytes() const noexcept override { return w_.bytes() + b_.bytes(); }

private:
    const char* type_name_;
    Activation act_;
    WeightMatrix w_;
    AlignedBuffer b_;
    bool has_bias_ = false;
};

}  // namespace ml5
