// A layer's weight matrix, kept in float32 or (opt-in) half precision.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ml5/activation.hpp"
#include "ml5/aligned_buffer.hpp"

namespace ml5 {

// How a model's weight matrices are held. fp32 (the default) keeps the file's values exactly;
// fp16 rounds each weight once at load time to IEEE half precision (round to nearest even):
// half the bytes to stream per frame. Arithmetic is float32 either way; biases, activations
// and state stay float32.
enum class Precision { fp32, fp16 };

const char* to_string(Precision p) noexcept;
// "fp32" or "fp16"; throws std::invalid_argument naming the value otherwise.
Precision precision_from_string(const char* name);

// A kernel K[in][out] (y = x·K, as the RTNeural file lays it out), packed so that a product
// streams it in order: the outputs in blocks (64 wide, the last ones narrower), each block's
// weights input by input — vectorised across outputs with no horizontal sums, and for a block
// of frames each weight is read once. Sizes are fixed at construction; apply* never allocate.
class WeightMatrix {
public:
    WeightMatrix() noexcept = default;
    WeightMatrix(std::size_t in, std::size_t out, Precision precision);

    // k[i * out + o] = K[i][o], float32 (converted to the matrix's precision).
    void set(const float* k) noexcept;

    // y[o] = act(init[o] + Σ_i x[i]·K[i][o]) for o < out. init may be null (zero) or equal y; x
    // must not overlap y. An element-wise act runs on each block of outputs as soon as it is done,
    // while the next block's weights stream in; softmax runs once all are done.
    void apply(const float* x, const float* init, float* y, Activation act = Activation::None) const noexcept;

    // The same for `frames` inputs at once: row f of X (stride ldx) gives row f of Y (stride ldy).
    void apply_batch(const float* X, std::size_t ldx, std::size_t frames, const float* init, float* Y,
                     std::size_t ldy) const noexcept;

    std::size_t in() const noexcept { return in_; }
    std::size_t out() const noexcept { return out_; }
    Precision precision() const noexcept { return precision_; }
    // Bytes held, padding included.
    std::size_t bytes() const noexcept;

private:
    std::size_t in_ = 0, out_ = 0;
    Precision precision_ = Precision::fp32;
    AlignedBuffer f32_;  // fp32: the packed values
    AlignedBuffer f16_;  // fp16: the packed values as halves, two to a float slot
};

// The largest finite half: in fp16 the loader refuses a dense or LSTM weight beyond it.
inline constexpr float kHalfMax = 65504.0f;

// IEEE half-precision conversions (round to nearest even; NaN and infinities kept).
std::uint16_t float_to_half(float f) noexcept;
float half_to_float(std::uint16_t h) noexcept;

}  // namespace ml5
