// The music facts a host needs to read the networks' outputs, as ml5.music defines them (the
// tests compare the two): the HarmonyPredictor's 64-chord vocabulary and the reading of
// valence and arousal back from the 64-value emotion embedding.
#pragma once

#include <array>
#include <string>

namespace ml5::music {

inline constexpr std::array<const char*, 12> kPitchClasses{"C", "C#", "D", "D#", "E", "F",
                                                            "F#", "G", "G#", "A", "A#", "B"};
inline constexpr int kChords = 64;
inline constexpr int kEmbeddingSize = 64;

// Index -> Harte-style label ("F#:min7"): 12 roots × (maj, min, 7, maj7, min7), the diminished
// sevenths on C, C# and D, and "N" (no chord) — ml5.music.CHORD_VOCABULARY.
const std::array<std::string, kChords>& chord_vocabulary();
// The index of the largest of kChords harmony outputs (the first on a tie, as numpy's argmax).
int top_chord(const float* harmony) noexcept;

// The 12 gains of the valence and arousal copies: 0.8 + 1.2·i/11 (ml5.music.EMBEDDING_GAINS).
double embedding_gain(int i) noexcept;
// (valence, arousal) read back from an embedding: per half, the least-squares g·x fit to
// arctanh of dims 0-11 (valence) and 12-23 (arousal), clipped to -1..1
// (ml5.music.embedding_emotion).
void embedding_emotion(const float* embedding, double& valence, double& arousal) noexcept;

}  // namespace ml5::music
