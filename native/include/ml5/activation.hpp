// Element-wise activations shared by dense, conv1d and standalone activation layers.
#pragma once

#include <string_view>

namespace ml5 {

// The only activations the RTNeural format defines; None is the empty string.
enum class Activation { None, Tanh, Relu, Sigmoid, Softmax, Elu };

// The name as written in a model file ("" for None).
const char* activation_name(Activation a) noexcept;

// Parses a name from a model file; false for anything outside the format (e.g. "linear").
bool parse_activation(std::string_view name, Activation& out) noexcept;

// Applies `a` in place to x[0..n). Softmax subtracts the maximum first, so it never overflows.
void apply_activation(Activation a, float* x, int n) noexcept;

}  // namespace ml5
