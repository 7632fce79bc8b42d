// Small model files for the processor tests: the five slots' sizes with narrow hidden layers
// and seeded weights, so a test can build a models folder in a temporary directory.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <system_error>

#include "ml5/processor.hpp"

namespace ml5test {

namespace fs = std::filesystem;

inline std::string matrix(std::mt19937& rng, int rows, int cols, float scale) {
    std::uniform_real_distribution<float> u(-scale, scale);
    std::ostringstream s;
    s.precision(9);
    s << '[';
    for (int r = 0; r < rows; ++r) {
        s << (r ? ",[" : "[");
        for (int c = 0; c < cols; ++c) s << (c ? "," : "") << u(rng);
        s << ']';
    }
    s << ']';
    return s.str();
}

inline std::string row(std::mt19937& rng, int n, float scale) {
    const std::string m = matrix(rng, 1, n, scale);
    return m.substr(1, m.size() - 2);
}

inline std::string dense(std::mt19937& rng, int in, int out, const char* activation) {
    return std::string(R"({"type":"dense","activation":")") + activation + R"(","shape":[null,)" + std::to_string(out) +
           R"(],"weights":[)" + matrix(rng, in, out, 0.5f) + "," + row(rng, out, 0.1f) + "]}";
}

inline std::string lstm(std::mt19937& rng, int in, int hidden) {
    return R"({"type":"lstm","shape":[null,)" + std::to_string(hidden) + R"(],"weights":[)" +
           matrix(rng, in, 4 * hidden, 0.5f) + "," + matrix(rng, hidden, 4 * hidden, 0.5f) + "," +
           row(rng, 4 * hidden, 0.1f) + "]}";
}

// A model of the slot's sizes: dense in->hidden tanh, an LSTM for the emotion and melody
// slots (as their real architectures have), dense ->out with the slot's head.
inline std::string slot_model(ml5::ModelType type, unsigned seed, int hidden = 8) {
    const ml5::ModelSlot& s = ml5::slot(type);
    std::mt19937 rng(seed * 131u + static_cast<unsigned>(type));
    const char* head = "tanh";
    if (type == ml5::ModelType::MelodyTransformer || type == ml5::ModelType::DynamicsEngine) head = "sigmoid";
    if (type == ml5::ModelType::HarmonyPredictor) head = "softmax";
    std::string layers = dense(rng, s.in_size, hidden, "tanh");
    if (type == ml5::ModelType::EmotionRecognizer || type == ml5::ModelType::MelodyTransformer)
        layers += "," + lstm(rng, hidden, hidden);
    layers += "," + dense(rng, hidden, s.out_size, head);
    return R"({"in_shape":[null,)" + std::to_string(s.in_size) + R"(],"layers":[)" + layers + "]}";
}

inline void write_file(const fs::path& path, const std::string& text) {
    // Written next to the target, then renamed: a reader sees the old or the new file whole.
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary);
        f << text;
    }
    fs::rename(tmp, path);
}

inline fs::path model_path(const fs::path& dir, ml5::ModelType type) {
    return dir / (std::string(ml5::slot(type).stem) + ".json");
}

// A fresh empty folder under the system's temporary directory.
inline fs::path temp_folder(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() /
                         ("ml5-" + name + "-" + std::to_string(static_cast<unsigned long>(std::random_device{}())));
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir);
    return dir;
}

// All five slot models, seeded, into dir.
inline void write_all(const fs::path& dir, unsigned seed, int hidden = 8) {
    for (const auto& s : ml5::kModelSlots) write_file(model_path(dir, s.type), slot_model(s.type, seed, hidden));
}

}  // namespace ml5test
