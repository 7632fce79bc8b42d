// The packed-matrix products of WeightMatrix (see weights.cpp for the layout), written once over
// a vector type S and included by one source file per instruction set, each compiled for it:
// products_avx2.cpp (AVX2, FMA, F16C) and products_avx512.cpp (AVX-512F). Only intrinsics and
// this file's own functions, all internal to the including file, appear here, so no code built
// for one instruction set can be picked up by another part of the library.
//
// S provides: reg, kLanes, zero(), set1(float), load(const float*), load(const uint16_t*) (a
// half-precision vector widened to float), fma(a, b, c) = a·b + c, add, store(float*, reg); and
// Narrow, the 8-lane type used for 8-wide blocks.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../products.hpp"  // block_width: the packed layout
#include "../rational_tanh.hpp"

namespace {

// One block of V·lanes outputs of one frame; U interleaved inputs keep 8 FMA chains in flight.
template <class S, int V, int U, class T>
inline void block_gemv(const T* W, std::size_t cols, const float* x, const float* init, float* y) noexcept {
    constexpr std::size_t kWidth = static_cast<std::size_t>(V) * S::kLanes;
    typename S::reg acc[U][V];
    for (int v = 0; v < V; ++v) {
        acc[0][v] = init ? S::load(init + v * S::kLanes) : S::zero();
        for (int u = 1; u < U; ++u) acc[u][v] = S::zero();
    }
    std::size_t c = 0;
    for (; c + U <= cols; c += U) {
        for (int u = 0; u < U; ++u) {
            const typename S::reg xc = S::set1(x[c + u]);
            const T* w = W + (c + u) * kWidth;
            for (int v = 0; v < V; ++v) acc[u][v] = S::fma(S::load(w + v * S::kLanes), xc, acc[u][v]);
        }
    }
    for (; c < cols; ++c) {
        const typename S::reg xc = S::set1(x[c]);
        for (int v = 0; v < V; ++v) acc[0][v] = S::fma(S::load(W + c * kWidth + v * S::kLanes), xc, acc[0][v]);
    }
    for (int v = 0; v < V; ++v) {
        for (int u = 1; u < U; ++u) acc[0][v] = S::add(acc[0][v], acc[u][v]);
        S::store(y + v * S::kLanes, acc[0][v]);
    }
}

// A block `Width` wide with the widest vectors that fit it.
template <class S, int Width, class T>
inline void block(const T* W, std::size_t cols, const float* x, const float* init, float* y) noexcept {
    if constexpr (Width < S::kLanes) {
        block<typename S::Narrow, Width>(W, cols, x, init, y);
    } else {
        constexpr int V = Width / S::kLanes;
        // accumulators in flight. AVX-512: 4 (one per vector of a 64-wide block) measured a little
        // ahead of 8 and 5-8% ahead of 16 — streaming the weights, not the FMA latency, is the
        // limit. AVX2: 8, to cover the FMA latency.
        constexpr int kChains = S::kLanes == 16 ? 4 : 8;
        block_gemv<S, V, (V >= kChains ? 1 : kChains / V)>(W, cols, x, init, y);
    }
}

template <class S, class T>
void gemv(const T* W, std::size_t rows, std::size_t cols, const float* x, const float* init, float* y,
          ml5::detail::Elementwise each_block) noexcept {
    for (std::size_t r = 0; r < rows;) {
        const std::size_t width = ml5::detail::block_width(rows, r);
        const float* b = init ? init + r : nullptr;
        switch (rows - r < width ? 0 : width) {
            case 64: block<S, 64>(W, cols, x, b, y + r); break;
            case 32: block<S, 32>(W, cols, x, b, y + r); break;
            case 16: block<S, 16>(W, cols, x, b, y + r); break;
            case 8: block<S, 8>(W, cols, x, b, y + r); break;
            default: {  // the zero-padded last block, through a copy: nothing past rows is touched
                alignas(64) float padded_init[8] = {}, out[8];
                for (std::size_t k = 0; k < rows - r; ++k) padded_init[k] = b ? b[k] : 0.0f;
                block<S, 8>(W, cols, x, padded_init, out);
                for (std::size_t k = 0; k < rows - r; ++k) y[r + k] = out[k];
            }
        }
        if (each_block) each_block(y + r, rows - r < width ? rows - r : width);
        W += width * cols;
        r += width;
    }
}

// V·lanes outputs of F frames, from a block stored `width` wide: each weight vector is loaded
// once and used for every frame.
template <class S, int V, int F, class T>
inline void slice_gemm(const T* W, std::size_t width, std::size_t cols, const float* X, std::size_t ldx,
                       const float* init, float* Y, std::size_t ldy) noexcept {
    typename S::reg acc[F][V];
    for (int v = 0; v < V; ++v) {
        const typename S::reg b = init ? S::load(init + v * S::kLanes) : S::zero();
        for (int f = 0; f < F; ++f) acc[f][v] = b;
    }
    for (std::size_t c = 0; c < cols; ++c) {
        typename S::reg w[V];
        for (int v = 0; v < V; ++v) w[v] = S::load(W + c * width + v * S::kLanes);
        for (int f = 0; f < F; ++f) {
            const typename S::reg xc = S::set1(X[static_cast<std::size_t>(f) * ldx + c]);
            for (int v = 0; v < V; ++v) acc[f][v] = S::fma(w[v], xc, acc[f][v]);
        }
    }
    for (int f = 0; f < F; ++f)
        for (int v = 0; v < V; ++v) S::store(Y + static_cast<std::size_t>(f) * ldy + v * S::kLanes, acc[f][v]);
}

// Frames per tile: as many accumulators as the registers allow beside the weights (AVX-512 has
// 32 registers: 4 × 6 accumulators; AVX2 has 16: 2 × 4).
template <class S, int V>
constexpr int kTileFrames = (S::kLanes == 16 && V == 4) ? 6 : 4;

template <class S, int V, int F, class T>
void tail_frames(std::size_t left, const T* W, std::size_t width, std::size_t cols, const float* X, std::size_t ldx,
                 const float* init, float* Y, std::size_t ldy) noexcept {
    if constexpr (F > 0) {
        if (left == F) return slice_gemm<S, V, F>(W, width, cols, X, ldx, init, Y, ldy);
        tail_frames<S, V, F - 1>(left, W, width, cols, X, ldx, init, Y, ldy);
    }
}

template <class S, int V, class T>
void slice_frames(const T* W, std::size_t width, std::size_t cols, const float* X, std::size_t ldx,
                  std::size_t frames, const float* init, float* Y, std::size_t ldy) noexcept {
    constexpr std::size_t F = kTileFrames<S, V>;
    std::size_t f = 0;
    for (; f + F <= frames; f += F)
        slice_gemm<S, V, static_cast<int>(F)>(W, width, cols, X + f * ldx, ldx, init, Y + f * ldy, ldy);
    tail_frames<S, V, static_cast<int>(F) - 1>(frames - f, W, width, cols, X + f * ldx, ldx, init, Y + f * ldy, ldy);
}

// All frames through one full block: slices of four vectors (AVX-512), two, one, then a narrow one.
template <class S, class T>
void block_frames(const T* W, std::size_t width, std::size_t cols, const float* X, std::size_t ldx,
                  std::size_t frames, const float* init, float* Y, std::size_t ldy) noexcept {
    std::size_t k = 0;
    auto at = [&](std::size_t o) { return init ? init + o : nullptr; };
    if constexpr (S::kLanes == 16) {  // a whole 64-wide block at once: 4 × 6 accumulators
        for (; k + 4 * S::kLanes <= width; k += 4 * S::kLanes)
            slice_frames<S, 4>(W + k, width, cols, X, ldx, frames, at(k), Y + k, ldy);
    }
    for (; k + 2 * S::kLanes <= width; k += 2 * S::kLanes)
        slice_frames<S, 2>(W + k, width, cols, X, ldx, frames, at(k), Y + k, ldy);
    for (; k + S::kLanes <= width; k += S::kLanes)
        slice_frames<S, 1>(W + k, width, cols, X, ldx, frames, at(k), Y + k, ldy);
    if constexpr (S::kLanes > 8) {
        for (; k < width; k += 8)
            slice_frames<typename S::Narrow, 1>(W + k, width, cols, X, ldx, frames, at(k), Y + k, ldy);
    }
}

template <class S, class T>
void gemm(const T* W, std::size_t rows, std::size_t cols, const float* X, std::size_t ldx, std::size_t frames,
          const float* init, float* Y, std::size_t ldy) noexcept {
    for (std::size_t r = 0; r < rows;) {
        const std::size_t width = ml5::detail::block_width(rows, r);
        if (rows - r >= width) {
            block_frames<S>(W, width, cols, X, ldx, frames, init ? init + r : nullptr, Y + r, ldy);
        } else {  // the zero-padded last block, frame by frame through the one-frame path
            for (std::size_t f = 0; f < frames; ++f)
                gemv<S>(W, rows - r, cols, X + f * ldx, init ? init + r : nullptr, Y + f * ldy + r, nullptr);
        }
        W += width * cols;
        r += width;
    }
}

// tanh in place on x[0..n): whole vectors, then the rest through one padded vector.
template <class S>
void tanh_all(float* x, std::size_t n) noexcept {
    std::size_t i = 0;
    for (; i + S::kLanes <= n; i += S::kLanes) S::store(x + i, ml5::detail::tanh_rational<S>(S::load(x + i)));
    if (i < n) {
        alignas(64) float rest[S::kLanes] = {};
        for (std::size_t k = 0; k < n - i; ++k) rest[k] = x[i + k];
        S::store(rest, ml5::detail::tanh_rational<S>(S::load(rest)));
        for (std::size_t k = 0; k < n - i; ++k) x[i + k] = rest[k];
    }
}

}  // namespace
