// Proves the audio path is real-time safe: after prepare(), AudioFrontEnd::process() and
// AudioChain::process()/poll() make no allocation (global operator new/delete and, on glibc,
// malloc and friends are counted on this thread), at every supported input rate, at block
// sizes from 1 to 8192 frames, mono and stereo; and reset() brings back a fresh front end.
// Usage: ml5rt_audio_rt_test [CONFORMANCE_FOLDER]
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "ml5/ml5.hpp"
#include "test_args.hpp"

namespace {
thread_local bool t_counting = false;
std::atomic<long> g_allocs{0};
}  // namespace

void note_alloc() noexcept {
    if (t_counting) g_allocs.fetch_add(1, std::memory_order_relaxed);
}
void note_free() noexcept {
    if (t_counting) g_allocs.fetch_add(1, std::memory_order_relaxed);
}

#include "alloc_hooks.hpp"

namespace {

#ifdef ML5_SANITIZE
constexpr double kSeconds = 3.5;
#else
constexpr double kSeconds = 6.0;
#endif

// A test signal: a chord with struck notes and some noise, at `rate`, interleaved.
std::vector<float> signal(double rate, int channels, double seconds) {
    const auto frames = static_cast<std::size_t>(rate * seconds);
    std::vector<float> out(frames * static_cast<std::size_t>(channels));
    unsigned noise = 1;
    for (std::size_t i = 0; i < frames; ++i) {
        const double t = static_cast<double>(i) / rate;
        const double strike = std::exp(-std::fmod(t, 0.5) * 6.0);
        double v = 0.0;
        for (double f : {261.63, 329.63, 392.0}) v += std::sin(2.0 * M_PI * f * t) * strike * 0.2;
        noise = noise * 1664525u + 1013904223u;
        v += (static_cast<double>(noise >> 8) / 16777216.0 - 0.5) * 0.002;
        for (int c = 0; c < channels; ++c) out[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)] = static_cast<float>(v * (1.0 - 0.3 * c));
    }
    return out;
}

int failures = 0;

void check(bool ok, const std::string& what) {
    if (!ok) {
        ++failures;
        std::printf("FAIL %s\n", what.c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::string conformance = ml5_test::parse_args(argc, argv).folder;
#ifdef ML5_SANITIZE  // the sanitizers look for races and bad accesses: fewer, still varied, streams
    const std::vector<double> rates{22050.0, 48000.0, 96000.0};
    const std::vector<int> blocks{1, 257, 8192};
#else
    const std::vector<double> rates{22050.0, 44100.0, 48000.0, 88200.0, 96000.0};
    const std::vector<int> blocks{1, 64, 256, 257, 4096, 8192};
#endif
    long configurations = 0, rows_total = 0;
    for (double rate : rates) {
        for (int channels : {1, 2}) {
            const std::vector<float> audio = signal(rate, channels, kSeconds);
            const std::size_t frames = audio.size() / static_cast<std::size_t>(channels);
            for (int block : blocks) {
                ml5::audio::AudioFrontEnd front;
                ml5::audio::FrontEndSettings settings;
                settings.window_seconds = 2.0;
                settings.hop_seconds = 0.5;
                front.prepare(rate, block, channels, settings);
                // the whole signal through process() in blocks, allocations counted: the rows made
                auto stream = [&] {
                    ml5::audio::FeatureRow row;
                    long made = 0;
                    g_allocs = 0;
                    for (std::size_t at = 0; at < frames; at += static_cast<std::size_t>(block)) {
                        const int n = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(block), frames - at));
                        t_counting = true;
                        front.process(audio.data() + at * static_cast<std::size_t>(channels), n);
                        while (front.pop_row(row)) ++made;
                        t_counting = false;
                    }
                    return made;
                };
                const long rows = stream();
                const std::string where = "rate " + std::to_string(static_cast<int>(rate)) + ", " +
                                          std::to_string(channels) + " ch, blocks of " + std::to_string(block);
                check(g_allocs.load() == 0, where + ": " + std::to_string(g_allocs.load()) + " allocations in process()");
                check(rows > 0 && rows >= static_cast<long>((kSeconds - 2.5) / 0.5) + 1, where + ": " + std::to_string(rows) + " rows");
                // reset(): the same rows again, and still no allocation in process()
                front.reset();
                const long again = stream();
                check(g_allocs.load() == 0, where + ", after reset(): allocations in process()");
                check(again == rows, where + ": " + std::to_string(again) + " rows after reset(), " + std::to_string(rows) + " before");
                ++configurations;
                rows_total += rows;
            }
        }
    }
    // The whole chain on the five reference models: process() and poll() on this thread.
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() /
                         ("ml5-audio-rt-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(dir);
    for (const auto& s : ml5::kModelSlots)
        fs::copy_file(fs::path(conformance) / ("ref_" + std::string(s.stem) + ".model.json"), dir / (std::string(s.stem) + ".json"),
                      fs::copy_options::overwrite_existing);
    ml5::MultiModelProcessor processor;
    processor.initialize(dir.string());
    long results = 0;
    {
        ml5::AudioChain chain(processor);
        ml5::audio::FrontEndSettings settings;
        settings.window_seconds = 2.0;
        settings.hop_seconds = 0.25;
        chain.prepare(48000.0, 256, 2, settings);
        const std::vector<float> audio = signal(48000.0, 2, kSeconds);
        ml5::ChainResult result;
        g_allocs = 0;
        for (std::size_t at = 0; at + 256 <= audio.size() / 2; at += 256) {
            t_counting = true;
            chain.process(audio.data() + at * 2, 256);
            while (chain.poll(result)) {
                ++results;
                check(result.status == ml5::Status::Ok && std::isfinite(result.valence) && result.end - result.start == 2.0,
                      "a chain result");
            }
            t_counting = false;
        }
        check(g_allocs.load() == 0, "AudioChain: " + std::to_string(g_allocs.load()) + " allocations in process()/poll()");
        chain.release();
        while (chain.poll(result)) ++results;
    }
    fs::remove_all(dir);
    check(results > 0 && results >= static_cast<long>((kSeconds - 2.5) / 0.25) + 1, "AudioChain: " + std::to_string(results) + " results");
    std::printf("%ld front-end configurations (%ld rows) and the chain (%ld results): %s\n", configurations, rows_total,
                results, failures ? "FAILED" : "no allocation");
    return failures ? 1 : 0;
}
