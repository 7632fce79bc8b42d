// ml5.music's chord vocabulary and embedding reading, in C++ (tests/test_native_audio.py
// holds them to the Python definitions).
#include "ml5/music.hpp"

#include <algorithm>
#include <cmath>

namespace ml5::music {

const std::array<std::string, kChords>& chord_vocabulary() {
    static const std::array<std::string, kChords> vocabulary = [] {
        std::array<std::string, kChords> v;
        int i = 0;
        for (const char* quality : {"maj", "min", "7", "maj7", "min7"})
            for (const char* root : kPitchClasses) v[i++] = std::string(root) + ":" + quality;
        for (int root = 0; root < 3; ++root) v[i++] = std::string(kPitchClasses[root]) + ":dim7";
        v[i++] = "N";
        return v;
    }();
    return vocabulary;
}

int top_chord(const float* harmony) noexcept {
    return static_cast<int>(std::max_element(harmony, harmony + kChords) - harmony);
}

double embedding_gain(int i) noexcept { return 0.8 + 1.2 * i / 11; }

void embedding_emotion(const float* embedding, double& valence, double& arousal) noexcept {
    double v = 0.0, a = 0.0, gg = 0.0;
    for (int i = 0; i < 12; ++i) {
        const double g = embedding_gain(i);
        const double ev = std::clamp(static_cast<double>(embedding[i]), -0.999999, 0.999999);
        const double ea = std::clamp(static_cast<double>(embedding[12 + i]), -0.999999, 0.999999);
        v += std::atanh(ev) * g;
        a += std::atanh(ea) * g;
        gg += g * g;
    }
    valence = std::clamp(v / gg, -1.0, 1.0);
    arousal = std::clamp(a / gg, -1.0, 1.0);
}

}  // namespace ml5::music
