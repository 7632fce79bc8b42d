// A weightless layer that applies one activation to the previous layer's output.
#pragma once

#include "ml5/layer.hpp"

namespace ml5 {

class ActivationLayer final : public Layer {
public:
    ActivationLayer(int size, Activation act) noexcept : Layer(size, size), act_(act) {}

    const char* type() const noexcept override { return "activation"; }
    Activation activation() const noexcept override { return act_; }
    void forward(const float* in, float* out) noexcept override;
    std::size_t weight_bytes() const noexcept override { return 0; }

private:
    Activation act_;
};

}  // namespace ml5
