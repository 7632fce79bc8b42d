// The interface every layer implements. Sizes are fixed at construction; the only calls
// made while audio runs are forward*/reset, which never allocate, lock or throw.
#pragma once

#include <cstddef>

#include "ml5/activation.hpp"

namespace ml5 {

class Layer {
public:
    Layer(int in_size, int out_size) noexcept : in_size_(in_size), out_size_(out_size) {}
    virtual ~Layer() = default;
    Layer(const Layer&) = delete;
    Layer& operator=(const Layer&) = delete;

    int in_size() const noexcept { return in_size_; }
    int out_size() const noexcept { return out_size_; }

    // The type name as written in a model file ("dense", "lstm", ...).
    virtual const char* type() const noexcept = 0;
    // The activation the layer applies to its output (None for recurrent and weightless kinds).
    virtual Activation activation() const noexcept { return Activation::None; }

    // One time step: reads in[0..in_size), writes out[0..out_size). in and out must not overlap.
    virtual void forward(const float* in, float* out) noexcept = 0;

    // One time step from a zero state, leaving the state untouched. A layer without state
    // just runs forward(); recurrent layers skip the work that would multiply zeros.
    virtual void forward_from_zero(const float* in, float* out) noexcept { forward(in, out); }

    // `frames` independent frames, each from a zero state (row f of in, stride ld_in, gives row
    // f of out, stride ld_out; in and out must not overlap). Layers whose weights are matrices
    // read each weight once per block of frames; the default runs forward_from_zero per frame.
    // For a layer with state it leaves the state untouched.
    virtual void forward_batch(const float* in, std::size_t ld_in, std::size_t frames, float* out,
                               std::size_t ld_out) noexcept {
        for (std::size_t f = 0; f < frames; ++f) forward_from_zero(in + f * ld_in, out + f * ld_out);
    }

    // Zeroes the state (recurrent state, convolution history). No-op for stateless layers.
    virtual void reset() noexcept {}
    virtual bool has_state() const noexcept { return false; }

    // How many numbers the layer's weights hold in the model file.
    std::size_t n_params() const noexcept { return n_params_; }
    // Bytes of weights held in memory, alignment padding included (state buffers excluded).
    virtual std::size_t weight_bytes() const noexcept = 0;

protected:
    std::size_t n_params_ = 0;

private:
    int in_size_;
    int out_size_;
};

}  // namespace ml5
