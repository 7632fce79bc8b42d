// Strict reader of RTNeural-format JSON. Every size is checked against the layer it
// describes; anything RTNeural would misread, crash on or silently skip is refused.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ml5/model.hpp"
#include "ml5/weights.hpp"

namespace ml5 {

// Thrown when a model cannot be loaded; the message names the layer index and the problem.
class LoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Limits that keep a hostile file from requesting huge buffers.
inline constexpr int kMaxLayerSize = 1 << 20;           // values per frame
inline constexpr std::size_t kMaxStateFloats = 1u << 24; // conv1d history, floats

// Loads a model from JSON text (any bytes: never crashes, reads out of bounds or hangs).
// `precision` chooses how dense and LSTM weight matrices are held (see Precision); the other
// layers' few weights stay float32. In fp16 a dense or LSTM weight beyond ±65504 (kHalfMax)
// is refused: half precision cannot hold it.
Model load_model(std::string_view json_text, Precision precision = Precision::fp32);

// Loads a model from a file; the error message starts with the file's path.
Model load_model_file(const std::string& path, Precision precision = Precision::fp32);

// A model card's input_standardisation (model_card.input_standardisation of an ml5 export):
// input = (raw - mean) / std per input. `present` is false when the file has none (an export
// trained on already standardised inputs); `definition` is its features.definition, the audio
// feature definition the rows were computed with (0 when the card does not say).
struct InputStandardisation {
    bool present = false;
    std::vector<float> mean, std_dev;
    int definition = 0;
};

// Reads it from an export; throws LoadError naming the file and key when the card is malformed
// (not numbers, lengths that differ, a std that is not positive).
InputStandardisation read_input_standardisation(const std::string& path);

}  // namespace ml5
