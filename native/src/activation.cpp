#include "ml5/activation.hpp"

#include <algorithm>

#include "kernels.hpp"

namespace ml5 {

const char* activation_name(Activation a) noexcept {
    switch (a) {
        case Activation::Tanh: return "tanh";
        case Activation::Relu: return "relu";
        case Activation::Sigmoid: return "sigmoid";
        case Activation::Softmax: return "softmax";
        case Activation::Elu: return "elu";
        case Activation::None: break;
    }
    return "";
}

bool parse_activation(std::string_view name, Activation& out) noexcept {
    static constexpr Activation kAll[] = {Activation::None, Activation::Tanh, Activation::Relu,
                                          Activation::Sigmoid, Activation::Softmax, Activation::Elu};
    for (Activation a : kAll) {
        if (name == activation_name(a)) {
            out = a;
            return true;
        }
    }
    return false;
}

namespace {

void softmax(float* x, int n) noexcept {
    if (n <= 0) return;
    const float m = *std::max_element(x, x + n);  // exp(x − max) <= 1: no overflow
    for (int i = 0; i < n; ++i) x[i] -= m;
    detail::exp_inplace(x, static_cast<std::size_t>(n));
    float sum = 0.0f;
    for (int i = 0; i < n; ++i) sum += x[i];
    const float inv = 1.0f / sum;  // sum >= 1 (the max contributes exp(0))
    for (int i = 0; i < n; ++i) x[i] *= inv;
}

}  // namespace

void apply_activation(Activation a, float* x, int n) noexcept {
    const std::size_t len = n > 0 ? static_cast<std::size_t>(n) : 0;
    switch (a) {
        case Activation::None: return;
        case Activation::Tanh: detail::tanh_inplace(x, len); return;
        case Activation::Relu:
            for (std::size_t i = 0; i < len; ++i) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
            return;
        case Activation::Sigmoid: detail::sigmoid_inplace(x, len); return;
        case Activation::Softmax: softmax(x, n); return;
        case Activation::Elu: detail::elu_inplace(x, len); return;
    }
}

}  // namespace ml5
