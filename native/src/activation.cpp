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
    if (a == Activation::Softmax) return detail::softmax_inplace(x, len);
    if (const auto f = detail::elementwise(a)) f(x, len);
}

namespace detail {

Elementwise elementwise(Activation a) noexcept {
    switch (a) {
        case Activation::Tanh: return tanh_inplace;
        case Activation::Relu: return relu_inplace;
        case Activation::Sigmoid: return sigmoid_inplace;
        case Activation::Elu: return elu_inplace;
        case Activation::None:
        case Activation::Softmax: break;
    }
    return nullptr;
}

}  // namespace detail

}  // namespace ml5
