// ml5-example-host: a command-line stand-in for a plugin that links the ml5 runtime.
//
// A simulated audio thread calls the callback (AudioHost::process_block) once per block —
// 256 samples at 48 kHz, every 5.33 ms — and each call submits one 128-feature frame to the
// processor's async pipeline and takes the results that are ready. A second thread, the
// "message thread", reloads one model from the folder mid-stream, as a plugin does after a
// training run. At the end it reports per-callback timing of submit + poll, callbacks whose
// own work outlasted the block (missed), the results, and what the callbacks saw while the
// reload ran.
//
//   ml5-example-host MODELS_DIR [--seconds S] [--reload MODEL] [--reload-at S] [--fast]
//                    [--no-rt] [--rate HZ] [--block N] [--precision fp32|fp16] [--json]
//   ml5-example-host MODELS_DIR --play FILE [--window S] [--hop S] [--file-level] [--block N] [--fast]
//                    [--no-rt] [--json]
//
// --play: a real file (WAV, FLAC or MP3, any rate, mono or stereo) through the callback at the
// file's rate: each call hands its block to ml5::AudioChain (the audio front end, then the five
// networks on the async pipeline's worker every hop) and takes the results that are ready; the
// driver prints the chord timeline and valence/arousal as results arrive, and at the end the
// front end's and the callback's timing, missed callbacks and the allocations counted on the
// audio thread. The level loudness is read against is the running one a plugin has (the
// frames heard so far); --file-level measures the whole file's first, as ml5 infer does, so
// that the rows are ml5 infer's.
//
// As an audio driver does, the audio thread asks for real-time scheduling (SCHED_FIFO) where
// the system grants it (--no-rt: it does not ask); the report says whether it got it. Without
// it, the worker thread woken by submit() may take the audio thread's core for a whole
// pipeline run, and the callback's time shows it.
//
// Exit codes: 0 the stream ran and the reload worked, with no missed callback; 1 a model did
// not load, the reload failed or a callback was missed; 2 usage error.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#include <sched.h>
#endif

#include "audio_file.hpp"
#include "audio_host.hpp"
#include "ml5/ml5.hpp"

namespace {

using example::Clock;

struct Options {
    std::string models;
    double seconds = 2.0;
    double reload_at = -1.0;  // seconds into the stream; default: halfway
    std::string reload = "melody";
    bool paced = true;        // false (--fast): blocks back to back, not at the audio rate
    bool realtime = true;     // ask for SCHED_FIFO on the audio thread
    double rate = 48000.0;
    int block = 256;
    ml5::Precision precision = ml5::Precision::fp32;
    bool json = false;
    std::string play;  // --play FILE
    double window = 4.0, hop = 1.0;
    bool file_level = false;  // --file-level: the file's level measured first, as ml5 infer does
};

[[noreturn]] void usage_error(const std::string& message) {
    std::fprintf(stderr,
                 "ml5-example-host: %s\n"
                 "usage: ml5-example-host MODELS_DIR [--seconds S] [--reload MODEL] [--reload-at S] [--fast]\n"
                 "                        [--no-rt] [--rate HZ] [--block N] [--precision fp32|fp16] [--json]\n"
                 "       ml5-example-host MODELS_DIR --play FILE [--window S] [--hop S] [--file-level] [--block N]\n"
                 "                        [--fast] [--no-rt] [--json]\n",
                 message.c_str());
    std::exit(2);
}

double positive_number(const char* flag, const char* text) {
    char* end = nullptr;
    const double v = std::strtod(text, &end);
    if (end == text || *end != '\0' || !std::isfinite(v) || v <= 0)
        usage_error(std::string(flag) + ": expected a positive number, got \"" + text + "\"");
    return v;
}

int whole_number(const char* flag, const char* text, long lo, long hi) {
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE || v < lo || v > hi)
        usage_error(std::string(flag) + ": expected a whole number from " + std::to_string(lo) + " to " +
                    std::to_string(hi) + ", got \"" + text + "\"");
    return static_cast<int>(v);
}

const ml5::ModelSlot* find_slot(const std::string& name) {
    for (const ml5::ModelSlot& s : ml5::kModelSlots)
        if (name == s.name || name == s.stem || name == s.title) return &s;
    return nullptr;
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) usage_error(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--seconds") o.seconds = positive_number("--seconds", value());
        else if (arg == "--reload-at") o.reload_at = positive_number("--reload-at", value());
        else if (arg == "--reload") o.reload = value();
        else if (arg == "--rate") o.rate = positive_number("--rate", value());
        else if (arg == "--block") o.block = whole_number("--block", value(), 1, 1 << 20);
        else if (arg == "--fast") o.paced = false;
        else if (arg == "--no-rt") o.realtime = false;
        else if (arg == "--json") o.json = true;
        else if (arg == "--play") o.play = value();
        else if (arg == "--window") o.window = positive_number("--window", value());
        else if (arg == "--hop") o.hop = positive_number("--hop", value());
        else if (arg == "--file-level") o.file_level = true;
        else if (arg == "--precision") {
            try {
                o.precision = ml5::precision_from_string(value());
            } catch (const std::invalid_argument& e) {
                usage_error(std::string("--precision: ") + e.what());
            }
        } else if (!arg.empty() && arg[0] == '-') usage_error("unknown option " + arg);
        else if (o.models.empty()) o.models = arg;
        else usage_error("one models folder expected, got a second: " + arg);
    }
    if (o.models.empty()) usage_error("the models folder is missing");
    if (!o.play.empty()) return o;  // the file sets the rate and the length
    if (!find_slot(o.reload)) usage_error("--reload: unknown model \"" + o.reload + "\" (emotion, melody, harmony, dynamics, groove)");
    if (o.reload_at < 0) o.reload_at = o.seconds / 2;
    if (o.reload_at >= o.seconds) usage_error("--reload-at must fall within --seconds");
    const double callbacks = o.seconds * o.rate / o.block;
    if (callbacks < 2 || o.reload_at * o.rate / o.block < 1)
        usage_error("--seconds and --reload-at give " + std::to_string(static_cast<long long>(callbacks)) +
                    " callbacks, the reload at callback " + std::to_string(static_cast<long long>(o.reload_at * o.rate / o.block)) +
                    ": a run needs callbacks before and after its reload");
    return o;
}

// The host's feature extractor would fill this from the audio; the example makes a frame
// that changes from block to block.
void make_features(std::size_t block, float* features) {
    for (int i = 0; i < ml5::kFeatureSize; ++i)
        features[i] = 0.8f * std::sin(0.05f * static_cast<float>(block) + 0.1f * static_cast<float>(i));
}

// Real-time scheduling for the calling thread only (threads started later would inherit it);
// false where the system refuses (no privilege) or has none.
bool make_this_thread_realtime() {
#if defined(__unix__) || defined(__APPLE__)
    sched_param param{};
    param.sched_priority = sched_get_priority_min(SCHED_FIFO) + 10;
    return pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0;
#else
    return false;
#endif
}

struct ReloadRecord {
    std::atomic<bool> started{false};
    std::size_t requested_at_block = 0;
    std::int64_t start_ns = 0, end_ns = 0;  // from the start of the stream
    ml5::ReloadResult result;
    std::uint64_t generation_before = 0;
};

// The message thread: once the audio thread has run `at_block` callbacks, reload the model.
void reload_when_due(ml5::MultiModelProcessor& proc, ml5::ModelType type, std::size_t at_block,
                     const std::atomic<std::size_t>& blocks_done, Clock::time_point stream_start, ReloadRecord& rec) {
    while (blocks_done.load(std::memory_order_acquire) < at_block)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    rec.requested_at_block = blocks_done.load(std::memory_order_acquire);
    rec.generation_before = proc.status(type).generation;
    rec.started.store(true, std::memory_order_release);
    const Clock::time_point t0 = Clock::now();
    rec.result = proc.reloadModel(type);
    const Clock::time_point t1 = Clock::now();
    rec.start_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t0 - stream_start).count();
    rec.end_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - stream_start).count();
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += {'\\', c};
        else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else out += c;
    }
    return out + "\"";
}

double percentile_us(const std::vector<std::int64_t>& sorted_ns, double q) {  // nearest rank
    if (sorted_ns.empty()) return 0.0;
    const std::size_t rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted_ns.size())));
    return static_cast<double>(sorted_ns[std::min(sorted_ns.size(), std::max<std::size_t>(rank, 1)) - 1]) / 1e3;
}

// What the callbacks saw: over the whole stream, and over the reload's time span.
struct Summary {
    std::size_t callbacks = 0, missed = 0, late_wakeups = 0;
    double p50_us = 0, p99_us = 0, max_us = 0;
    std::uint64_t results = 0, frames_rejected = 0;
    double longest_gap_us = 0;  // between the starts of consecutive callbacks
};

Summary summarise(const std::vector<example::CallbackRecord>& records, std::size_t from, std::size_t to,
                  std::int64_t period_ns, bool paced) {
    Summary s;
    std::vector<std::int64_t> durations;
    durations.reserve(to - from);
    for (std::size_t k = from; k < to; ++k) {
        const example::CallbackRecord& r = records[k];
        durations.push_back(r.duration_ns);
        s.missed += r.duration_ns > period_ns;
        // Woken more than a block after its time: the simulated driver's scheduling, not the callback.
        s.late_wakeups += paced && r.start_ns - static_cast<std::int64_t>(k) * period_ns > period_ns;
        s.results += r.results;
        s.frames_rejected += !r.submitted;
        if (k > from) s.longest_gap_us = std::max(s.longest_gap_us, static_cast<double>(r.start_ns - records[k - 1].start_ns) / 1e3);
    }
    std::sort(durations.begin(), durations.end());
    s.callbacks = durations.size();
    s.p50_us = percentile_us(durations, 0.50);
    s.p99_us = percentile_us(durations, 0.99);
    s.max_us = durations.empty() ? 0.0 : static_cast<double>(durations.back()) / 1e3;
    return s;
}

std::string summary_json(const Summary& s) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "{\"run\": %zu, \"p50_us\": %.3f, \"p99_us\": %.3f, \"max_us\": %.3f, \"missed\": %zu, "
                  "\"late_wakeups\": %zu, \"results\": %llu, \"frames_rejected\": %llu, \"longest_gap_us\": %.1f}",
                  s.callbacks, s.p50_us, s.p99_us, s.max_us, s.missed, s.late_wakeups,
                  static_cast<unsigned long long>(s.results), static_cast<unsigned long long>(s.frames_rejected),
                  s.longest_gap_us);
    return buf;
}

// ---------------------------------------------------------------------------------------------
// --play: a real file through the audio chain.

// Allocations counted on the audio thread only (alloc_hooks.hpp replaces operator new/delete
// and, on glibc, malloc and friends, and calls these).
thread_local bool t_in_callback = false;
std::atomic<long> g_audio_thread_allocations{0};

struct PlayRecord {
    std::int64_t front_ns = 0;     // chain.process(): the front end (and a submit when a row completes)
    std::int64_t callback_ns = 0;  // the whole callback: process and poll
};

int play_file(const Options& opt, ml5::MultiModelProcessor& proc, int loaded) {
    ml5tools::AudioFile file;
    try {
        file = ml5tools::decode_audio_file(opt.play);
    } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "ml5-example-host: %s\n", e.what());
        return 1;
    }
    const int block = opt.block, channels = file.channels;
    const double rate = file.sample_rate;
    ml5::AudioChain chain(proc);
    ml5::audio::FrontEndSettings settings;
    settings.window_seconds = opt.window;
    settings.hop_seconds = opt.hop;
    if (opt.file_level) {
        settings.level = ml5::audio::LevelReference::Fixed;
        settings.fixed_reference_db = ml5::audio::file_level_db(file.samples.data(), file.frames(), channels, rate, block);
    }
    try {
        chain.prepare(rate, block, channels, settings);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ml5-example-host: %s\n", e.what());
        return 1;
    }
    // the file, then silence for as long as the last row needs to complete
    const std::size_t frames = file.frames();
    const std::size_t total = frames + static_cast<std::size_t>(chain.latency_samples()) + static_cast<std::size_t>(block);
    const std::size_t blocks = (total + static_cast<std::size_t>(block) - 1) / static_cast<std::size_t>(block);
    std::vector<float> audio(blocks * static_cast<std::size_t>(block) * static_cast<std::size_t>(channels), 0.0f);
    std::copy(file.samples.begin(), file.samples.end(), audio.begin());
    const double period_s = block / rate;
    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(period_s));
    const std::int64_t period_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(period).count();
    std::vector<PlayRecord> records(blocks);
    const auto max_rows = static_cast<std::size_t>(std::ceil(static_cast<double>(total) / rate / opt.hop)) + 8;
    std::vector<ml5::ChainResult> results(max_rows);  // every row the stream can make
    std::vector<double> arrived_s(results.size());
    std::size_t n_results = 0, printed = 0;
    const auto& chords = ml5::music::chord_vocabulary();
    auto print_new = [&] {
        for (; printed < n_results && !opt.json; ++printed) {
            const ml5::ChainResult& r = results[printed];
            std::printf("%7.2f-%-7.2f s  %-8s valence %+.2f  arousal %+.2f  (at %.2f s)\n", r.start, r.end,
                        chords[static_cast<std::size_t>(r.chord)].c_str(), r.valence, r.arousal, arrived_s[printed]);
        }
        std::fflush(stdout);
    };
    const bool realtime = opt.realtime && make_this_thread_realtime();
    const Clock::time_point stream_start = Clock::now();
    for (std::size_t k = 0; k < blocks; ++k) {
        if (opt.paced) std::this_thread::sleep_until(stream_start + period * static_cast<long>(k));
        // the callback
        t_in_callback = true;
        const Clock::time_point t0 = Clock::now();
        chain.process(audio.data() + k * static_cast<std::size_t>(block) * static_cast<std::size_t>(channels), block);
        const Clock::time_point t1 = Clock::now();
        while (n_results < results.size() && chain.poll(results[n_results])) {
            arrived_s[n_results] = static_cast<double>(k + 1) * period_s;
            ++n_results;
        }
        const Clock::time_point t2 = Clock::now();
        t_in_callback = false;
        records[k].front_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
        records[k].callback_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t2 - t0).count();
        print_new();  // the driver, after the callback: a plugin hands results to its UI thread
    }
    chain.release();
    while (n_results < results.size() && chain.poll(results[n_results])) {
        arrived_s[n_results] = static_cast<double>(blocks) * period_s;
        ++n_results;
    }
    print_new();
    std::vector<std::int64_t> front(blocks), callback(blocks);
    std::size_t missed = 0;
    for (std::size_t k = 0; k < blocks; ++k) {
        front[k] = records[k].front_ns;
        callback[k] = records[k].callback_ns;
        missed += records[k].callback_ns > period_ns;
    }
    std::sort(front.begin(), front.end());
    std::sort(callback.begin(), callback.end());
    const double front_p99 = percentile_us(front, 0.99), callback_p99 = percentile_us(callback, 0.99);
    const long allocations = g_audio_thread_allocations.load();
    std::size_t from_networks = 0;
    for (std::size_t i = 0; i < n_results; ++i) {
        bool networks = results[i].status == ml5::Status::Ok;
        for (ml5::Source src : results[i].outputs.source) networks = networks && src == ml5::Source::Network;
        from_networks += networks;
    }
    const bool ok = missed == 0 && allocations == 0 && n_results > 0 && chain.rows_dropped() == 0;
    if (opt.json) {
        std::printf("{\n  \"version\": %s,\n  \"models\": %s,\n  \"file\": %s,\n", json_string(ml5::kVersion).c_str(),
                    json_string(opt.models).c_str(), json_string(opt.play).c_str());
        std::printf("  \"sample_rate\": %.1f,\n  \"channels\": %d,\n  \"block\": %d,\n  \"block_period_us\": %.3f,\n",
                    rate, channels, block, period_s * 1e6);
        std::printf("  \"window\": %.6g,\n  \"hop\": %.6g,\n  \"latency_samples\": %d,\n  \"paced\": %s,\n", opt.window,
                    opt.hop, chain.latency_samples(), opt.paced ? "true" : "false");
        std::printf("  \"audio_thread_realtime\": %s,\n  \"models_loaded\": %d,\n  \"callbacks\": %zu,\n",
                    realtime ? "true" : "false", loaded, blocks);
        std::printf("  \"front_end_us\": {\"p50\": %.3f, \"p99\": %.3f, \"max\": %.3f, \"p99_share_of_block\": %.5f},\n",
                    percentile_us(front, 0.5), front_p99, static_cast<double>(front.back()) / 1e3,
                    front_p99 / (period_s * 1e6));
        std::printf("  \"callback_us\": {\"p50\": %.3f, \"p99\": %.3f, \"max\": %.3f, \"p99_share_of_block\": %.5f},\n",
                    percentile_us(callback, 0.5), callback_p99, static_cast<double>(callback.back()) / 1e3,
                    callback_p99 / (period_s * 1e6));
        std::printf("  \"missed\": %zu,\n  \"audio_thread_allocations\": %ld,\n  \"rows_dropped\": %llu,\n", missed,
                    allocations, static_cast<unsigned long long>(chain.rows_dropped()));
        std::printf("  \"emotion_standardised\": %s,\n  \"harmony_standardised\": %s,\n",
                    chain.emotion_standardised() ? "true" : "false", chain.harmony_standardised() ? "true" : "false");
        std::printf("  \"results_from_networks\": %zu,\n  \"timeline\": [", from_networks);
        for (std::size_t i = 0; i < n_results; ++i) {
            const ml5::ChainResult& r = results[i];
            std::printf("%s\n    {\"start\": %.3f, \"end\": %.3f, \"chord\": %s, \"valence\": %.6f, \"arousal\": %.6f, "
                        "\"arrived_s\": %.4f}",
                        i ? "," : "", r.start, r.end, json_string(chords[static_cast<std::size_t>(r.chord)]).c_str(),
                        r.valence, r.arousal, arrived_s[i]);
        }
        std::printf("\n  ],\n  \"ok\": %s\n}\n", ok ? "true" : "false");
    } else {
        std::printf("%s: %.0f Hz, %d channel%s, %zu callbacks of %d samples (%.3f ms), %s; audio thread %s; "
                    "rows of %.3g s every %.3g s, complete %d samples after their end\n",
                    opt.play.c_str(), rate, channels, channels == 1 ? "" : "s", blocks, block, period_s * 1e3,
                    opt.paced ? "paced in real time" : "back to back (--fast)",
                    realtime ? "real-time (SCHED_FIFO)" : "normal priority", opt.window, opt.hop, chain.latency_samples());
        std::printf("front end per callback: p50 %.2f us, p99 %.2f us (%.2f%% of the block), max %.2f us; whole callback "
                    "p99 %.2f us; %zu missed; %ld allocations on the audio thread; %zu results (%zu from the five "
                    "networks), %llu rows dropped\n",
                    percentile_us(front, 0.5), front_p99, 100.0 * front_p99 / (period_s * 1e6),
                    static_cast<double>(front.back()) / 1e3, callback_p99, missed, allocations, n_results, from_networks,
                    static_cast<unsigned long long>(chain.rows_dropped()));
    }
    return ok ? 0 : 1;
}

}  // namespace

// the allocation counter's hooks (see play_file)
void note_alloc() noexcept {
    if (t_in_callback) g_audio_thread_allocations.fetch_add(1, std::memory_order_relaxed);
}
void note_free() noexcept {
    if (t_in_callback) g_audio_thread_allocations.fetch_add(1, std::memory_order_relaxed);
}
#include "alloc_hooks.hpp"

int main(int argc, char** argv) {
    const Options opt = parse(argc, argv);
    const ml5::ModelType reload_type = find_slot(opt.reload)->type;
    const double period_s = opt.block / opt.rate;
    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(period_s));
    const std::int64_t period_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(period).count();
    const auto blocks = static_cast<std::size_t>(std::llround(opt.seconds / period_s));
    const auto reload_block = static_cast<std::size_t>(std::llround(opt.reload_at / period_s));

    // Loading: on the host's message thread, before audio starts.
    ml5::MultiModelProcessor proc(opt.precision);
    const auto statuses = proc.initialize(opt.models);
    int loaded = 0;
    for (const ml5::ModelStatus& st : statuses) {
        loaded += st.loaded;
        if (!st.loaded)
            std::fprintf(stderr, "ml5-example-host: %s runs its fallback (%s): %s\n", ml5::slot(st.type).title,
                         ml5::reason_name(st.reason), st.message.c_str());
    }
    if (!opt.play.empty()) return play_file(opt, proc, loaded);
    if (loaded != ml5::kModelCount) {
        std::fprintf(stderr, "ml5-example-host: %d of %d models loaded from %s; the host needs all five "
                             "(export them with `ml5 run`, then pass the run's exports folder)\n",
                     loaded, ml5::kModelCount, opt.models.c_str());
        return 1;
    }

    // The stream: the audio thread (here: the main thread) and the message thread.
    example::AudioHost host(proc, blocks);
    std::atomic<std::size_t> blocks_done{0};
    ReloadRecord reload;
    const Clock::time_point stream_start = Clock::now();
    host.start(stream_start);
    std::thread message_thread(reload_when_due, std::ref(proc), reload_type, reload_block, std::cref(blocks_done),
                               stream_start, std::ref(reload));
    const bool realtime = opt.realtime && make_this_thread_realtime();  // after the other threads started
    std::array<float, ml5::kFeatureSize> features{};
    for (std::size_t k = 0; k < blocks; ++k) {
        if (opt.paced) std::this_thread::sleep_until(stream_start + period * static_cast<long>(k));
        // Back to back, the stream would end before the message thread wakes: hold it (here, in
        // the simulated driver, never in a callback) until the reload has begun, so they overlap.
        if (!opt.paced && k == reload_block)
            while (!reload.started.load(std::memory_order_acquire))
                std::this_thread::sleep_for(std::chrono::microseconds(50));  // not yield: SCHED_FIFO would starve it
        make_features(k, features.data());
        host.process_block(k, features.data());
        blocks_done.store(k + 1, std::memory_order_release);
    }
    message_thread.join();
    const ml5::StopReport stopped = host.stop();
    const double wall_s = std::chrono::duration<double>(Clock::now() - stream_start).count();

    // The callbacks that began while the reload ran, and the one running when it began.
    const auto& records = host.records();
    std::size_t first = 0;
    while (first + 1 < blocks && records[first + 1].start_ns <= reload.start_ns) ++first;
    std::size_t last = first;
    while (last < blocks && records[last].start_ns <= reload.end_ns) ++last;
    const Summary all = summarise(records, 0, blocks, period_ns, opt.paced);
    const Summary during = summarise(records, first, last, period_ns, opt.paced);
    const ml5::AsyncCounters counters = host.counters();
    const ml5::ReloadResult& rr = reload.result;
    const double reload_ms = static_cast<double>(reload.end_ns - reload.start_ns) / 1e6;
    const bool ok = rr.ok && all.missed == 0;

    if (opt.json) {
        std::printf("{\n  \"version\": %s,\n  \"models\": %s,\n  \"precision\": %s,\n", json_string(ml5::kVersion).c_str(),
                    json_string(opt.models).c_str(), json_string(ml5::to_string(opt.precision)).c_str());
        std::printf("  \"sample_rate\": %.1f,\n  \"block\": %d,\n  \"block_period_us\": %.3f,\n  \"paced\": %s,\n",
                    opt.rate, opt.block, period_s * 1e6, opt.paced ? "true" : "false");
        std::printf("  \"audio_thread_realtime\": %s,\n", realtime ? "true" : "false");
        std::printf("  \"models_loaded\": %d,\n  \"blocks\": %zu,\n  \"wall_s\": %.3f,\n", loaded, blocks, wall_s);
        std::printf("  \"callbacks\": %s,\n", summary_json(all).c_str());
        std::printf("  \"frames\": {\"accepted\": %llu, \"rejected_full\": %llu},\n",
                    static_cast<unsigned long long>(counters.accepted),
                    static_cast<unsigned long long>(counters.rejected_full));
        std::printf("  \"results\": {\"received\": %llu, \"after_stop\": %llu, \"from_networks\": %llu, \"failed\": %llu, "
                    "\"out_of_order\": %llu, \"dropped_at_stop\": %llu},\n",
                    static_cast<unsigned long long>(host.results()),
                    static_cast<unsigned long long>(host.results_after_stop()),
                    static_cast<unsigned long long>(host.results_from_networks()),
                    static_cast<unsigned long long>(host.results_failed()),
                    static_cast<unsigned long long>(host.results_out_of_order()),
                    static_cast<unsigned long long>(stopped.dropped));
        std::printf("  \"reload\": {\"model\": %s, \"requested_at_block\": %zu, \"ok\": %s, \"error\": %s, "
                    "\"generation_before\": %llu, \"generation_after\": %llu, \"start_ms\": %.3f, \"duration_ms\": %.3f, "
                    "\"callbacks\": %s},\n",
                    json_string(ml5::slot(reload_type).name).c_str(), reload.requested_at_block, rr.ok ? "true" : "false",
                    json_string(rr.error).c_str(), static_cast<unsigned long long>(reload.generation_before),
                    static_cast<unsigned long long>(rr.status.generation), static_cast<double>(reload.start_ns) / 1e6,
                    reload_ms, summary_json(during).c_str());
        std::printf("  \"ok\": %s\n}\n", ok ? "true" : "false");
    } else {
        std::printf("ml5 example host %s: %d models from %s (%s); %.0f Hz, %d-sample blocks (%.3f ms), %s; "
                    "audio thread %s\n",
                    ml5::kVersion, loaded, opt.models.c_str(), ml5::to_string(opt.precision), opt.rate, opt.block,
                    period_s * 1e3, opt.paced ? "paced in real time" : "back to back (--fast)",
                    realtime ? "real-time (SCHED_FIFO)" : "normal priority");
        std::printf("callbacks: %zu of %zu in %.2f s; submit+poll p50 %.2f us, p99 %.2f us, max %.2f us; "
                    "%zu missed (work over one block); %zu late wake-ups\n",
                    all.callbacks, blocks, wall_s, all.p50_us, all.p99_us, all.max_us, all.missed, all.late_wakeups);
        std::printf("results: %llu received (%llu after stop), %llu from the five networks, %llu failed; "
                    "%llu frames refused (ring full), %llu dropped at stop\n",
                    static_cast<unsigned long long>(host.results()),
                    static_cast<unsigned long long>(host.results_after_stop()),
                    static_cast<unsigned long long>(host.results_from_networks()),
                    static_cast<unsigned long long>(host.results_failed()),
                    static_cast<unsigned long long>(counters.rejected_full),
                    static_cast<unsigned long long>(stopped.dropped));
        std::printf("reload: %s at block %zu (%.3f s): %s in %.1f ms, generation %llu -> %llu; during it %zu callbacks "
                    "ran (max %.2f us, longest gap %.0f us), %zu missed, %llu results received\n",
                    ml5::slot(reload_type).name, reload.requested_at_block, static_cast<double>(reload.start_ns) / 1e9,
                    rr.ok ? "ok" : ("FAILED: " + rr.error).c_str(), reload_ms,
                    static_cast<unsigned long long>(reload.generation_before),
                    static_cast<unsigned long long>(rr.status.generation), during.callbacks, during.max_us,
                    during.longest_gap_us, during.missed, static_cast<unsigned long long>(during.results));
    }
    return ok ? 0 : 1;
}
