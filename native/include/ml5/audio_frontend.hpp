// From a host's audio to the EmotionRecognizer's 128 inputs and harmony's 64-value context:
// the C++ side of the one feature definition, ml5_audio.features (definition 6; its docstring
// is the definition, and the tests hold the two sides to each other).
//
// AudioFrontEnd has the shape of a JUCE audio class: prepare() allocates everything,
// process() takes blocks of any size up to the prepared one and never allocates, locks or
// calls the system, reset() clears the state. Every `hop` seconds it completes a row: the
// features of the last `window` seconds, the context of that window's last CONTEXT_SECONDS,
// and the features standardised with the export's input_standardisation. A row covers
// [end - window, end] in the input's time and is complete `latency_samples()` after `end`.
//
// The file's level (the 95th percentile of the frames' loudness, which loudness is measured
// against) needs the whole file; a stream has none. LevelReference::Running uses the frames
// heard so far (a histogram in 0.01 dB steps); LevelReference::Fixed takes a value, which is
// how an offline pass reproduces ml5 infer exactly (analyse_file does both passes).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ml5::audio {

// ---- the definition: every constant that shapes a feature (ml5_audio.features.SETTINGS) ----
inline constexpr int kDefinition = 6;
inline constexpr int kSampleRate = 22050;
inline constexpr int kNfft = 2048;  // the time spectrum (mel): loudness, onsets, flatness, brightness, context
inline constexpr int kHop = 512;
inline constexpr int kMels = 128;
inline constexpr double kAmin = 1e-10;
inline constexpr int kPitchFft = 8192;  // the pitch spectrum: semitone bands
inline constexpr int kPitchHop = 2048;
inline constexpr int kLowestPitch = 24;
inline constexpr int kPitches = 96;
inline constexpr int kBandFirst = 36;  // the semitone bands that are features: MIDI 36-105
inline constexpr int kBandCount = 70;
inline constexpr double kRangeDb = 60.0;
inline constexpr double kPeakDb = 30.0;
inline constexpr double kFluxFloorDb = 70.0;
inline constexpr double kLevelPercentile = 95.0;
inline constexpr double kFluxScale = 4.0;
inline constexpr int kOnsetSpan = 3, kOnsetMeanSpan = 10, kOnsetGap = 3;
inline constexpr double kOnsetDelta = 0.5;
inline constexpr double kBrightHz = 2000.0;
inline constexpr std::array<double, 6> kOnsetDeltas{0.25, 1.0, 2.0, 4.0, 8.0, 16.0};
inline constexpr std::array<double, 6> kLoudnessPercentiles{0.0, 10.0, 25.0, 50.0, 75.0, 90.0};
inline constexpr std::array<std::array<int, 2>, 5> kHarmonics{{{2, 12}, {3, 19}, {4, 24}, {5, 28}, {6, 31}}};
inline constexpr double kStdFloor = 0.05;
inline constexpr double kContextSeconds = 2.0;  // harmony's "bar before", from audio
inline constexpr int kContextBands = 64;        // ml5.music.HARMONY_CONTEXT_BANDS
inline constexpr double kContextRangeDb = 30.0; // ml5.music.HARMONY_CONTEXT_RANGE
inline constexpr int kFeatures = 128;
inline constexpr int kScalars = 14;
// where each group lies in the 128 features
inline constexpr int kChromaAt = kBandCount, kBassAt = kChromaAt + 12, kOctavesAt = kBassAt + 12,
                     kScalarsAt = kOctavesAt + 8, kRhythmAt = kScalarsAt + kScalars;
static_assert(kRhythmAt + 12 == kFeatures, "the 128 features");

// The settings above as JSON, in ml5_audio.features.SETTINGS's keys (a model card names the
// definition it was trained on this way; the tests compare the two).
std::string settings_json();
// The 128 features' names, in order (ml5_audio.features.FEATURES).
std::vector<std::string> feature_names();

enum class LevelReference { Running, Fixed };

struct FrontEndSettings {
    double window_seconds = 4.0;  // each row covers this much audio
    double hop_seconds = 4.0;     // a row every this many seconds (ml5 infer: hop == window)
    LevelReference level = LevelReference::Running;
    double fixed_reference_db = 0.0;  // the file's level, for LevelReference::Fixed
};

struct FeatureRow {
    double start = 0.0, end = 0.0;          // seconds of input
    std::array<float, kFeatures> raw{};     // the 128 features (ml5_audio.features)
    std::array<float, kFeatures> input{};   // standardised: (raw - mean) / std, or raw without a card
    std::array<float, kContextBands> context{};  // harmony's context of [max(start, end - 2 s), end)
    double reference_db = 0.0;              // the level the row's loudness is measured against
};

class AudioFrontEnd {
public:
    AudioFrontEnd();
    ~AudioFrontEnd();
    AudioFrontEnd(const AudioFrontEnd&) = delete;
    AudioFrontEnd& operator=(const AudioFrontEnd&) = delete;

    // Allocates everything for input at `sample_rate` Hz (any rate the resampler takes; 22,050
    // needs none), blocks of up to `max_block` frames of `channels` interleaved channels.
    // Throws std::invalid_argument naming the bad value.
    void prepare(double sample_rate, int max_block, int channels, const FrontEndSettings& settings = {});
    // The export's input_standardisation (128 means and stds; a std below kStdFloor is refused).
    // Without one, rows' `input` are the raw features.
    void set_standardisation(const float* mean, const float* std_dev);
    void clear_standardisation() noexcept;

    // Takes `frames` interleaved frames (at most max_block). Real-time safe. Returns the
    // number of rows completed by this block; read them with pop_row().
    int process(const float* interleaved, int frames) noexcept;
    // End of input (offline): the zero padding after the last sample, the rows still due, and,
    // when no row was made and the window is 0 or longer than the input, one row of the whole
    // input (as ml5 infer does). Not real-time safe in general (it flushes the resampler).
    int finish() noexcept;
    // The oldest completed row, if any. Rows not read are kept up to a fixed count; older ones
    // are dropped (counted by dropped_rows()).
    bool pop_row(FeatureRow& out) noexcept;
    void reset() noexcept;

    // Input samples from the end of a row's window until the row is complete: the resampler's
    // delay, the pitch spectrum's half frame and the onset detector's look-ahead.
    int latency_samples() const noexcept;
    double sample_rate() const noexcept;
    const FrontEndSettings& settings() const noexcept;
    std::uint64_t dropped_rows() const noexcept;
    // Seconds of input taken so far (at the input's rate).
    double seconds_in() const noexcept;

    struct State;  // the implementation (src/audio_frontend.cpp)

private:
    friend double file_level_db(const float*, std::size_t, int, double, int);
    std::unique_ptr<State> state_;
};

// The exact percentile numpy.percentile computes (linear interpolation) of `values` (sorted in place).
double percentile_sorted(const float* sorted, std::size_t n, double q) noexcept;

// Offline: the rows ml5 infer makes of a whole file's samples (interleaved, `channels`, at
// `sample_rate`), windows of `window_seconds` one after another (0: the whole file as one
// row); the level measured over the whole file first, as the Python definition does. The
// samples go through the front end in blocks of `block` frames.
std::vector<FeatureRow> analyse_file(const float* interleaved, std::size_t frames, int channels, double sample_rate,
                                     double window_seconds, int block = 4096, const float* mean = nullptr,
                                     const float* std_dev = nullptr);
// The file's level (dB) as the Python definition measures it: the 95th percentile of the time
// frames' loudness of the resampled mono signal.
double file_level_db(const float* interleaved, std::size_t frames, int channels, double sample_rate, int block = 4096);

}  // namespace ml5::audio
