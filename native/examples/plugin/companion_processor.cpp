// A plugin's audio side in the shape of a JUCE AudioProcessor, with the ml5 runtime: what
// docs/cpp-runtime.md ("From audio") shows. prepareToPlay allocates and starts the worker,
// processBlock hands the host's audio to ml5::AudioChain and keeps the latest result for the
// MIDI generator, releaseResources stops the worker. main() plays a few seconds of a chord
// through it, as a host would, and prints what the companion heard.
//   ml5-companion-sketch MODELS_DIR
#include <cmath>
#include <cstdio>
#include <vector>

#include "ml5/ml5.hpp"

class CompanionProcessor {
public:
    explicit CompanionProcessor(const char* models_dir) { processor_.initialize(models_dir); }

    void prepareToPlay(double sample_rate, int max_block, int channels) {
        ml5::audio::FrontEndSettings settings;
        settings.window_seconds = 4.0;  // each result reads the last 4 s
        settings.hop_seconds = 0.5;     // a new one every 0.5 s
        chain_.prepare(sample_rate, max_block, channels, settings);
    }

    // The audio callback: interleaved samples in, nothing out (the companion plays MIDI).
    void processBlock(const float* interleaved, int frames) noexcept {
        chain_.process(interleaved, frames);
        while (chain_.poll(latest_)) ++results_;  // the newest result wins
    }

    void releaseResources() { chain_.release(); }

    const ml5::ChainResult& latest() const noexcept { return latest_; }
    int results() const noexcept { return results_; }
    int latencySamples() const noexcept { return chain_.latency_samples(); }

private:
    ml5::MultiModelProcessor processor_;
    ml5::AudioChain chain_{processor_};
    ml5::ChainResult latest_;
    int results_ = 0;
};

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: ml5-companion-sketch MODELS_DIR\n");
        return 2;
    }
    const double rate = 48000.0;
    const int block = 256, channels = 2;
    CompanionProcessor plugin(argv[1]);
    plugin.prepareToPlay(rate, block, channels);
    std::vector<float> buffer(static_cast<std::size_t>(block * channels));
    long t = 0;
    for (int k = 0; k < static_cast<int>(6.0 * rate / block); ++k) {  // 6 s of an A minor chord, struck twice a second
        for (int i = 0; i < block; ++i, ++t) {
            const double s = static_cast<double>(t) / rate, strike = std::exp(-std::fmod(s, 0.5) * 5.0);
            const double v = 0.2 * strike * (std::sin(2 * M_PI * 220.0 * s) + std::sin(2 * M_PI * 261.63 * s) +
                                             std::sin(2 * M_PI * 329.63 * s));
            buffer[static_cast<std::size_t>(i * channels)] = buffer[static_cast<std::size_t>(i * channels + 1)] = static_cast<float>(v);
        }
        plugin.processBlock(buffer.data(), block);
    }
    plugin.releaseResources();
    const ml5::ChainResult& r = plugin.latest();
    std::printf("%d results; the last: %.1f-%.1f s, chord %s, valence %+.2f, arousal %+.2f; latency %d samples\n",
                plugin.results(), r.start, r.end, ml5::music::chord_vocabulary()[static_cast<std::size_t>(r.chord)].c_str(),
                r.valence, r.arousal, plugin.latencySamples());
    return plugin.results() > 0 ? 0 : 1;
}
