#include "ml5/model.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ml5 {

Model::Model(int in_size) : in_size_(in_size) {
    if (in_size <= 0) throw std::invalid_argument("model input size must be positive");
    ping_ = AlignedBuffer(static_cast<std::size_t>(in_size));
    pong_ = AlignedBuffer(static_cast<std::size_t>(in_size));
}

void Model::add_layer(std::unique_ptr<Layer> layer) {
    if (!layer) throw std::invalid_argument("null layer");
    if (layer->in_size() != out_size())
        throw std::invalid_argument("layer " + std::to_string(layers_.size()) + " (" + layer->type() + ") takes " +
                                    std::to_string(layer->in_size()) + " inputs but the previous size is " +
                                    std::to_string(out_size()));
    const std::size_t width = std::max(ping_.size(), static_cast<std::size_t>(layer->out_size()));
    if (width > ping_.size()) {
        ping_ = AlignedBuffer(width);
        pong_ = AlignedBuffer(width);
    }
    layer->reset();
    layers_.push_back(std::move(layer));
}

void Model::forward_batch(const float* in, std::size_t frames, float* out) {
    const std::size_t n_in = static_cast<std::size_t>(in_size_), n_out = static_cast<std::size_t>(out_size());
    if (!stateless_) {
        for (std::size_t f = 0; f < frames; ++f) forward(in + f * n_in, out + f * n_out);
        return;
    }
    const std::size_t width = padded(ping_.size());
    if (batch_ping_.size() != kBatchBlock * width) {
        batch_ping_ = AlignedBuffer(kBatchBlock * width);
        batch_pong_ = AlignedBuffer(kBatchBlock * width);
    }
    for (std::size_t f0 = 0; f0 < frames; f0 += kBatchBlock) {
        const std::size_t n = frames - f0 < kBatchBlock ? frames - f0 : kBatchBlock;
        // each layer's rows as wide as its own padded size: elementwise work touches little padding
        std::size_t ld = padded(n_in);
        for (std::size_t f = 0; f < n; ++f) std::memcpy(batch_ping_.data() + f * ld, in + (f0 + f) * n_in, n_in * sizeof(float));
        float* src = batch_ping_.data();
        float* dst = batch_pong_.data();
        for (auto& layer : layers_) {
            const std::size_t ld_out = padded(static_cast<std::size_t>(layer->out_size()));
            layer->forward_batch(src, ld, n, dst, ld_out);
            std::swap(src, dst);
            ld = ld_out;
        }
        for (std::size_t f = 0; f < n; ++f) std::memcpy(out + (f0 + f) * n_out, src + f * ld, n_out * sizeof(float));
    }
}

void Model::set_stateless(bool stateless) noexcept {
    if (stateless != stateless_) reset();
    stateless_ = stateless;
}

void Model::reset() noexcept {
    for (auto& layer : layers_) layer->reset();
}

void Model::forward(const float* in, float* out) noexcept {
    // Copying in and out keeps the layers' buffers aligned and lets in and out overlap.
    std::memcpy(ping_.data(), in, static_cast<std::size_t>(in_size_) * sizeof(float));
    float* src = ping_.data();
    float* dst = pong_.data();
    if (stateless_) {
        for (auto& layer : layers_) {
            layer->forward_from_zero(src, dst);
            std::swap(src, dst);
        }
    } else {
        for (auto& layer : layers_) {
            layer->forward(src, dst);
            std::swap(src, dst);
        }
    }
    std::memmove(out, src, static_cast<std::size_t>(out_size()) * sizeof(float));
}

std::size_t Model::n_params() const noexcept {
    std::size_t n = 0;
    for (const auto& layer : layers_) n += layer->n_params();
    return n;
}

std::size_t Model::weight_bytes() const noexcept {
    std::size_t n = 0;
    for (const auto& layer : layers_) n += layer->weight_bytes();
    return n;
}

}  // namespace ml5
