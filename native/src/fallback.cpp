// The heuristics a slot runs instead of a missing or refused network, exactly as MODELS.md
// gives them (i indexes the output).
#include <algorithm>
#include <cmath>

#include "ml5/processor.hpp"

namespace ml5::fallback {

namespace {
float sigmoid(float x) noexcept { return 1.0f / (1.0f + std::exp(-x)); }
constexpr int out_size(ModelType t) noexcept { return slot(t).out_size; }
}  // namespace

void emotion(const float* in, float* out) noexcept {
    constexpr int half = out_size(ModelType::EmotionRecognizer) / 2;  // valence | arousal
    for (int i = 0; i < half; ++i) out[i] = std::tanh(0.3f * in[i]);
    for (int i = 0; i < half; ++i) out[half + i] = std::tanh(0.5f * in[64 + i]);
}

void melody(const float* in, float* out) noexcept {
    constexpr int n = out_size(ModelType::MelodyTransformer);
    constexpr int n_in = slot(ModelType::MelodyTransformer).in_size;
    for (int i = 0; i < n; ++i) {
        const float pitch_class = 2.0f * static_cast<float>(i % 12) / 12.0f - 1.0f;
        out[i] = sigmoid(i < n_in ? pitch_class + 0.5f * in[i] : pitch_class);
    }
}

void harmony(const float* in, float* out) noexcept {
    for (int i = 0; i < out_size(ModelType::HarmonyPredictor); ++i) out[i] = std::tanh(0.4f * in[i]);
}

void dynamics(const float* in, float* out) noexcept {
    for (int i = 0; i < out_size(ModelType::DynamicsEngine); ++i) out[i] = std::clamp(0.5f + 0.3f * in[i], 0.0f, 1.0f);
}

void groove(const float* in, float* out) noexcept {
    for (int i = 0; i < out_size(ModelType::GroovePredictor); ++i) out[i] = std::tanh(0.6f * in[i]);
}

}  // namespace ml5::fallback
