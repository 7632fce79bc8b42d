// Fully connected layer: y = act(x·K + b), K in Keras layout [in][out].
#pragma once

#include "ml5/aligned_buffer.hpp"
#include "ml5/layer.hpp"

namespace ml5 {

class Dense final : public Layer {
public:
    // `type_name` is "dense" or "time-distributed-dense" (the same computation per frame).
    Dense(int in_size, int out_size, Activation act, const char* type_name = "dense");

    // kernel[i * out_size + o] = K[i][o] (file layout); stored transposed, out-major.
    void set_kernel(const float* kernel) noexcept;
    // out_size values. Without a call the bias is zero and not counted as parameters.
    void set_bias(const float* bias) noexcept;

    const char* type() const noexcept override { return type_name_; }
    Activation activation() const noexcept override { return act_; }
    void forward(const float* in, float* out) noexcept override;
    std::size_t weight_bytes() const noexcept override { return w_.bytes() + b_.bytes(); }

private:
    const char* type_name_;
    Activation act_;
    std::size_t stride_;  // floats per stored row: in_size rounded up to a cache line
    AlignedBuffer w_;     // [out][stride]: each output's weights contiguous for a dot product
    AlignedBuffer b_;
    bool has_bias_ = false;
};

}  // namespace ml5
