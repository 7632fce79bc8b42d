#include "ml5/activation.hpp"

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

void apply_activation(Activation a, float* x, int n) noexcept {
    const std::size_t len = n > 0 ? static_cast<std::size_t>(n) : 0;
    switch (a) {
        case Activation::None: return;
        case Activation::Tanh: detail::tanh_inplace(x, len); return;
        case Activation::Relu: detail::relu_inplace(x, len); return;
        case Activation::Sigmoid: detail::sigmoid_inplace(x, len); return;
        case Activation::Softmax: detail::softmax_inplace(x, len); return;
        case Activation::Elu: detail::elu_inplace(x, len); return;
    }
}

}  // namespace ml5
