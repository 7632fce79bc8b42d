// ml5rt-cli: inspect, run and time an RTNeural-format model from the command line.
//   ml5rt-cli info MODEL.json
//   ml5rt-cli run MODEL.json INPUTS.json [--stream]   (INPUTS: a JSON array of frames)
//   ml5rt-cli bench MODEL.json [--frames N] [--stream] [--precision fp32|fp16]
//   ml5rt-cli infer FILE --models DIR [--window S] [--json]   (WAV, FLAC or MP3)
#include <algorithm>
#include <array>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "audio_file.hpp"
#include "ml5/ml5.hpp"

namespace {

using Clock = std::chrono::steady_clock;

int usage() {
    std::fprintf(stderr,
                 "usage: ml5rt-cli info MODEL.json\n"
                 "       ml5rt-cli run MODEL.json INPUTS.json [--stream]\n"
                 "       ml5rt-cli bench MODEL.json [--frames N] [--stream] [--precision fp32|fp16]\n"
                 "       ml5rt-cli infer FILE --models DIR [--window S] [--json]\n"
                 "Models run stateless (state reset before every frame) unless --stream is given.\n"
                 "--precision fp16 holds the weight matrices in half precision (default fp32).\n"
                 "infer: the five models on an audio file (WAV, FLAC, MP3) through the audio front end,\n"
                 "one row per window of S seconds (default 0: the whole file), as ml5 infer prints them.\n");
    return 2;
}

bool has_flag(int argc, char** argv, const char* flag) {
    for (int i = 0; i < argc; ++i)
        if (std::strcmp(argv[i], flag) == 0) return true;
    return false;
}

int info(const std::string& path) {
    const auto t0 = Clock::now();
    ml5::Model m = ml5::load_model_file(path);
    const double load_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    std::printf("model:        %s\n", path.c_str());
    std::printf("in -> out:    %d -> %d\n", m.in_size(), m.out_size());
    std::printf("parameters:   %zu (numbers in the file's weights)\n", m.n_params());
    std::printf("weight bytes: %zu (held in memory, padding included)\n", m.weight_bytes());
    std::printf("load time:    %.3f ms\n", load_ms);
    std::printf("layers:\n");
    for (std::size_t i = 0; i < m.n_layers(); ++i) {
        const ml5::Layer& l = m.layer(i);
        const char* act = ml5::activation_name(l.activation());
        std::printf("  %2zu  %-22s %6d -> %-6d %-8s %zu params\n", i, l.type(), l.in_size(), l.out_size(),
                    *act ? act : "-", l.n_params());
    }
    return 0;
}

int run(const std::string& model_path, const std::string& inputs_path, bool stream) {
    ml5::Model m = ml5::load_model_file(model_path);
    m.set_stateless(!stream);
    std::ifstream f(inputs_path, std::ios::binary);
    if (!f) {
        std::fprintf(stderr, "ml5rt-cli: cannot open %s\n", inputs_path.c_str());
        return 2;
    }
    std::stringstream text;
    text << f.rdbuf();
    const nlohmann::json frames = nlohmann::json::parse(text.str(), nullptr, false);
    if (!frames.is_array()) {
        std::fprintf(stderr, "ml5rt-cli: %s: expected a JSON array of frames\n", inputs_path.c_str());
        return 2;
    }
    std::vector<float> x(static_cast<std::size_t>(m.in_size())), y(static_cast<std::size_t>(m.out_size()));
    std::string result = "[";  // printed only once every frame has run
    char num[32];
    for (std::size_t t = 0; t < frames.size(); ++t) {
        const auto& frame = frames[t];
        if (!frame.is_array() || frame.size() != x.size()) {
            std::fprintf(stderr, "ml5rt-cli: frame %zu: expected an array of %d numbers\n", t, m.in_size());
            return 2;
        }
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (!frame[i].is_number()) {
                std::fprintf(stderr, "ml5rt-cli: frame %zu, value %zu is not a number\n", t, i);
                return 2;
            }
            x[i] = frame[i].get<float>();
        }
        m.forward(x.data(), y.data());
        result += t ? ",\n [" : "[";
        for (std::size_t j = 0; j < y.size(); ++j) {
            std::snprintf(num, sizeof num, "%s%.9g", j ? "," : "", static_cast<double>(y[j]));
            result += num;
        }
        result += "]";
    }
    std::printf("%s]\n", result.c_str());
    return 0;
}

const char* option(int argc, char** argv, const char* flag, const char* fallback) {
    for (int i = 0; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], flag) == 0) return argv[i + 1];
    return fallback;
}

int bench(const std::string& path, long frames, bool stream, ml5::Precision precision) {
    const auto t0 = Clock::now();
    ml5::Model m = ml5::load_model_file(path, precision);
    const double load_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    m.set_stateless(!stream);
    std::vector<float> x(static_cast<std::size_t>(m.in_size())), y(static_cast<std::size_t>(m.out_size()));
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) * 0.25f - 0.75f;
    for (long i = 0; i < std::min(frames, 200L); ++i) m.forward(x.data(), y.data());  // warm caches
    std::vector<double> ns(static_cast<std::size_t>(frames));
    for (long i = 0; i < frames; ++i) {
        x[static_cast<std::size_t>(i) % x.size()] += 1e-3f;  // keep the inputs moving
        const auto a = Clock::now();
        m.forward(x.data(), y.data());
        ns[static_cast<std::size_t>(i)] = std::chrono::duration<double, std::nano>(Clock::now() - a).count();
    }
    double sum = 0.0;
    for (double v : ns) sum += v;
    std::sort(ns.begin(), ns.end());
    auto pct = [&](double p) { return ns[std::min(ns.size() - 1, static_cast<std::size_t>(p * static_cast<double>(ns.size())))]; };
    std::printf("model:       %s (%d -> %d, %zu params, %zu weight bytes)\n", path.c_str(), m.in_size(), m.out_size(),
                m.n_params(), m.weight_bytes());
    std::printf("mode:        %s\n", stream ? "streaming" : "stateless");
    std::printf("precision:   %s\n", ml5::to_string(m.precision()));
    std::printf("load time:   %.3f ms\n", load_ms);
    std::printf("frames:      %ld\n", frames);
    std::printf("latency ns:  mean %.0f  p50 %.0f  p99 %.0f  min %.0f  max %.0f\n", sum / static_cast<double>(frames),
                pct(0.50), pct(0.99), ns.front(), ns.back());
    return 0;
}

// ml5 infer's document for an audio file, from the C++ front end and processor: the same rows
// (start, end, valence, arousal, every model's outputs) as `ml5 infer FILE --models DIR --json`.
int infer(const std::string& path, const std::string& models, double window, bool as_json) {
    ml5tools::AudioFile file;
    try {
        file = ml5tools::decode_audio_file(path);
    } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "ml5rt-cli: %s\n", e.what());
        return 1;
    }
    ml5::MultiModelProcessor processor;
    const auto statuses = processor.initialize(models);
    ml5::ChainStandardisation cards;
    try {
        cards = ml5::read_chain_standardisation(processor);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "ml5rt-cli: %s\n", e.what());
        return 1;
    }
    const auto rows = ml5::audio::analyse_file(file.samples.data(), file.frames(), file.channels, file.sample_rate, window,
                                               4096, cards.emotion ? cards.emotion_mean.data() : nullptr,
                                               cards.emotion ? cards.emotion_std.data() : nullptr);
    nlohmann::json doc;
    doc["input"] = path;
    doc["models_folder"] = processor.modelsDirectory();
    doc["engine"] = "native";
    doc["emotion_from"] = "EmotionRecognizer on the audio features";
    nlohmann::json sources = nlohmann::json::object();
    for (const auto& st : statuses)
        sources[ml5::slot(st.type).name] = st.loaded ? std::string("network") : std::string("fallback (") + st.message + ")";
    doc["models"] = sources;
    doc["rows"] = nlohmann::json::array();
    const auto& chords = ml5::music::chord_vocabulary();
    std::array<float, ml5::kHarmonyContextSize> context{};
    ml5::PipelineResult result;
    auto rounded = [](double x) { return std::round(x * 1000.0) / 1000.0; };
    for (const auto& row : rows) {
        cards.standardise_context(row.context.data(), context.data());
        const ml5::Status status = processor.runFullPipeline(row.input.data(), context.data(), result);
        if (status != ml5::Status::Ok) {
            std::fprintf(stderr, "ml5rt-cli: %s: the pipeline failed at %.3f s: %s\n", path.c_str(), row.start,
                         ml5::status_name(status));
            return 1;
        }
        double valence = 0, arousal = 0;
        ml5::music::embedding_emotion(result.emotion.data(), valence, arousal);
        nlohmann::json r;
        r["start"] = rounded(row.start);
        r["end"] = rounded(row.end);
        r["valence"] = valence;
        r["arousal"] = arousal;
        if (!cards.emotion) r["note"] = "the emotion export has no input_standardisation: raw features were used";
        nlohmann::json outputs;
        for (const auto& s : ml5::kModelSlots) {
            const float* values = result.output(s.type);
            outputs[s.name] = std::vector<double>(values, values + s.out_size);
        }
        r["outputs"] = outputs;
        doc["rows"].push_back(r);
        if (!as_json) {
            const int top = ml5::music::top_chord(result.harmony.data());
            std::printf("%7.1f-%-7.1f s  valence %+.2f  arousal %+.2f  chord %-8s %.2f\n", row.start, row.end, valence,
                        arousal, chords[static_cast<std::size_t>(top)].c_str(), result.harmony[static_cast<std::size_t>(top)]);
        }
    }
    if (as_json) std::printf("%s\n", doc.dump(2).c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) return usage();
    const std::string cmd = argv[1];
    const bool stream = has_flag(argc, argv, "--stream");
    try {
        if (cmd == "info") return info(argv[2]);
        if (cmd == "infer") {
            const std::string models = option(argc, argv, "--models", "");
            const std::string window_text = option(argc, argv, "--window", "0");
            char* end = nullptr;
            const double window = std::strtod(window_text.c_str(), &end);
            if (end == window_text.c_str() || *end != '\0' || !(window >= 0.0)) {
                std::fprintf(stderr, "ml5rt-cli: --window %s: expected 0 (the whole file) or a number of seconds\n",
                             window_text.c_str());
                return 2;
            }
            return infer(argv[2], models, window, has_flag(argc, argv, "--json"));
        }
        if (cmd == "run") return argc < 4 ? usage() : run(argv[2], argv[3], stream);
        if (cmd == "bench") {
            long frames = 10000;
            for (int i = 3; i + 1 < argc; ++i)
                if (std::strcmp(argv[i], "--frames") == 0) frames = std::strtol(argv[i + 1], nullptr, 10);
            if (frames <= 0) return usage();
            ml5::Precision precision;
            try {
                precision = ml5::precision_from_string(option(argc, argv, "--precision", "fp32"));
            } catch (const std::invalid_argument& e) {
                std::fprintf(stderr, "ml5rt-cli: %s\n", e.what());
                return 2;
            }
            return bench(argv[2], frames, stream, precision);
        }
    } catch (const ml5::LoadError& e) {
        std::fprintf(stderr, "ml5rt-cli: %s\n", e.what());
        return 1;
    }
    return usage();
}
