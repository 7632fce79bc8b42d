// Decoding audio files for the command-line tool and the example host (never the audio
// thread): WAV, FLAC and MP3 through miniaudio's decoders (third_party/miniaudio), at the
// file's own rate and channel count, as float32 in -1..1.
#pragma once

#include <string>
#include <vector>

namespace ml5tools {

struct AudioFile {
    std::vector<float> samples;  // interleaved
    int channels = 0;
    int sample_rate = 0;
    std::size_t frames() const { return channels ? samples.size() / static_cast<std::size_t>(channels) : 0; }
};

// Throws std::runtime_error naming the file and why it cannot be decoded.
AudioFile decode_audio_file(const std::string& path);

}  // namespace ml5tools
