#include "audio_file.hpp"

#include <stdexcept>

#include "miniaudio_config.h"
#include "miniaudio.h"

namespace ml5tools {

AudioFile decode_audio_file(const std::string& path) {
    ma_decoder_config config = ma_decoder_config_init(ma_format_f32, 0, 0);  // the file's channels and rate
    ma_decoder decoder;
    if (ma_decoder_init_file(path.c_str(), &config, &decoder) != MA_SUCCESS)
        throw std::runtime_error(path + ": not a decodable audio file (WAV, FLAC and MP3 are read)");
    AudioFile out;
    out.channels = static_cast<int>(decoder.outputChannels);
    out.sample_rate = static_cast<int>(decoder.outputSampleRate);
    std::vector<float> chunk(4096 * static_cast<std::size_t>(out.channels));
    for (;;) {
        ma_uint64 read = 0;
        const ma_result result = ma_decoder_read_pcm_frames(&decoder, chunk.data(), 4096, &read);
        out.samples.insert(out.samples.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(read * out.channels));
        if (result != MA_SUCCESS || read < 4096) break;
    }
    ma_decoder_uninit(&decoder);
    if (out.samples.empty()) throw std::runtime_error(path + ": no audio samples");
    return out;
}

}  // namespace ml5tools
