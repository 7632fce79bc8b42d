// The audio front end: ml5_audio.features (definition 6) computed block by block. Each step
// names the Python it mirrors; where Python computes in float32 this does too, so that the two
// agree to float32 rounding (the tests bound it).
#include "ml5/audio_frontend.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "soxr.h"

// Ooura's real FFT (fft4g, "use, copy, modify and distribute ... for any purpose"), which libsoxr
// ships and compiles as _soxr_rdft (its lsx_rdft): double precision, no allocation after the tables.
extern "C" void _soxr_rdft(int, int, double*, int*, double*);
#define lsx_rdft _soxr_rdft

namespace ml5::audio {
namespace {

constexpr int kTimeLookahead = kOnsetMeanSpan;  // frames after t that decide whether t is an onset
constexpr int kSlack = 4096;                    // resampled samples taken per step (frames are made after each)
constexpr float kAminF = 1e-10f;
constexpr double kHistogramLow = -100.0, kHistogramStep = 0.01;  // the running level: 0.01 dB bins
constexpr int kHistogramBins = 16001;                            // -100 … +60 dB
constexpr int kRowQueue = 64;
constexpr std::int64_t kPrimeFirst = 1 << 17;  // input frames of the resampler's first priming push

double periodic_hann(int i, int n) { return 0.5 - 0.5 * std::cos(2.0 * M_PI * i / n); }

// Slaney's mel scale (librosa's default), as ml5_audio.features._hz_to_mel / _mel_to_hz
double hz_to_mel(double hz) {
    if (hz < 1000.0) return 3.0 * hz / 200.0;
    return 15.0 + std::log(hz / 1000.0) / (std::log(6.4) / 27.0);
}
double mel_to_hz(double mel) {
    if (mel < 15.0) return 200.0 * mel / 3.0;
    return 1000.0 * std::exp(std::log(6.4) / 27.0 * (mel - 15.0));
}

// A filter bank stored by its non-zero span per band.
struct Bank {
    std::vector<int> first;
    std::vector<std::vector<double>> weights;
    void add(const std::vector<double>& row) {
        int lo = 0, hi = static_cast<int>(row.size());
        while (lo < hi && row[lo] == 0.0) ++lo;
        while (hi > lo && row[hi - 1] == 0.0) --hi;
        first.push_back(lo);
        weights.emplace_back(row.begin() + lo, row.begin() + hi);
    }
};

Bank mel_bank() {  // ml5_audio.features.mel_filters
    const int bins = kNfft / 2 + 1;
    std::vector<double> edges(kMels + 2);
    const double top = hz_to_mel(kSampleRate / 2.0);
    for (int i = 0; i < kMels + 2; ++i) edges[i] = mel_to_hz(top * i / (kMels + 1));
    Bank bank;
    for (int m = 0; m < kMels; ++m) {
        std::vector<double> row(bins);
        const double lower = edges[m + 1] - edges[m], upper = edges[m + 2] - edges[m + 1];
        const double norm = 2.0 / (edges[m + 2] - edges[m]);
        for (int k = 0; k < bins; ++k) {
            const double hz = static_cast<double>(k) * kSampleRate / kNfft;
            const double rising = (hz - edges[m]) / lower, falling = (edges[m + 2] - hz) / upper;
            row[k] = std::max(0.0, std::min(rising, falling)) * norm;
        }
        bank.add(row);
    }
    return bank;
}

Bank semitone_bank() {  // ml5_audio.features.semitone_filters
    const int bins = kPitchFft / 2 + 1;
    Bank bank;
    for (int p = 0; p < kPitches; ++p) {
        std::vector<double> row(bins);
        for (int k = 0; k < bins; ++k) {
            const double hz = static_cast<double>(k) * kSampleRate / kPitchFft;
            const double pitch = 69.0 + 12.0 * std::log2(std::max(hz, 1e-9) / 440.0);
            row[k] = static_cast<float>(std::max(0.0, 1.0 - std::abs(pitch - (kLowestPitch + p))));
        }
        bank.add(row);
    }
    return bank;
}

// ml5.music.profile_values: 2·w/max − 1, all −1 when nothing sounds
void profile(const double* w, int n, float* out) {
    double top = *std::max_element(w, w + n);
    for (int i = 0; i < n; ++i) out[i] = top > 0 ? static_cast<float>(2.0 * w[i] / top - 1.0) : -1.0f;
}

constexpr double kMajor[12] = {6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
constexpr double kMinor[12] = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17};

// ml5.music.key_correlations: the best r of the profile with the 12 rotations of each key profile
void key_correlations(const double* w, double& major, double& minor) {
    double p[12], mean = 0.0;
    for (int i = 0; i < 12; ++i) mean += w[i];
    mean /= 12.0;
    double norm_p = 0.0;
    for (int i = 0; i < 12; ++i) {
        p[i] = w[i] - mean;
        norm_p += p[i] * p[i];
    }
    norm_p = std::sqrt(norm_p);
    if (!(norm_p > 0)) {
        major = minor = 0.0;
        return;
    }
    const double* profiles[2] = {kMajor, kMinor};
    double best[2];
    for (int which = 0; which < 2; ++which) {
        double m = 0.0;
        for (int i = 0; i < 12; ++i) m += profiles[which][i];
        m /= 12.0;
        best[which] = -std::numeric_limits<double>::infinity();
        for (int k = 0; k < 12; ++k) {
            double dot = 0.0, norm_r = 0.0;
            for (int i = 0; i < 12; ++i) {
                const double r = profiles[which][((i - k) % 12 + 12) % 12] - m;  // np.roll(profile, k)
                dot += r * p[i];
                norm_r += r * r;
            }
            best[which] = std::max(best[which], dot / (std::sqrt(norm_r) * norm_p));
        }
    }
    major = best[0];
    minor = best[1];
}

// Python's float floor division (float.__floordiv__), so that the count of windows agrees at the edges
double py_floordiv(double a, double b) {
    double mod = std::fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0.0 && ((b < 0) != (mod < 0))) div -= 1.0;
    double floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
    return div != 0.0 ? floordiv : std::copysign(0.0, a / b);
}

}  // namespace

double percentile_sorted(const float* sorted, std::size_t n, double q) noexcept {
    // numpy's "linear" method: index (n − 1)·q/100, lerp a + (b − a)·g, or b − (b − a)·(1 − g) for g ≥ 0.5
    if (n == 0) return std::numeric_limits<double>::quiet_NaN();
    const double index = static_cast<double>(n - 1) * (q / 100.0);
    const double below = std::floor(index);
    const double g = index - below;
    const std::size_t i = static_cast<std::size_t>(below), j = std::min(i + 1, n - 1);
    const double a = sorted[i], b = sorted[j], diff = b - a;
    return g >= 0.5 ? b - diff * (1.0 - g) : a + diff * g;
}

std::string settings_json() {
    std::ostringstream out;
    out.precision(17);
    auto list = [&](const auto& values) {
        out << "[";
        for (std::size_t i = 0; i < values.size(); ++i) out << (i ? ", " : "") << values[i];
        out << "]";
    };
    out << "{\"definition\": " << kDefinition << ", \"sample_rate\": " << kSampleRate << ", \"n_fft\": " << kNfft
        << ", \"hop\": " << kHop << ", \"n_mels\": " << kMels << ", \"harmonics\": [";
    for (std::size_t i = 0; i < kHarmonics.size(); ++i)
        out << (i ? ", " : "") << "[" << kHarmonics[i][0] << ", " << kHarmonics[i][1] << "]";
    out << "], \"flux_scale\": " << kFluxScale << ", \"bright_hz\": " << kBrightHz << ", \"pitch_fft\": " << kPitchFft
        << ", \"pitch_hop\": " << kPitchHop << ", \"lowest_pitch\": " << kLowestPitch << ", \"pitches\": " << kPitches
        << ", \"range_db\": " << kRangeDb << ", \"peak_db\": " << kPeakDb << ", \"flux_floor_db\": " << kFluxFloorDb
        << ", \"level_percentile\": " << kLevelPercentile << ", \"onsets\": [" << kOnsetSpan << ", " << kOnsetMeanSpan
        << ", " << kOnsetDelta << ", " << kOnsetGap << "], \"onset_deltas\": ";
    list(kOnsetDeltas);
    out << ", \"loudness_percentiles\": ";
    list(kLoudnessPercentiles);
    out << ", \"std_floor\": " << kStdFloor << "}";
    return out.str();
}

std::vector<std::string> feature_names() {
    static const char* classes[12] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
    static const char* scalars[kScalars] = {"loudness", "loudness_peak", "loudness_std", "onset_rate", "flux_mean",
                                            "flux_std", "centroid", "spread", "lowest", "highest", "flatness",
                                            "brightness", "mode", "key_clarity"};
    auto g = [](double v) {
        std::ostringstream s;
        s << v;
        return s.str();
    };
    std::vector<std::string> names;
    for (int p = kBandFirst; p < kBandFirst + kBandCount; ++p) names.push_back("band_" + std::to_string(p));
    for (auto c : classes) names.push_back(std::string("chroma_") + c);
    for (auto c : classes) names.push_back(std::string("bass_") + c);
    for (int k = 1; k <= 8; ++k) names.push_back("octave_" + std::to_string(k));
    for (auto s : scalars) names.emplace_back(s);
    for (double d : kOnsetDeltas) names.push_back("onset_rate_" + g(d) + "db");
    for (double q : kLoudnessPercentiles) names.push_back("loudness_p" + g(q));
    return names;
}

// ---------------------------------------------------------------------------------------------

namespace detail {

struct TimeFrame {  // one frame of the time spectrum (ml5_audio.features.Analysis, per column)
    float loudness = 0, flux = 0, flatness = 0, brightness = 0;
    float cumulative_flux = 0;  // np.cumsum(flux) (float32, as Python's), up to and including this frame
    std::array<float, kContextBands> context{};
    std::uint8_t onsets = 0;  // bit 0: ONSET_DELTA, bit 1+i: ONSET_DELTAS[i]
};

struct PitchFrame {
    std::array<float, kPitches> power{};
    int lowest_peak = -1;
    float level_db = 0;  // the bands' power summed (float32, as Python's), in dB (Analysis.pitch_db)
    std::array<double, 12> chroma{};  // ml5_audio.features.frame_chroma
};

// ml5_audio.features.salience: from the lowest band up, harmonic k of band p (k = 2..6, at the
// nearest semitone) loses 1/k of band p's remaining power, floored at 0
void salience(std::array<double, kPitches>& left) noexcept {
    for (int p = 0; p < kPitches; ++p)
        for (const auto& [k, offset] : kHarmonics)
            if (p + offset < kPitches) left[p + offset] = std::max(left[p + offset] - left[p] / k, 0.0);
}

template <class T>
struct Ring {  // frames by absolute index; the last items.size() of them kept
    std::vector<T> items;
    T& operator[](std::int64_t i) { return items[static_cast<std::size_t>(i % static_cast<std::int64_t>(items.size()))]; }
};

}  // namespace detail
using detail::PitchFrame;
using detail::Ring;
using detail::TimeFrame;

static double frame_time(std::int64_t k, int hop) { return static_cast<double>(k * hop) / kSampleRate; }

// The frames centred in [lo, hi] (ml5_audio.features._inside), or the nearest one, among frames
// 0 … count − 1: [first, last], or first > last when there are none at all.
static void inside(double lo, double hi, std::int64_t count, int hop, std::int64_t& first, std::int64_t& last) {
    first = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(lo * kSampleRate / hop)) - 1);
    while (first < count && frame_time(first, hop) < lo) ++first;
    last = std::min<std::int64_t>(count - 1, static_cast<std::int64_t>(std::ceil(hi * kSampleRate / hop)) + 1);
    while (last >= 0 && frame_time(last, hop) > hi) --last;
    if (first <= last || count == 0) return;
    const double mid = (lo + hi) / 2;
    std::int64_t best = 0;
    double distance = std::numeric_limits<double>::infinity();
    for (std::int64_t k = std::max<std::int64_t>(0, last - 1); k <= std::min(count - 1, first + 1); ++k) {
        const double d = std::abs(frame_time(k, hop) - mid);
        if (d < distance) distance = d, best = k;
    }
    first = last = best;
}


struct AudioFrontEnd::State {
    // ---- settings
    double rate = 0;
    int channels = 1, max_block = 0;
    FrontEndSettings settings;
    bool standardise = false;
    std::array<float, kFeatures> mean{}, std_dev{};
    // ---- resampling (none at 22,050 Hz)
    soxr_t soxr = nullptr;
    std::int64_t prime_in = 0;     // input frames of zeros the resampler is primed with
    std::int64_t period = 0;       // input frames that resample to a whole number of samples (0: none)
    std::int64_t soxr_in = 0, soxr_out = 0;  // frames into and out of the resampler since it was made
    bool flushed = false;          // finish() ended the resampler's stream
    double lag = 0.0;              // the most resampled samples the resampler's output was seen to owe
    std::int64_t drop_out = 0;     // resampled samples (of the priming zeros) still to drop
    std::vector<float> mono, resampled;
    std::vector<float> prime_zeros, prime_out;  // the priming's first push and its output
    std::int64_t frames_in = 0;
    // ---- the resampled signal: the last samples (a power-of-two ring), and how many in all
    std::vector<float> history;
    std::int64_t samples = 0;
    std::int64_t final_samples = -1;  // its length, once finish() knows it
    std::int64_t limit = 0;           // samples past this are not taken (finish())
    // ---- spectra
    Bank mel, semitones;
    std::vector<double> hann;
    std::vector<float> pitch_hann;  // float32, as Python's
    std::vector<double> fft, fft_w, pitch_fft, pitch_fft_w;
    std::vector<int> fft_ip, pitch_fft_ip;
    std::vector<int> bright;
    std::array<double, kNfft / 2 + 1> bins{};
    std::vector<double> pitch_bins;
    std::array<float, kMels> previous_db{};
    // ---- frames
    Ring<TimeFrame> time;
    Ring<PitchFrame> pitch;
    std::int64_t time_frames = 0, pitch_frames = 0;
    std::int64_t onsets_decided = 0;
    float cumulative = 0;
    std::array<std::int64_t, 1 + kOnsetDeltas.size()> last_onset{};
    // ---- level
    std::vector<std::uint32_t> histogram;
    std::uint64_t heard = 0;
    double reference_db = 0;
    // ---- rows
    std::int64_t next_row = 0;
    bool make_rows = true;  // false: time frames only (file_level_db's first pass)
    std::vector<FeatureRow> rows;
    int row_head = 0, row_count = 0;
    std::uint64_t dropped = 0;
    std::vector<float> loudness_sorted;

    ~State() {
        if (soxr) soxr_delete(soxr);
    }

    // ---------------------------------------------------------------- prepare / reset
    void prepare(double sample_rate, int block, int channel_count, const FrontEndSettings& s) {
        if (!(sample_rate >= 1000.0 && sample_rate <= 768000.0))
            throw std::invalid_argument("sample_rate " + std::to_string(sample_rate) + ": expected 1,000 to 768,000 Hz");
        if (block < 1) throw std::invalid_argument("max_block " + std::to_string(block) + ": expected at least 1 frame");
        if (channel_count < 1 || channel_count > 64)
            throw std::invalid_argument("channels " + std::to_string(channel_count) + ": expected 1 to 64");
        if (!(s.window_seconds > 0.0 && s.window_seconds <= 600.0))
            throw std::invalid_argument("window_seconds " + std::to_string(s.window_seconds) + ": expected more than 0 and at most 600");
        if (!(s.hop_seconds > 0.0 && s.hop_seconds <= 600.0))
            throw std::invalid_argument("hop_seconds " + std::to_string(s.hop_seconds) + ": expected more than 0 and at most 600");
        rate = sample_rate;
        max_block = block;
        channels = channel_count;
        settings = s;
        if (soxr) soxr_delete(soxr), soxr = nullptr;
        mono.assign(static_cast<std::size_t>(block), 0.0f);
        if (rate != kSampleRate) {
            soxr_error_t error = nullptr;
            const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
            const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);  // python-soxr's quality="HQ"
            soxr = soxr_create(rate, kSampleRate, 1, &error, &io, &quality, nullptr);
            if (error) throw std::invalid_argument(std::string("resampler: ") + error);
            soxr_in = soxr_out = 0;
            flushed = false;
            resampled.assign(static_cast<std::size_t>(std::ceil(block * kSampleRate / rate)) + 64, 0.0f);
            // Priming: zeros whose resampled length is a whole number of samples, so the signal
            // after them is resampled in the same phase as from a fresh start. The first push is
            // large, so the resampler's buffers grow once to more than any block needs (later
            // pushes then move data within them instead of growing them); the rest goes in
            // blocks of the host's size, long enough to flush any earlier signal.
            const auto whole_rate = static_cast<std::int64_t>(rate);
            period = 0;
            if (static_cast<double>(whole_rate) == rate) period = whole_rate / std::gcd(whole_rate, std::int64_t{kSampleRate});
            const double delay_in = soxr_delay(soxr) * rate / kSampleRate;
            // (the part in host-size blocks also measures how far the resampler's output lags)
            const auto wanted = static_cast<std::int64_t>(kPrimeFirst + std::max(16.0 * block, 32768.0) + 8.0 * delay_in);
            prime_in = period ? (wanted + period - 1) / period * period : 0;
            prime_out.assign(static_cast<std::size_t>(std::ceil(kPrimeFirst * kSampleRate / rate)) + 256, 0.0f);
            prime_zeros.assign(static_cast<std::size_t>(kPrimeFirst), 0.0f);
        } else {
            resampled.clear();
            prime_in = 0;
        }
        history.assign(32768, 0.0f);
        mel = mel_bank();
        semitones = semitone_bank();
        hann.resize(kNfft);
        for (int i = 0; i < kNfft; ++i) hann[i] = periodic_hann(i, kNfft);
        pitch_hann.resize(kPitchFft);
        for (int i = 0; i < kPitchFft; ++i) pitch_hann[i] = static_cast<float>(periodic_hann(i, kPitchFft));
        fft.assign(kNfft, 0.0);
        fft_w.assign(kNfft / 2, 0.0);
        fft_ip.assign(2 + static_cast<std::size_t>(std::sqrt(kNfft / 2.0)) + 2, 0);
        pitch_fft.assign(kPitchFft, 0.0);
        pitch_fft_w.assign(kPitchFft / 2, 0.0);
        pitch_fft_ip.assign(2 + static_cast<std::size_t>(std::sqrt(kPitchFft / 2.0)) + 2, 0);
        lsx_rdft(kNfft, 1, fft.data(), fft_ip.data(), fft_w.data());  // fills the tables (ip[0] == 0)
        lsx_rdft(kPitchFft, 1, pitch_fft.data(), pitch_fft_ip.data(), pitch_fft_w.data());
        pitch_bins.assign(kPitchFft / 2 + 1, 0.0);
        bright.clear();
        {
            const double top = hz_to_mel(kSampleRate / 2.0);
            for (int m = 0; m < kMels; ++m)
                if (mel_to_hz(top * (m + 1) / (kMels + 1)) >= kBrightHz) bright.push_back(m);
        }
        const double window_frames = settings.window_seconds * kSampleRate;
        time.items.assign(static_cast<std::size_t>(window_frames / kHop) + 2 * kTimeLookahead + kSlack / kHop + 32, TimeFrame{});
        pitch.items.assign(static_cast<std::size_t>(window_frames / kPitchHop) + kSlack / kPitchHop + 16, PitchFrame{});
        histogram.assign(kHistogramBins, 0);
        rows.assign(kRowQueue, FeatureRow{});
        loudness_sorted.assign(time.items.size(), 0.0f);
        reset();
    }

    void reset() noexcept {
        frames_in = 0;
        samples = 0;
        final_samples = -1;
        time_frames = pitch_frames = onsets_decided = 0;
        cumulative = 0;
        last_onset.fill(-1);
        std::fill(histogram.begin(), histogram.end(), 0u);
        heard = 0;
        reference_db = settings.level == LevelReference::Fixed ? settings.fixed_reference_db : 0.0;
        next_row = 0;
        row_head = row_count = 0;
        dropped = 0;
        previous_db.fill(0.0f);
        drop_out = 0;
        limit = std::numeric_limits<std::int64_t>::max();
        // after finish() the resampler's stream has ended: it starts afresh (this allocates)
        if (soxr && flushed) {
            soxr_clear(soxr);
            soxr_in = soxr_out = 0;
            flushed = false;
        }
        if (soxr && prime_in > 0) {
            // the priming zeros (after as many as put an earlier stream's end on a whole output
            // sample): one large push, then blocks of the host's size; all they make is dropped
            std::fill(mono.begin(), mono.end(), 0.0f);
            const std::int64_t align = period ? (period - soxr_in % period) % period : 0;
            for (std::int64_t left = prime_in + align; left > 0;) {
                const bool first = left == prime_in + align;
                const auto n = static_cast<std::size_t>(std::min<std::int64_t>(left, first ? kPrimeFirst : max_block));
                std::size_t used = 0, made = 0;
                soxr_process(soxr, first ? prime_zeros.data() : mono.data(), n, &used, prime_out.data(), prime_out.size(), &made);
                left -= static_cast<std::int64_t>(used);
                soxr_in += static_cast<std::int64_t>(used);
                soxr_out += static_cast<std::int64_t>(made);
                if (!first) lag = std::max(lag, static_cast<double>(soxr_in) * kSampleRate / rate - static_cast<double>(soxr_out));
                if (used == 0 && made == 0) break;
            }
            drop_out = period ? soxr_in * kSampleRate / static_cast<std::int64_t>(rate) - soxr_out : 0;
        }
    }

    // ---------------------------------------------------------------- input
    int process(const float* interleaved, int frames) noexcept {
        if (frames <= 0 || final_samples >= 0) return 0;
        const int before = row_count_total;
        for (int at = 0; at < frames;) {
            const int n = std::min(frames - at, max_block);
            const float* x = interleaved + static_cast<std::size_t>(at) * channels;
            for (int i = 0; i < n; ++i) {  // the mean of the channels, in float32 (numpy's samples.mean(axis=1))
                float sum = 0.0f;
                for (int c = 0; c < channels; ++c) sum += x[static_cast<std::size_t>(i) * channels + c];
                mono[i] = channels == 1 ? sum : sum / static_cast<float>(channels);
            }
            frames_in += n;
            if (soxr) {
                std::size_t offset = 0;
                while (offset < static_cast<std::size_t>(n)) {  // all of it, however the resampler takes it
                    std::size_t used = 0, made = 0;
                    soxr_process(soxr, mono.data() + offset, static_cast<std::size_t>(n) - offset, &used,
                                 resampled.data(), resampled.size(), &made);
                    soxr_in += static_cast<std::int64_t>(used);
                    soxr_out += static_cast<std::int64_t>(made);
                    take_resampled(resampled.data(), static_cast<std::int64_t>(made));
                    offset += used;
                    if (used == 0 && made == 0) break;
                }
            } else {
                take(mono.data(), n);
            }
            at += n;
        }
        return row_count_total - before;
    }
    int row_count_total = 0;

    void take_resampled(const float* x, std::int64_t n) noexcept {
        const std::int64_t skip = std::clamp<std::int64_t>(drop_out, 0, n);
        drop_out -= skip;
        take(x + skip, n - skip);
    }

    // resampled samples into the history, the frames and rows they complete after each step
    void take(const float* x, std::int64_t n) noexcept {
        const auto mask = static_cast<std::int64_t>(history.size()) - 1;
        n = std::max<std::int64_t>(0, std::min(n, limit - samples));  // finish(): nothing past the signal's length
        for (std::int64_t at = 0; at < n;) {
            const std::int64_t step = std::min<std::int64_t>(n - at, kSlack);
            for (std::int64_t i = 0; i < step; ++i) history[static_cast<std::size_t>((samples + i) & mask)] = x[at + i];
            samples += step;
            at += step;
            advance();
        }
    }

    float sample(std::int64_t j) const noexcept {
        if (j < 0 || j >= samples || (final_samples >= 0 && j >= final_samples)) return 0.0f;
        return history[static_cast<std::size_t>(j & (static_cast<std::int64_t>(history.size()) - 1))];
    }

    bool time_frame_ready(std::int64_t k) const noexcept {
        if (final_samples >= 0) return k <= final_samples / kHop;
        return k * kHop + kNfft / 2 <= samples;
    }
    bool pitch_frame_ready(std::int64_t k) const noexcept {
        if (final_samples >= 0) return k <= final_samples / kPitchHop;
        return k * kPitchHop + kPitchFft / 2 <= samples;
    }

    void advance() noexcept {
        while (time_frame_ready(time_frames)) make_time_frame();
        if (!make_rows) return;  // file_level_db: the time frames' loudness is all it reads
        while (pitch_frame_ready(pitch_frames)) make_pitch_frame();
        decide_onsets();
        while (row_ready()) make_row();
    }

    // ---------------------------------------------------------------- frames
    void make_time_frame() noexcept {
        const std::int64_t k = time_frames;
        const std::int64_t start = k * kHop - kNfft / 2;
        for (int i = 0; i < kNfft; ++i) fft[i] = static_cast<double>(sample(start + i)) * hann[i];
        lsx_rdft(kNfft, 1, fft.data(), fft_ip.data(), fft_w.data());
        bins[0] = fft[0] * fft[0];
        bins[kNfft / 2] = fft[1] * fft[1];
        for (int b = 1; b < kNfft / 2; ++b) bins[b] = fft[2 * b] * fft[2 * b] + fft[2 * b + 1] * fft[2 * b + 1];
        std::array<float, kMels> power{}, db{};
        float total = 0.0f;
        for (int m = 0; m < kMels; ++m) {
            const auto& w = mel.weights[m];
            const double* from = bins.data() + mel.first[m];
            double sum = 0.0;
            for (std::size_t i = 0; i < w.size(); ++i) sum += w[i] * from[i];
            power[m] = static_cast<float>(sum);
            total += power[m];
            db[m] = 10.0f * std::log10(std::max(power[m], kAminF));
        }
        TimeFrame& frame = time[k];
        frame.loudness = 10.0f * std::log10(std::max(total, kAminF));
        hear(frame.loudness);
        const auto floor_db = static_cast<float>(reference_db - kFluxFloorDb);
        const auto floor_power = static_cast<float>(std::pow(10.0, (reference_db - kFluxFloorDb) / 10.0));
        float rise = 0.0f, log_sum = 0.0f, floored_sum = 0.0f, bright_sum = 0.0f;
        for (int m = 0; m < kMels; ++m) {
            const float now = std::max(db[m], floor_db);
            const float before = k == 0 ? now : std::max(previous_db[m], floor_db);
            rise += std::max(now - before, 0.0f);
            const float floored = std::max(power[m], floor_power);
            log_sum += std::log(floored);
            floored_sum += floored;
        }
        for (int m : bright) bright_sum += std::max(power[m], floor_power);
        previous_db = db;
        frame.flux = rise / static_cast<float>(kMels);
        frame.flatness = std::exp(log_sum / static_cast<float>(kMels)) / (floored_sum / static_cast<float>(kMels));
        frame.brightness = 10.0f * std::log10(bright_sum / floored_sum);
        cumulative += frame.flux;
        frame.cumulative_flux = cumulative;
        std::copy(power.begin(), power.begin() + kContextBands, frame.context.begin());
        frame.onsets = 0;
        ++time_frames;
    }

    void make_pitch_frame() noexcept {
        const std::int64_t k = pitch_frames;
        const std::int64_t start = k * kPitchHop - kPitchFft / 2;
        for (int i = 0; i < kPitchFft; ++i) pitch_fft[i] = static_cast<double>(sample(start + i) * pitch_hann[i]);
        lsx_rdft(kPitchFft, 1, pitch_fft.data(), pitch_fft_ip.data(), pitch_fft_w.data());
        pitch_bins[0] = pitch_fft[0] * pitch_fft[0];
        pitch_bins[kPitchFft / 2] = pitch_fft[1] * pitch_fft[1];
        for (int b = 1; b < kPitchFft / 2; ++b)
            pitch_bins[b] = pitch_fft[2 * b] * pitch_fft[2 * b] + pitch_fft[2 * b + 1] * pitch_fft[2 * b + 1];
        PitchFrame& frame = pitch[k];
        std::array<float, kPitches> db{};
        float top = -std::numeric_limits<float>::infinity();
        for (int p = 0; p < kPitches; ++p) {
            const auto& w = semitones.weights[p];
            const double* from = pitch_bins.data() + semitones.first[p];
            double sum = 0.0;
            for (std::size_t i = 0; i < w.size(); ++i) sum += w[i] * from[i];
            frame.power[p] = static_cast<float>(sum);
            db[p] = 10.0f * std::log10(std::max(frame.power[p], kAminF));
            top = std::max(top, db[p]);
        }
        // ml5_audio.features.frame_chroma: the notes' amplitude relative to the frame's loudest
        std::array<double, kPitches> left{};
        float total = 0.0f;
        for (int p = 0; p < kPitches; ++p) {
            left[p] = static_cast<double>(frame.power[p]);
            total += frame.power[p];
        }
        frame.level_db = 10.0f * std::log10(std::max(total, kAminF));
        detail::salience(left);
        double loudest = 0.0;
        for (int p = 0; p < kPitches; ++p) loudest = std::max(loudest, left[p] = std::sqrt(left[p]));
        frame.chroma.fill(0.0);
        for (int p = 0; p < kPitches; ++p) frame.chroma[p % 12] += loudest > 0 ? left[p] / loudest : 0.0;
        // ml5_audio.features._lowest_peaks: the lowest local peak within PEAK_DB of the loudest band
        frame.lowest_peak = -1;
        if (top > static_cast<float>(10.0 * std::log10(kAmin) + 1.0)) {
            const float strong = top - static_cast<float>(kPeakDb);
            for (int p = 0; p < kPitches; ++p) {
                const float up = p > 0 ? db[p - 1] : -std::numeric_limits<float>::infinity();
                const float down = p + 1 < kPitches ? db[p + 1] : -std::numeric_limits<float>::infinity();
                if (db[p] >= up && db[p] > down && db[p] >= strong) {
                    frame.lowest_peak = p;
                    break;
                }
            }
        }
        ++pitch_frames;
    }

    // ml5_audio.features.onset_frames, frame by frame once the frames after it are known
    void decide_onsets() noexcept {
        const bool ended = final_samples >= 0;
        while (onsets_decided < time_frames && (ended || onsets_decided + kTimeLookahead < time_frames)) {
            const std::int64_t t = onsets_decided, n = time_frames;
            const float flux = time[t].flux;
            float local_max = -std::numeric_limits<float>::infinity();
            for (std::int64_t j = std::max<std::int64_t>(0, t - kOnsetSpan); j <= std::min(n - 1, t + kOnsetSpan); ++j)
                local_max = std::max(local_max, time[j].flux);
            const std::int64_t lo = std::max<std::int64_t>(0, t - kOnsetMeanSpan), hi = std::min(n, t + kOnsetMeanSpan + 1);
            const double upper = time[hi - 1].cumulative_flux, lower = lo > 0 ? time[lo - 1].cumulative_flux : 0.0;
            const double local_mean = (upper - lower) / static_cast<double>(hi - lo);
            std::uint8_t bits = 0;
            for (std::size_t d = 0; d <= kOnsetDeltas.size(); ++d) {
                const double delta = d == 0 ? kOnsetDelta : kOnsetDeltas[d - 1];
                if (flux >= local_max && flux >= local_mean + delta && (last_onset[d] < 0 || t - last_onset[d] >= kOnsetGap)) {
                    bits = static_cast<std::uint8_t>(bits | (1u << d));
                    last_onset[d] = t;
                }
            }
            time[t].onsets = bits;
            ++onsets_decided;
        }
    }

    // ---------------------------------------------------------------- level
    void hear(float loudness) noexcept {
        if (settings.level == LevelReference::Fixed) return;
        const double at = std::round((static_cast<double>(loudness) - kHistogramLow) / kHistogramStep);
        const auto bin = static_cast<std::size_t>(std::clamp(at, 0.0, static_cast<double>(kHistogramBins - 1)));
        ++histogram[bin];
        ++heard;
        // the percentile of the frames heard so far (bin centres), numpy's linear rule
        const double index = static_cast<double>(heard - 1) * (kLevelPercentile / 100.0);
        const auto below = static_cast<std::uint64_t>(std::floor(index));
        const double g = index - static_cast<double>(below);
        double a = 0, b = 0;
        std::uint64_t seen = 0;
        bool found_a = false;
        for (std::size_t i = 0; i < histogram.size(); ++i) {
            seen += histogram[i];
            const double value = kHistogramLow + kHistogramStep * static_cast<double>(i);
            if (!found_a && seen > below) a = value, found_a = true;
            if (seen > below + 1 || (seen > below && below + 1 >= heard)) {
                b = value;
                break;
            }
        }
        reference_db = a + (b - a) * g;
    }

    // ---------------------------------------------------------------- rows
    void row_span(std::int64_t i, double& begin, double& end) const noexcept {
        begin = static_cast<double>(i) * settings.hop_seconds;
        end = begin + settings.window_seconds;
    }

    bool row_due_at_end(std::int64_t i) const noexcept {  // after finish(): rows that lie in the input
        const double duration = static_cast<double>(final_samples) / kSampleRate;
        if (settings.hop_seconds == settings.window_seconds)
            return static_cast<double>(i) < py_floordiv(duration, settings.window_seconds) ||
                   (i == 0 && settings.window_seconds >= duration);
        double begin, end;
        row_span(i, begin, end);
        return end <= duration || (i == 0 && settings.window_seconds >= duration);
    }

    bool row_ready() const noexcept {
        if (!make_rows) return false;
        double begin, end;
        row_span(next_row, begin, end);
        if (final_samples >= 0) return row_due_at_end(next_row);
        // every frame centred up to the window's end made, and the onsets of its time frames decided
        // (the last frame centred in the window, with room for the rounding of its bounds)
        const auto last_time = static_cast<std::int64_t>(std::floor(end * kSampleRate / kHop + 1e-6));
        const auto last_pitch = static_cast<std::int64_t>(std::floor(end * kSampleRate / kPitchHop + 1e-6));
        return onsets_decided > last_time && pitch_frames > last_pitch;
    }

    void make_row() noexcept {
        double a, b;
        row_span(next_row, a, b);
        const std::int64_t index = next_row++;
        if (final_samples >= 0 && index == 0 && settings.window_seconds >= static_cast<double>(final_samples) / kSampleRate)
            b = static_cast<double>(final_samples) / kSampleRate;  // the whole input as one row
        FeatureRow& row = rows[static_cast<std::size_t>((row_head + row_count) % kRowQueue)];
        if (row_count == kRowQueue) {  // the oldest unread row makes room
            row_head = (row_head + 1) % kRowQueue;
            ++dropped;
        } else {
            ++row_count;
        }
        ++row_count_total;
        row.start = a;
        row.end = b;
        row.reference_db = reference_db;
        // as ml5 infer: the window centred on its span, `window_seconds` wide (wider than a short input)
        const double centre = (a + b) / 2, width = settings.window_seconds;
        window(centre - width / 2, centre + width / 2, row.raw.data());
        context(std::max(a, b - kContextSeconds), b, row.context.data());
        for (int f = 0; f < kFeatures; ++f)
            row.input[f] = standardise ? (row.raw[f] - mean[f]) / std_dev[f] : row.raw[f];
    }

    // ml5_audio.features._window: the 128 raw features of the frames centred in [begin, end]
    void window(double begin, double end, float* out) noexcept {
        std::int64_t p0, p1, t0, t1;
        inside(begin, end, pitch_frames, kPitchHop, p0, p1);
        inside(begin, end, time_frames, kHop, t0, t1);
        std::array<double, kPitches> power{}, db{};
        for (std::int64_t k = p0; k <= p1; ++k)
            for (int p = 0; p < kPitches; ++p) power[p] += pitch[k].power[p];
        const double pitch_count = static_cast<double>(std::max<std::int64_t>(1, p1 - p0 + 1));
        double top = -std::numeric_limits<double>::infinity();
        for (int p = 0; p < kPitches; ++p) {
            power[p] = static_cast<double>(static_cast<float>(power[p] / pitch_count));  // a float32 mean, as Python's
            db[p] = 10.0 * std::log10(std::max(power[p], kAmin));
            top = std::max(top, db[p]);
        }
        const bool silent = top <= 10.0 * std::log10(kAmin) + 1.0;
        for (int i = 0; i < kBandCount; ++i) {
            const int p = kBandFirst - kLowestPitch + i;
            out[i] = silent ? -1.0f : static_cast<float>(std::max(db[p] - (top - kRangeDb), 0.0) / kRangeDb * 2.0 - 1.0);
        }
        std::array<double, kPitches> left = power;
        detail::salience(left);
        std::array<double, 12> chroma{}, bass{};
        std::array<double, 8> octaves{};
        for (int p = 0; p < kPitches; ++p) octaves[p / 12] += silent ? 0.0 : std::sqrt(left[p]);
        // the chroma of the frames heard: within RANGE_DB of the window's loudest frame
        float loudest_db = -std::numeric_limits<float>::infinity();
        for (std::int64_t k = p0; k <= p1; ++k) loudest_db = std::max(loudest_db, pitch[k].level_db);
        for (std::int64_t k = p0; k <= p1 && !silent; ++k)
            if (pitch[k].level_db >= loudest_db - static_cast<float>(kRangeDb))
                for (int c = 0; c < 12; ++c) chroma[c] += pitch[k].chroma[c];
        profile(chroma.data(), 12, out + kChromaAt);
        int found = 0;
        std::array<int, kPitches> lowest_counts{};
        for (std::int64_t k = p0; k <= p1; ++k) {
            const int peak = pitch[k].lowest_peak;
            if (peak < 0) continue;
            bass[(kLowestPitch + peak) % 12] += 1.0;
            ++lowest_counts[peak];
            ++found;
        }
        profile(bass.data(), 12, out + kBassAt);
        profile(octaves.data(), 8, out + kOctavesAt);
        // time-frame statistics
        const std::int64_t frames = t1 - t0 + 1;
        double energy = 0, flux_sum = 0, flatness_sum = 0, brightness_sum = 0, loud_sum = 0;
        float loud_max = -std::numeric_limits<float>::infinity();
        int onsets = 0;
        std::array<int, kOnsetDeltas.size()> onsets_at{};
        for (std::int64_t k = t0; k <= t1; ++k) {
            const TimeFrame& f = time[k];
            const auto i = static_cast<std::size_t>(k - t0);
            loudness_sorted[i] = f.loudness;
            energy += static_cast<float>(std::pow(10.0f, f.loudness / 10.0f));
            loud_sum += f.loudness;
            loud_max = std::max(loud_max, f.loudness);
            flux_sum += f.flux;
            flatness_sum += f.flatness;
            brightness_sum += f.brightness;
            if (f.onsets & 1u) ++onsets;
            for (std::size_t d = 0; d < kOnsetDeltas.size(); ++d)
                if (f.onsets & (1u << (d + 1))) ++onsets_at[d];
        }
        const double n = static_cast<double>(frames);
        const double loud_mean = loud_sum / n, flux_mean = flux_sum / n;
        double loud_var = 0, flux_var = 0;
        for (std::int64_t k = t0; k <= t1; ++k) {
            loud_var += (time[k].loudness - loud_mean) * (time[k].loudness - loud_mean);
            flux_var += (time[k].flux - flux_mean) * (time[k].flux - flux_mean);
        }
        std::sort(loudness_sorted.begin(), loudness_sorted.begin() + frames);
        const double ref = reference_db;
        const double level = 10.0 * std::log10(std::max(static_cast<double>(static_cast<float>(energy / n)), kAmin)) - ref;
        const double seconds = std::max(end - begin, static_cast<double>(kHop) / kSampleRate);
        double weight_sum = 0;
        for (double v : power) weight_sum += v;
        double centre = 0, spread = 0;
        for (int p = 0; p < kPitches; ++p) centre += (silent ? 1.0 / kPitches : power[p] / weight_sum) * (kLowestPitch + p);
        for (int p = 0; p < kPitches; ++p) {
            const double w = silent ? 1.0 / kPitches : power[p] / weight_sum;
            spread += w * (kLowestPitch + p - centre) * (kLowestPitch + p - centre);
        }
        int highest = 0;
        for (int p = 0; p < kPitches; ++p)
            if (db[p] >= top - kPeakDb) highest = kLowestPitch + p;
        double lowest = 0.0;
        if (found && !silent) {  // the median of the frames' lowest peaks: the middle one, or the mean of the two
            int seen = 0, lo_value = -1, hi_value = -1;
            for (int p = 0; p < kPitches; ++p) {
                seen += lowest_counts[p];
                if (lo_value < 0 && seen > (found - 1) / 2) lo_value = p;
                if (hi_value < 0 && seen > found / 2) hi_value = p;
            }
            lowest = ((kLowestPitch + lo_value + kLowestPitch + hi_value) / 2.0 - 48.0) / 24.0;
        }
        double major, minor;
        key_correlations(chroma.data(), major, minor);
        const double scalars[kScalars] = {
            std::clamp(level / 30.0, -2.0, 1.0),
            std::clamp((static_cast<double>(loud_max) - ref) / 30.0, -2.0, 1.0),
            std::min(std::sqrt(loud_var / n) / 10.0, 3.0),
            std::min(onsets / seconds / 8.0, 3.0),
            std::min(flux_mean / kFluxScale, 3.0),
            std::min(std::sqrt(flux_var / n) / kFluxScale, 3.0),
            std::clamp((centre - 60.0) / 24.0, -2.0, 2.0),
            std::sqrt(spread) / 24.0,
            lowest,
            silent ? 0.0 : (highest - 72.0) / 24.0,
            flatness_sum / n,
            std::clamp(brightness_sum / n / 30.0, -3.0, 0.0),
            std::tanh(4.0 * (major - minor)),
            std::max(major, minor),
        };
        for (int i = 0; i < kScalars; ++i) out[kScalarsAt + i] = static_cast<float>(scalars[i]);
        for (std::size_t d = 0; d < kOnsetDeltas.size(); ++d)
            out[kRhythmAt + d] = static_cast<float>(std::min(onsets_at[d] / seconds / 8.0, 3.0));
        for (std::size_t q = 0; q < kLoudnessPercentiles.size(); ++q) {
            const double value = percentile_sorted(loudness_sorted.data(), static_cast<std::size_t>(frames), kLoudnessPercentiles[q]);
            out[kRhythmAt + kOnsetDeltas.size() + q] = static_cast<float>(std::clamp((value - ref) / 30.0, -2.0, 1.0));
        }
    }

    // ml5_audio.features.harmony_context over the time frames centred in [begin, end)
    void context(double begin, double end, float* out) noexcept {
        std::int64_t first = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(begin * kSampleRate / kHop)) - 1);
        while (first < time_frames && frame_time(first, kHop) < begin) ++first;
        std::int64_t last = first - 1;
        while (last + 1 < time_frames && frame_time(last + 1, kHop) < end) ++last;
        if (first > last) {  // none inside: the nearest
            std::int64_t nearest_first, nearest_last;
            inside((begin + end) / 2, (begin + end) / 2, time_frames, kHop, nearest_first, nearest_last);
            first = last = nearest_first;
        }
        std::array<double, kContextBands> band{};
        for (std::int64_t k = first; k <= last; ++k)
            for (int m = 0; m < kContextBands; ++m) band[m] += time[k].context[m];
        const double count = static_cast<double>(std::max<std::int64_t>(1, last - first + 1));
        double top = 0.0;
        for (int m = 0; m < kContextBands; ++m) {
            const double mean_power = static_cast<double>(static_cast<float>(band[m] / count));
            band[m] = mean_power > kAmin ? mean_power : 0.0;
            top = std::max(top, band[m]);
        }
        for (int m = 0; m < kContextBands; ++m) {
            if (!(top > 0)) {
                out[m] = -1.0f;
                continue;
            }
            const double db = 10.0 * std::log10(std::max(band[m], 1e-30) / top);
            out[m] = static_cast<float>(std::max(db, -kContextRangeDb) / kContextRangeDb);
        }
    }

    // ---------------------------------------------------------------- end of input
    int finish() noexcept {
        if (final_samples >= 0) return 0;
        const int before = row_count_total;
        if (soxr) {  // the resampler's tail; the signal trimmed or zero-padded to ceil(n · 22050 / rate), as Python's
            limit = static_cast<std::int64_t>(std::ceil(static_cast<double>(frames_in) * kSampleRate / rate));
            for (int guard = 0; guard < 1 << 20; ++guard) {
                std::size_t made = 0;
                soxr_process(soxr, nullptr, 0, nullptr, resampled.data(), resampled.size(), &made);
                flushed = true;
                soxr_out += static_cast<std::int64_t>(made);
                if (made == 0) break;
                take_resampled(resampled.data(), static_cast<std::int64_t>(made));
            }
            final_samples = limit;
        } else {
            final_samples = samples;
        }
        advance();
        return row_count_total - before;
    }
};

AudioFrontEnd::AudioFrontEnd() : state_(std::make_unique<State>()) {}
AudioFrontEnd::~AudioFrontEnd() = default;

void AudioFrontEnd::prepare(double sample_rate, int max_block, int channels, const FrontEndSettings& settings) {
    state_->prepare(sample_rate, max_block, channels, settings);
}

void AudioFrontEnd::set_standardisation(const float* mean, const float* std_dev) {
    for (int f = 0; f < kFeatures; ++f)
        if (!(std_dev[f] >= static_cast<float>(kStdFloor) * 0.999f) || !std::isfinite(mean[f]))
            throw std::invalid_argument("input_standardisation: feature " + std::to_string(f) + " has std " +
                                        std::to_string(std_dev[f]) + " and mean " + std::to_string(mean[f]) +
                                        ": a std must be at least " + std::to_string(kStdFloor) + " and a mean finite");
    std::copy(mean, mean + kFeatures, state_->mean.begin());
    std::copy(std_dev, std_dev + kFeatures, state_->std_dev.begin());
    state_->standardise = true;
}

void AudioFrontEnd::clear_standardisation() noexcept { state_->standardise = false; }

int AudioFrontEnd::process(const float* interleaved, int frames) noexcept {
    if (state_->max_block == 0) return 0;  // not prepared
    return state_->process(interleaved, frames);
}

int AudioFrontEnd::finish() noexcept { return state_->max_block ? state_->finish() : 0; }

bool AudioFrontEnd::pop_row(FeatureRow& out) noexcept {
    AudioFrontEnd::State& s = *state_;
    if (s.row_count == 0) return false;
    out = s.rows[static_cast<std::size_t>(s.row_head)];
    s.row_head = (s.row_head + 1) % kRowQueue;
    --s.row_count;
    return true;
}

void AudioFrontEnd::reset() noexcept {
    if (state_->max_block) state_->reset();
}

int AudioFrontEnd::latency_samples() const noexcept {
    const AudioFrontEnd::State& s = *state_;
    // at 22,050 Hz: the last pitch frame's half (4096) or the onset look-ahead of the last time
    // frame (10 hops and a half frame: 6144), whichever is longer; then the resampler's delay.
    // A row is complete this many samples after its end, within the block that brings them.
    const double at_22050 = std::max(kPitchFft / 2, kTimeLookahead * kHop + kNfft / 2);
    const double resampler = s.soxr ? s.lag : 0.0;
    return static_cast<int>(std::ceil((at_22050 + resampler) * s.rate / kSampleRate));
}

double AudioFrontEnd::sample_rate() const noexcept { return state_->rate; }
const FrontEndSettings& AudioFrontEnd::settings() const noexcept { return state_->settings; }
std::uint64_t AudioFrontEnd::dropped_rows() const noexcept { return state_->dropped; }
double AudioFrontEnd::seconds_in() const noexcept {
    return state_->rate > 0 ? static_cast<double>(state_->frames_in) / state_->rate : 0.0;
}

// ---------------------------------------------------------------------------------------------

double file_level_db(const float* interleaved, std::size_t frames, int channels, double sample_rate, int block) {
    // the loudness of every time frame, through the same resampling and spectrum as the rows
    AudioFrontEnd front;
    FrontEndSettings settings;
    settings.window_seconds = settings.hop_seconds = 600.0;  // no row is made; the ring holds every frame of a block
    settings.level = LevelReference::Fixed;
    front.prepare(sample_rate, block, channels, settings);
    std::vector<float> loudness;
    AudioFrontEnd::State& s = *front.state_;
    s.make_rows = false;  // time frames only
    for (std::size_t at = 0; at < frames;) {
        const auto n = static_cast<int>(std::min<std::size_t>(frames - at, static_cast<std::size_t>(block)));
        const std::int64_t before = s.time_frames;
        s.process(interleaved + at * static_cast<std::size_t>(channels), n);
        for (std::int64_t k = before; k < s.time_frames; ++k) loudness.push_back(s.time[k].loudness);
        at += static_cast<std::size_t>(n);
    }
    const std::int64_t before = s.time_frames;
    s.finish();
    for (std::int64_t k = before; k < s.time_frames; ++k) loudness.push_back(s.time[k].loudness);
    if (loudness.empty()) return 0.0;
    std::sort(loudness.begin(), loudness.end());
    // np.percentile of float32 loudness with a scalar q is float32
    return static_cast<double>(static_cast<float>(percentile_sorted(loudness.data(), loudness.size(), kLevelPercentile)));
}

std::vector<FeatureRow> analyse_file(const float* interleaved, std::size_t frames, int channels, double sample_rate,
                                     double window_seconds, int block, const float* mean, const float* std_dev) {
    if (!(window_seconds >= 0.0)) throw std::invalid_argument("window_seconds must be 0 (the whole file) or more");
    FrontEndSettings settings;
    const double duration = std::ceil(static_cast<double>(frames) * kSampleRate / sample_rate) / kSampleRate;
    // 0: the whole file as one row; a window longer than the file: one row too, as ml5 infer
    settings.window_seconds = window_seconds > 0.0 ? window_seconds : std::max(duration, 1.0 / kSampleRate);
    settings.hop_seconds = settings.window_seconds;
    settings.level = LevelReference::Fixed;
    settings.fixed_reference_db = file_level_db(interleaved, frames, channels, sample_rate, block);
    AudioFrontEnd front;
    front.prepare(sample_rate, block, channels, settings);
    if (mean && std_dev) front.set_standardisation(mean, std_dev);
    std::vector<FeatureRow> rows;
    FeatureRow row;
    for (std::size_t at = 0; at < frames;) {
        const auto n = static_cast<int>(std::min<std::size_t>(frames - at, static_cast<std::size_t>(block)));
        front.process(interleaved + at * static_cast<std::size_t>(channels), n);
        while (front.pop_row(row)) rows.push_back(row);
        at += static_cast<std::size_t>(n);
    }
    front.finish();
    while (front.pop_row(row)) rows.push_back(row);
    return rows;
}

}  // namespace ml5::audio
