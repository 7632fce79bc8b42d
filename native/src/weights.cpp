// WeightMatrix: y = init + x·K, K packed in blocks of outputs, float32 or half precision.
//
// Layout: the outputs are cut into blocks of 64, then at most one each of 32, 16 and 8, and a
// last partial block zero-padded to 8. Block b holds K[i][r_b .. r_b + width_b) for every input
// i, one input after the other, so a block is one contiguous run of memory. A product keeps a
// block's outputs in registers while every input adds its scaled slice — vectorised across
// outputs, no horizontal sums, the weights streamed in order — and for a block of frames each
// weight is loaded once and used for every frame. On x86-64 the products run with AVX-512 or
// AVX2+FMA+F16C intrinsics (simd/, chosen once at start-up; half-precision weights are widened
// with vcvtph2ps); elsewhere portable loops here compute the same sums.
#include "ml5/weights.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels.hpp"
#include "products.hpp"

namespace ml5 {

const char* to_string(Precision p) noexcept { return p == Precision::fp16 ? "fp16" : "fp32"; }

Precision precision_from_string(const char* name) {
    const std::string s = name ? name : "";
    if (s == "fp32") return Precision::fp32;
    if (s == "fp16") return Precision::fp16;
    throw std::invalid_argument("precision '" + s + "': use fp32 or fp16");
}

std::uint16_t float_to_half(float f) noexcept {
    std::uint32_t x;
    std::memcpy(&x, &f, sizeof x);
    const std::uint32_t sign = (x >> 16) & 0x8000u, a = x & 0x7fffffffu;
    if (a >= 0x7f800000u) return static_cast<std::uint16_t>(sign | (a > 0x7f800000u ? 0x7e00u : 0x7c00u));
    if (a >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // ≥ 65520 rounds to infinity
    if (a < 0x38800000u) {  // below 2^-14: a half subnormal (or zero), in units of 2^-24
        float v;
        std::memcpy(&v, &a, sizeof v);
        return static_cast<std::uint16_t>(sign | static_cast<std::uint32_t>(std::nearbyint(v * 16777216.0f)));
    }
    // normal: rebias the exponent (127 → 15) and round 23 mantissa bits to 10, ties to even;
    // a carry out of the mantissa correctly bumps the exponent
    const std::uint32_t rounded = a + 0x0fffu + ((a >> 13) & 1u);
    return static_cast<std::uint16_t>(sign | ((rounded - (112u << 23)) >> 13));
}

float half_to_float(std::uint16_t h) noexcept {
    const std::uint32_t sign = (static_cast<std::uint32_t>(h) & 0x8000u) << 16;
    const std::uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
    if (e == 0) {
        const float v = static_cast<float>(m) * 5.9604644775390625e-8f;  // m · 2^-24
        return sign ? -v : v;
    }
    const std::uint32_t bits = sign | (e == 31 ? 0x7f800000u | (m << 13) : ((e + 112u) << 23) | (m << 13));
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

namespace {

using detail::block_width;

inline float widen(float w) noexcept { return w; }
inline float widen(std::uint16_t w) noexcept { return half_to_float(w); }

// Portable: one block (width floats of init/y, of which `n` are real outputs).
template <class T>
void block_portable(const T* W, std::size_t width, std::size_t n, std::size_t cols, const float* x,
                    const float* init, float* y) noexcept {
    float acc[64];
    for (std::size_t r = 0; r < width; ++r) acc[r] = init && r < n ? init[r] : 0.0f;
    for (std::size_t c = 0; c < cols; ++c) {
        const float xc = x[c];
        const T* w = W + c * width;
        for (std::size_t r = 0; r < width; ++r) acc[r] += widen(w[r]) * xc;
    }
    for (std::size_t r = 0; r < n; ++r) y[r] = acc[r];
}

template <class T>
void gemv_portable(const T* W, std::size_t rows, std::size_t cols, const float* x, const float* init, float* y,
                   detail::Elementwise each_block = nullptr) noexcept {
    for (std::size_t r = 0; r < rows;) {
        const std::size_t width = block_width(rows, r), n = rows - r < width ? rows - r : width;
        block_portable(W, width, n, cols, x, init ? init + r : nullptr, y + r);
        if (each_block) each_block(y + r, n);
        W += width * cols;
        r += width;
    }
}

using detail::Simd;

Simd pick_simd() noexcept {
#ifdef ML5_X86_KERNELS
    __builtin_cpu_init();
#ifdef __clang__
    // clang (14 at least) cannot ask for f16c; every CPU with AVX2 and FMA has it (Intel since Ivy
    // Bridge, AMD since Piledriver, both before their first AVX2 parts)
    const bool f16c = true;
#else
    const bool f16c = __builtin_cpu_supports("f16c");
#endif
    Simd best = Simd::portable;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c)
        best = __builtin_cpu_supports("avx512f") ? Simd::avx512 : Simd::avx2;
    const char* asked = std::getenv("ML5_SIMD");
    if (asked && std::strcmp(asked, "portable") == 0) return Simd::portable;
    if (asked && std::strcmp(asked, "avx2") == 0 && best == Simd::avx512) return Simd::avx2;
    return best;
#else
    return Simd::portable;
#endif
}

const Simd kSimd = pick_simd();

template <class T>
void gemv(const T* W, std::size_t rows, std::size_t cols, const float* x, const float* init, float* y,
          detail::Elementwise each_block) noexcept {
#ifdef ML5_X86_KERNELS
    if (kSimd == Simd::avx512) return detail::gemv_avx512(W, rows, cols, x, init, y, each_block);
    if (kSimd == Simd::avx2) return detail::gemv_avx2(W, rows, cols, x, init, y, each_block);
#endif
    gemv_portable(W, rows, cols, x, init, y, each_block);
}

template <class T>
void gemm(const T* W, std::size_t rows, std::size_t cols, const float* X, std::size_t ldx, std::size_t frames,
          const float* init, float* Y, std::size_t ldy) noexcept {
#ifdef ML5_X86_KERNELS
    if (kSimd == Simd::avx512) return detail::gemm_avx512(W, rows, cols, X, ldx, frames, init, Y, ldy);
    if (kSimd == Simd::avx2) return detail::gemm_avx2(W, rows, cols, X, ldx, frames, init, Y, ldy);
#endif
    for (std::size_t f = 0; f < frames; ++f) gemv_portable(W, rows, cols, X + f * ldx, init, Y + f * ldy);
}

}  // namespace

Simd detail::simd() noexcept { return kSimd; }

WeightMatrix::WeightMatrix(std::size_t in, std::size_t out, Precision precision)
    : in_(in), out_(out), precision_(precision) {
    const std::size_t values = in * ((out + 7) / 8 * 8);
    if (precision == Precision::fp32)
        f32_ = AlignedBuffer(values);
    else
        f16_ = AlignedBuffer((values + 1) / 2);
}

void WeightMatrix::set(const float* k) noexcept {
    std::uint16_t* halves = reinterpret_cast<std::uint16_t*>(f16_.data());
    std::size_t at = 0;  // next stored value: blocks in order, inputs within a block
    for (std::size_t r = 0; r < out_;) {
        const std::size_t width = block_width(out_, r);
        for (std::size_t i = 0; i < in_; ++i)
            for (std::size_t o = r; o < r + width; ++o, ++at) {
                const float w = o < out_ ? k[i * out_ + o] : 0.0f;  // the last block's padding is zero
                if (precision_ == Precision::fp32)
                    f32_[at] = w;
                else
                    halves[at] = float_to_half(w);
            }
        r += width;
    }
}

std::size_t WeightMatrix::bytes() const noexcept { return f32_.bytes() + f16_.bytes(); }

void WeightMatrix::apply(const float* x, const float* init, float* y, Activation act) const noexcept {
    const detail::Elementwise each_block = detail::elementwise(act);
    if (precision_ == Precision::fp32)
        gemv(f32_.data(), out_, in_, x, init, y, each_block);
    else
        gemv(reinterpret_cast<const std::uint16_t*>(f16_.data()), out_, in_, x, init, y, each_block);
    if (act == Activation::Softmax) detail::softmax_inplace(y, out_);
}

void WeightMatrix::apply_batch(const float* X, std::size_t ldx, std::size_t frames, const float* init, float* Y,
                               std::size_t ldy) const noexcept {
    if (precision_ == Precision::fp32)
        gemm(f32_.data(), out_, in_, X, ldx, frames, init, Y, ldy);
    else
        gemm(reinterpret_cast<const std::uint16_t*>(f16_.data()), out_, in_, X, ldx, frames, init, Y, ldy);
}

}  // namespace ml5
