#include "ml5/layers/activation_layer.hpp"

#include <cstring>

namespace ml5 {

void ActivationLayer::forward(const float* in, float* out) noexcept {
    std::memcpy(out, in, static_cast<std::size_t>(out_size()) * sizeof(float));
    apply_activation(act_, out, out_size());
}

}  // namespace ml5
