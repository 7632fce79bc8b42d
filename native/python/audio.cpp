// ml5_native's audio front end: ml5::audio::AudioFrontEnd and analyse_file for Python, so that
// the tests hold the C++ definition of the features to ml5_audio.features.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <optional>
#include <stdexcept>
#include <vector>

#include "arrays.hpp"
#include "audio_file.hpp"
#include "ml5/audio_frontend.hpp"
#include "ml5/music.hpp"

namespace nb = nanobind;
using namespace nb::literals;
using ml5py::InArray;
using ml5py::OutArray;
namespace audio = ml5::audio;

namespace {

// (frames, channels) or (frames,) float32 samples: the pointer, frames and channels
struct Samples {
    InArray array;
    std::size_t frames = 0;
    int channels = 1;
};

Samples samples_of(nb::handle x) {
    Samples s{ml5py::as_float32(x)};
    if (s.array.ndim() == 1) {
        s.frames = s.array.shape(0);
    } else if (s.array.ndim() == 2) {
        s.frames = s.array.shape(0);
        s.channels = static_cast<int>(s.array.shape(1));
    } else {
        throw nb::value_error(("samples must be (frames,) or (frames, channels), not " + ml5py::shape_of(s.array)).c_str());
    }
    return s;
}

std::vector<float> vector_of(nb::handle x, std::size_t n, const char* name) {
    InArray a = ml5py::as_float32(x);
    if (a.ndim() != 1 || a.shape(0) != n)
        throw nb::value_error((std::string(name) + " must have " + std::to_string(n) + " values, not shape " + ml5py::shape_of(a)).c_str());
    return {a.data(), a.data() + n};
}

// rows as a dict of arrays: start, end, reference_db (n,), raw and input (n, 128), context (n, 64)
nb::dict rows_dict(const std::vector<audio::FeatureRow>& rows) {
    const std::size_t n = rows.size();
    float *raw, *input, *context, *start, *end, *reference;
    OutArray raw_a = ml5py::new_array(n, audio::kFeatures, true, &raw);
    OutArray input_a = ml5py::new_array(n, audio::kFeatures, true, &input);
    OutArray context_a = ml5py::new_array(n, audio::kContextBands, true, &context);
    std::vector<double> starts(n), ends(n), references(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::copy(rows[i].raw.begin(), rows[i].raw.end(), raw + i * audio::kFeatures);
        std::copy(rows[i].input.begin(), rows[i].input.end(), input + i * audio::kFeatures);
        std::copy(rows[i].context.begin(), rows[i].context.end(), context + i * audio::kContextBands);
        starts[i] = rows[i].start;
        ends[i] = rows[i].end;
        references[i] = rows[i].reference_db;
    }
    (void)start, (void)end, (void)reference;
    nb::dict out;
    out["start"] = starts;
    out["end"] = ends;
    out["reference_db"] = references;
    out["raw"] = raw_a;
    out["input"] = input_a;
    out["context"] = context_a;
    return out;
}

struct PyFrontEnd {
    audio::AudioFrontEnd front;
    int channels = 1;
    int max_block = 0;

    std::vector<audio::FeatureRow> drain() {
        std::vector<audio::FeatureRow> rows;
        audio::FeatureRow row;
        while (front.pop_row(row)) rows.push_back(row);
        return rows;
    }
};

}  // namespace

void bind_audio(nb::module_& m) {
    m.def(
        "decode_audio",
        [](const std::string& path) {
            ml5tools::AudioFile file;
            try {
                file = ml5tools::decode_audio_file(path);
            } catch (const std::runtime_error& e) {
                throw nb::value_error(e.what());
            }
            float* data;
            OutArray samples = ml5py::new_array(file.frames(), static_cast<std::size_t>(file.channels), true, &data);
            std::copy(file.samples.begin(), file.samples.end(), data);
            return std::make_pair(samples, file.sample_rate);
        },
        "path"_a, "(samples (frames, channels) float32, sample rate) of a WAV, FLAC or MP3 file, as ml5rt-cli and "
        "the example host decode it (miniaudio).");
    m.def(
        "chord_vocabulary",
        [] {
            const auto& v = ml5::music::chord_vocabulary();
            return std::vector<std::string>(v.begin(), v.end());
        },
        "The HarmonyPredictor's 64 chord labels, by output index (ml5::music::chord_vocabulary).");
    m.def(
        "embedding_emotion",
        [](nb::handle embedding) {
            const std::vector<float> e = vector_of(embedding, ml5::music::kEmbeddingSize, "embedding");
            double valence = 0, arousal = 0;
            ml5::music::embedding_emotion(e.data(), valence, arousal);
            return std::make_pair(valence, arousal);
        },
        "embedding"_a, "(valence, arousal) read from a 64-value emotion embedding (ml5::music::embedding_emotion).");
    m.def("audio_settings_json", &audio::settings_json,
          "The audio feature definition's settings as JSON (ml5_audio.features.SETTINGS's keys).");
    m.def("audio_feature_names", &audio::feature_names, "The 128 features' names, in order.");
    m.def(
        "analyse_audio",
        [](nb::handle samples, double sample_rate, double window, int block, nb::handle mean, nb::handle std_dev) {
            Samples s = samples_of(samples);
            std::vector<float> m, d;
            if (!mean.is_none() || !std_dev.is_none()) {
                if (mean.is_none() || std_dev.is_none()) throw nb::value_error("give both mean and std, or neither");
                m = vector_of(mean, audio::kFeatures, "mean");
                d = vector_of(std_dev, audio::kFeatures, "std");
            }
            std::vector<audio::FeatureRow> rows;
            {
                nb::gil_scoped_release release;
                rows = audio::analyse_file(s.array.data(), s.frames, s.channels, sample_rate, window, block,
                                           m.empty() ? nullptr : m.data(), d.empty() ? nullptr : d.data());
            }
            return rows_dict(rows);
        },
        "samples"_a, "sample_rate"_a, "window"_a = 0.0, "block"_a = 4096, "mean"_a = nb::none(), "std"_a = nb::none(),
        "ml5 infer's rows of a whole file's samples ((frames,) or (frames, channels) float32 at sample_rate): "
        "windows of `window` seconds (0: the whole file), the level measured over the file first; "
        "fed to the C++ front end in blocks of `block` frames. A dict of start, end, reference_db, raw, input, context.");
    m.def(
        "audio_file_level",
        [](nb::handle samples, double sample_rate, int block) {
            Samples s = samples_of(samples);
            return audio::file_level_db(s.array.data(), s.frames, s.channels, sample_rate, block);
        },
        "samples"_a, "sample_rate"_a, "block"_a = 4096, "The file's level in dB (ml5_audio.features.Analysis.reference_db).");

    nb::class_<PyFrontEnd>(m, "AudioFrontEnd",
                           "The streaming audio front end: prepare(), then process() blocks and read rows().")
        .def(nb::init<>())
        .def(
            "prepare",
            [](PyFrontEnd& self, double sample_rate, int max_block, int channels, double window, double hop,
               std::optional<double> level_db) {
                audio::FrontEndSettings settings;
                settings.window_seconds = window;
                settings.hop_seconds = hop;
                if (level_db) {
                    settings.level = audio::LevelReference::Fixed;
                    settings.fixed_reference_db = *level_db;
                }
                try {
                    self.front.prepare(sample_rate, max_block, channels, settings);
                } catch (const std::invalid_argument& e) {
                    throw nb::value_error(e.what());
                }
                self.channels = channels;
                self.max_block = max_block;
            },
            "sample_rate"_a, "max_block"_a, "channels"_a = 1, "window"_a = 4.0, "hop"_a = 4.0, "level_db"_a = nb::none(),
            "Allocate for this rate, block size and channel count. level_db: a fixed level (None: the running one).")
        .def(
            "set_standardisation",
            [](PyFrontEnd& self, nb::handle mean, nb::handle std_dev) {
                std::vector<float> m = vector_of(mean, audio::kFeatures, "mean"), d = vector_of(std_dev, audio::kFeatures, "std");
                try {
                    self.front.set_standardisation(m.data(), d.data());
                } catch (const std::invalid_argument& e) {
                    throw nb::value_error(e.what());
                }
            },
            "mean"_a, "std"_a)
        .def(
            "process",
            [](PyFrontEnd& self, nb::handle block) {
                Samples s = samples_of(block);
                if (self.max_block == 0) throw nb::value_error("prepare() first");
                if (s.channels != self.channels)
                    throw nb::value_error(("a block of " + std::to_string(s.channels) + " channels; prepared for " +
                                           std::to_string(self.channels)).c_str());
                if (s.frames > static_cast<std::size_t>(self.max_block))
                    throw nb::value_error(("a block of " + std::to_string(s.frames) + " frames; prepared for at most " +
                                           std::to_string(self.max_block)).c_str());
                return self.front.process(s.array.data(), static_cast<int>(s.frames));
            },
            "block"_a, "Take one block; the number of rows it completed.")
        .def("finish", [](PyFrontEnd& self) { return self.front.finish(); }, "End of input: the rows still due.")
        .def("rows", [](PyFrontEnd& self) { return rows_dict(self.drain()); }, "The completed rows not read yet.")
        .def("reset", [](PyFrontEnd& self) { self.front.reset(); })
        .def_prop_ro("latency_samples", [](PyFrontEnd& self) { return self.front.latency_samples(); })
        .def_prop_ro("dropped_rows", [](PyFrontEnd& self) { return self.front.dropped_rows(); });
}
