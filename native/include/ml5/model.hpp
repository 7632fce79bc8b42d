// A chain of layers run one frame per call, with preallocated ping-pong buffers.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "ml5/aligned_buffer.hpp"
#include "ml5/layer.hpp"
#include "ml5/weights.hpp"

namespace ml5 {

class Model {
public:
    explicit Model(int in_size);
    Model(Model&&) noexcept = default;
    Model& operator=(Model&&) noexcept = default;

    // Appends a layer (load time: may allocate). Throws std::invalid_argument if its input
    // size is not the previous layer's output size.
    void add_layer(std::unique_ptr<Layer> layer);

    int in_size() const noexcept { return in_size_; }
    int out_size() const noexcept { return layers_.empty() ? in_size_ : layers_.back()->out_size(); }
    std::size_t n_layers() const noexcept { return layers_.size(); }
    const Layer& layer(std::size_t i) const noexcept { return *layers_[i]; }

    // Stateless (the default): every forward() starts from a zero state, as the ml5 models
    // were trained; recurrent layers then skip their recurrent product.
    // Streaming: LSTM/GRU/conv1d state carries over from call to call until reset().
    // Switching modes resets the state.
    void set_stateless(bool stateless) noexcept;
    bool stateless() const noexcept { return stateless_; }

    // One frame: reads in[0..in_size), writes out[0..out_size). in and out may overlap.
    void forward(const float* in, float* out) noexcept;
    // `frames` independent frames (row f of in gives row f of out; rows of in_size and out_size
    // values, packed). Stateless: each frame from a zero state, in blocks so that every weight
    // is read once per block, not once per frame — for offline work (scoring a file, checking
    // an export), not the audio thread: the first call allocates the block buffers. Streaming:
    // the frames are consecutive steps, run one by one. in and out must not overlap.
    void forward_batch(const float* in, std::size_t frames, float* out);
    // Zeroes every layer's state.
    void reset() noexcept;

    // Numbers in the file's weights arrays, summed over layers.
    std::size_t n_params() const noexcept;
    // Bytes of weights held in memory, alignment padding included.
    std::size_t weight_bytes() const noexcept;
    // How the weight matrices are held (the loader's choice; fp32 unless asked).
    Precision precision() const noexcept { return precision_; }
    void set_precision_label(Precision p) noexcept { precision_ = p; }

private:
    int in_size_;
    bool stateless_ = true;
    Precision precision_ = Precision::fp32;
    std::vector<std::unique_ptr<Layer>> layers_;
    AlignedBuffer ping_, pong_;  // each as wide as the widest layer input or output
    static constexpr std::size_t kBatchBlock = 24;  // frames per block in forward_batch
    AlignedBuffer batch_ping_, batch_pong_;          // [kBatchBlock][padded width], on first use
};

}  // namespace ml5
