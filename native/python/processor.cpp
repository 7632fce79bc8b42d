// ml5_native.Processor: the MultiModelProcessor and its AsyncPipeline for Python. Models are
// named as ml5 names them ("emotion"), by file stem or title, or by slot index.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "arrays.hpp"
#include "ml5/ml5.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

using ml5py::InArray;
using ml5py::OutArray;

struct PyProcessor {
    explicit PyProcessor(ml5::Precision precision) : processor(precision) {}
    ml5::MultiModelProcessor processor;
    std::unique_ptr<ml5::AsyncPipeline> pipeline;
};

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

ml5::ModelType model_type(nb::handle which) {
    if (nb::isinstance<nb::int_>(which)) {
        const int i = nb::cast<int>(which);
        if (i >= 0 && i < ml5::kModelCount) return static_cast<ml5::ModelType>(i);
        throw nb::index_error(("slot index " + std::to_string(i) + " out of range 0..4").c_str());
    }
    if (nb::isinstance<ml5::ModelType>(which)) return nb::cast<ml5::ModelType>(which);
    const std::string name = lower(nb::cast<std::string>(nb::str(which)));
    std::string known;
    for (const auto& s : ml5::kModelSlots) {
        if (name == s.name || name == s.stem || name == lower(s.title)) return s.type;
        known += std::string(known.empty() ? "" : ", ") + s.name;
    }
    throw nb::value_error(("unknown model " + nb::cast<std::string>(nb::repr(which)) + " (models: " + known +
                           "; their file stems and titles are accepted too)")
                              .c_str());
}

[[noreturn]] void raise_status(const char* what, ml5::Status s, const std::string& detail = "") {
    throw nb::value_error((std::string(what) + ": " + ml5::status_name(s) + (detail.empty() ? "" : " (" + detail + ")")).c_str());
}

// A 1-D float32 view of x, or ValueError naming what was expected.
InArray vector_arg(nb::handle x, const char* what, int expected) {
    InArray in = ml5py::as_float32(x);
    if (in.ndim() != 1)
        raise_status(what, ml5::Status::WrongInputSize,
                     "expected a 1-D array of " + std::to_string(expected) + " values, got shape " + ml5py::shape_of(in));
    return in;
}

std::string input_problem(ml5::Status s, int expected, std::size_t got) {
    if (s == ml5::Status::WrongInputSize) return "expected " + std::to_string(expected) + " values, got " + std::to_string(got);
    if (s == ml5::Status::NonFiniteInput) return "every value must be finite: the input holds NaN or infinity";
    return "";
}

nb::dict outputs(const ml5::PipelineResult& r) {
    nb::dict d;
    for (const auto& s : ml5::kModelSlots)
        d[s.name] = ml5py::copy_array(r.output(s.type), static_cast<std::size_t>(s.out_size));
    return d;
}

nb::dict sources(const ml5::PipelineResult& r) {
    nb::dict d;
    for (const auto& s : ml5::kModelSlots) d[s.name] = ml5::source_name(r.source[ml5::slot_index(s.type)]);
    return d;
}

// Synchronous inference from Python waits out the async worker's call (Busy) instead of failing.
template <typename F>
ml5::Status retry_busy(F&& f) {
    ml5::Status s;
    while ((s = f()) == ml5::Status::Busy) std::this_thread::yield();
    return s;
}

// The optional harmony context of run() / submit(): None, or a 1-D array of 64 values
// (ValueError naming the argument otherwise).
std::optional<InArray> context_arg(const nb::handle& c, const char* what) {
    if (c.is_none()) return std::nullopt;
    const std::string label = std::string(what) + ": harmony_context";
    InArray ctx = vector_arg(c, label.c_str(), ml5::kHarmonyContextSize);
    if (ctx.shape(0) != static_cast<std::size_t>(ml5::kHarmonyContextSize))
        raise_status(label.c_str(), ml5::Status::WrongInputSize,
                     input_problem(ml5::Status::WrongInputSize, ml5::kHarmonyContextSize, ctx.shape(0)));
    return ctx;
}

bool finite(const InArray& a) {
    for (std::size_t i = 0; i < a.shape(0); ++i)
        if (!std::isfinite(a.data()[i])) return false;
    return true;
}

nb::object run(PyProcessor& self, nb::handle x, nb::handle harmony_context, bool with_sources) {
    const InArray in = vector_arg(x, "run", ml5::kFeatureSize);
    if (in.shape(0) != static_cast<std::size_t>(ml5::kFeatureSize))  // the features first, as the C++ checks
        raise_status("run", ml5::Status::WrongInputSize,
                     input_problem(ml5::Status::WrongInputSize, ml5::kFeatureSize, in.shape(0)));
    const std::optional<InArray> ctx = context_arg(harmony_context, "run");
    const float* c = ctx ? ctx->data() : nullptr;
    const std::size_t n_c = ctx ? ctx->shape(0) : 0;
    ml5::PipelineResult r;
    const ml5::Status s = retry_busy([&] { return self.processor.runFullPipeline(in.data(), in.shape(0), c, n_c, r); });
    if (s == ml5::Status::NonFiniteInput && ctx && finite(in))
        raise_status("run: harmony_context", s, input_problem(s, ml5::kHarmonyContextSize, n_c));
    if (s != ml5::Status::Ok) raise_status("run", s, input_problem(s, ml5::kFeatureSize, in.shape(0)));
    if (with_sources) return nb::make_tuple(outputs(r), sources(r));
    return outputs(r);
}

OutArray infer(PyProcessor& self, nb::handle which, nb::handle x) {
    const ml5::ModelType t = model_type(which);
    const ml5::ModelSlot& slot = ml5::slot(t);
    const InArray in = vector_arg(x, "infer", slot.in_size);
    float* out = nullptr;
    OutArray y = ml5py::new_array(1, static_cast<std::size_t>(slot.out_size), false, &out);
    const ml5::Status s = retry_busy(
        [&] { return self.processor.infer(t, in.data(), in.shape(0), out, static_cast<std::size_t>(slot.out_size)); });
    if (s != ml5::Status::Ok && s != ml5::Status::ModelDisabled)  // disabled: zeros, as in the pipeline
        raise_status("infer", s, std::string(slot.name) + ": " + input_problem(s, slot.in_size, in.shape(0)));
    return y;
}

std::vector<ml5::ModelStatus> as_list(const std::array<ml5::ModelStatus, ml5::kModelCount>& a) {
    return {a.begin(), a.end()};
}

nb::dict stats(const PyProcessor& self) {
    const ml5::ProcessorStats s = self.processor.stats();
    nb::dict d;
    d["models_loaded"] = s.models_loaded;
    d["total_params"] = s.total_params;
    d["total_weight_bytes"] = s.total_weight_bytes;
    d["total_load_ms"] = s.total_load_ms;
    d["reloads"] = s.reloads;
    d["failed_reloads"] = s.failed_reloads;
    nb::dict per_model;
    for (const auto& st : self.processor.statuses()) {
        nb::dict m;
        m["loaded"] = st.loaded;
        m["n_params"] = st.n_params;
        m["weight_bytes"] = st.weight_bytes;
        m["load_ms"] = st.load_ms;
        per_model[ml5::slot(st.type).name] = m;
    }
    d["models"] = per_model;
    return d;
}

ml5::AsyncPipeline& pipeline(PyProcessor& self, const char* what) {
    if (!self.pipeline || !self.pipeline->running())
        throw nb::value_error((std::string(what) + ": the async pipeline is not running (call start() first)").c_str());
    return *self.pipeline;
}

void start(PyProcessor& self, std::size_t capacity) {
    if (self.pipeline && self.pipeline->running()) throw nb::value_error("start: the async pipeline is already running");
    if (!self.pipeline || self.pipeline->capacity() < capacity) {
        self.pipeline.reset();
        self.pipeline = std::make_unique<ml5::AsyncPipeline>(self.processor, capacity);
    }
    self.pipeline->start();
}

nb::dict stop(PyProcessor& self) {
    ml5::StopReport r;
    if (self.pipeline) {
        nb::gil_scoped_release release;
        r = self.pipeline->stop();
    }
    nb::dict d;
    d["accepted"] = r.accepted;
    d["completed"] = r.completed;
    d["dropped"] = r.dropped;
    d["dropped_ids"] = nb::cast(r.dropped_ids);
    return d;
}

std::uint64_t submit(PyProcessor& self, nb::handle x, nb::handle harmony_context) {
    const InArray in = vector_arg(x, "submit", ml5::kFeatureSize);
    const std::optional<InArray> ctx = context_arg(harmony_context, "submit");
    ml5::AsyncPipeline& p = pipeline(self, "submit");
    if (in.shape(0) != static_cast<std::size_t>(ml5::kFeatureSize))
        raise_status("submit", ml5::Status::WrongInputSize,
                     "expected " + std::to_string(ml5::kFeatureSize) + " features, got " + std::to_string(in.shape(0)));
    if (ctx) return p.submit(in.data(), in.shape(0), ctx->data(), ctx->shape(0));
    return p.submit(in.data(), in.shape(0));
}

nb::object poll(PyProcessor& self) {
    if (!self.pipeline) return nb::none();
    auto r = std::make_unique<ml5::AsyncResult>();
    if (!self.pipeline->poll(*r)) return nb::none();
    return nb::make_tuple(r->id, ml5::status_name(r->status), r->status == ml5::Status::Ok ? nb::object(outputs(r->result)) : nb::none());
}

nb::dict counters(const PyProcessor& self) {
    const ml5::AsyncCounters c = self.pipeline ? self.pipeline->counters() : ml5::AsyncCounters{};
    nb::dict d;
    d["accepted"] = c.accepted;
    d["rejected_full"] = c.rejected_full;
    d["rejected_stopped"] = c.rejected_stopped;
    d["rejected_invalid"] = c.rejected_invalid;
    d["completed"] = c.completed;
    d["dropped"] = c.dropped;
    return d;
}

using Clock = std::chrono::steady_clock;

nb::ndarray<nb::numpy, std::int64_t> ns_array(std::vector<std::int64_t>&& v) {
    auto* data = new std::vector<std::int64_t>(std::move(v));
    nb::capsule owner(data, [](void* p) noexcept { delete static_cast<std::vector<std::int64_t>*>(p); });
    return nb::ndarray<nb::numpy, std::int64_t>(data->data(), {data->size()}, owner);
}

// Per-call time of runFullPipeline in nanoseconds, measured in C++ (no Python in the loop).
nb::ndarray<nb::numpy, std::int64_t> time_pipeline(PyProcessor& self, nb::handle x, std::size_t frames) {
    const InArray in = vector_arg(x, "time_pipeline", ml5::kFeatureSize);
    std::vector<std::int64_t> times(frames);
    ml5::Status s = ml5::Status::Ok;
    {
        nb::gil_scoped_release release;
        ml5::PipelineResult r;
        s = retry_busy([&] { return self.processor.runFullPipeline(in.data(), in.shape(0), r); });  // warm up
        for (std::size_t i = 0; i < frames && s == ml5::Status::Ok; ++i) {
            const auto t0 = Clock::now();
            s = self.processor.runFullPipeline(in.data(), in.shape(0), r);
            times[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
        }
    }
    if (s != ml5::Status::Ok) raise_status("time_pipeline", s);
    return ns_array(std::move(times));
}

// Per-request time from submit() to the poll() that returns its result, in nanoseconds, one
// request in flight at a time. Results of earlier requests still queued are discarded.
nb::ndarray<nb::numpy, std::int64_t> time_async(PyProcessor& self, nb::handle x, std::size_t frames) {
    const InArray in = vector_arg(x, "time_async", ml5::kFeatureSize);
    ml5::AsyncPipeline& p = pipeline(self, "time_async");
    std::vector<std::int64_t> times(frames);
    {
        nb::gil_scoped_release release;
        auto r = std::make_unique<ml5::AsyncResult>();
        while (p.poll(*r)) {
        }
        for (std::size_t i = 0; i < frames; ++i) {
            const auto t0 = Clock::now();
            std::uint64_t id;
            while ((id = p.submit(in.data(), in.shape(0))) == 0) std::this_thread::yield();
            do {
                while (!p.poll(*r)) {
                }
            } while (r->id != id);
            times[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
        }
    }
    return ns_array(std::move(times));
}

std::string status_repr(const ml5::ModelStatus& s) {
    const ml5::ModelSlot& slot = ml5::slot(s.type);
    if (s.loaded)
        return std::string("<ModelStatus ") + slot.name + ": loaded " + s.path + ", " + std::to_string(s.n_params) + " params>";
    return std::string("<ModelStatus ") + slot.name + ": fallback (" + ml5::reason_name(s.reason) + ") " + s.message + ">";
}

}  // namespace

void bind_processor(nb::module_& m) {
    nb::enum_<ml5::ModelType>(m, "ModelType", "The five slots, in pipeline order.")
        .value("EmotionRecognizer", ml5::ModelType::EmotionRecognizer)
        .value("MelodyTransformer", ml5::ModelType::MelodyTransformer)
        .value("HarmonyPredictor", ml5::ModelType::HarmonyPredictor)
        .value("DynamicsEngine", ml5::ModelType::DynamicsEngine)
        .value("GroovePredictor", ml5::ModelType::GroovePredictor);

    nb::list slots;
    for (const auto& s : ml5::kModelSlots)
        slots.append(nb::make_tuple(s.name, s.title, s.stem, s.in_size, s.out_size));
    m.attr("MODEL_SLOTS") = nb::tuple(slots);
    m.attr("FEATURE_SIZE") = ml5::kFeatureSize;
    m.attr("HARMONY_CONTEXT_SIZE") = ml5::kHarmonyContextSize;

    nb::class_<ml5::ModelStatus>(m, "ModelStatus", "What one slot runs, and why.")
        .def_prop_ro("model", [](const ml5::ModelStatus& s) { return ml5::slot(s.type).name; })
        .def_prop_ro("stem", [](const ml5::ModelStatus& s) { return ml5::slot(s.type).stem; })
        .def_prop_ro("title", [](const ml5::ModelStatus& s) { return ml5::slot(s.type).title; })
        .def_ro("loaded", &ml5::ModelStatus::loaded, "True: the network runs; False: the fallback does.")
        .def_prop_ro("reason", [](const ml5::ModelStatus& s) { return ml5::reason_name(s.reason); },
                     "Why the fallback runs: 'missing file', 'load error', 'size mismatch', 'no models folder', "
                     "'not initialized', or 'none'.")
        .def_ro("message", &ml5::ModelStatus::message)
        .def_ro("path", &ml5::ModelStatus::path)
        .def_ro("n_params", &ml5::ModelStatus::n_params, "Numbers in the loaded file's weights.")
        .def_ro("weight_bytes", &ml5::ModelStatus::weight_bytes, "Bytes of weights held, padding included.")
        .def_ro("load_ms", &ml5::ModelStatus::load_ms)
        .def_ro("generation", &ml5::ModelStatus::generation, "Models swapped into this slot so far.")
        .def("__repr__", &status_repr);

    nb::class_<ml5::ReloadResult>(m, "ReloadResult", "The outcome of reloading one slot.")
        .def_prop_ro("model", [](const ml5::ReloadResult& r) { return ml5::slot(r.type).name; })
        .def_ro("ok", &ml5::ReloadResult::ok, "The new file is in use.")
        .def_ro("error", &ml5::ReloadResult::error, "Why not; the previous model stays in use.")
        .def_ro("status", &ml5::ReloadResult::status)
        .def("__repr__", [](const ml5::ReloadResult& r) {
            return std::string("<ReloadResult ") + ml5::slot(r.type).name + ": " + (r.ok ? "ok" : "kept previous: " + r.error) + ">";
        });

    nb::class_<PyProcessor>(m, "Processor",
                            "The five networks as one unit: files by stem, fallbacks, enable/disable, the full "
                            "pipeline, reload, statistics, and an async pipeline.")
        .def("__init__",
             [](PyProcessor* self, const std::string& precision) {
                 ml5::Precision p;
                 try {
                     p = ml5::precision_from_string(precision.c_str());
                 } catch (const std::invalid_argument& e) {
                     throw nb::value_error(e.what());
                 }
                 new (self) PyProcessor(p);
             },
             "precision"_a = "fp32",
             "precision: 'fp32' (default) or 'fp16' (weight matrices in half precision).")
        .def_prop_ro("precision",
                     [](const PyProcessor& self) { return std::string(ml5::to_string(self.processor.precision())); })
        .def("initialize",
             [](PyProcessor& self, std::optional<nb::object> folder) {
                 const std::string dir = folder ? nb::cast<std::string>(nb::str(*folder)) : std::string();
                 nb::gil_scoped_release release;
                 return as_list(self.processor.initialize(dir));
             },
             "folder"_a = nb::none(),
             "Load <folder>/<stem>.json into each slot; None searches $ML5_MODELS_PATH, <exe dir>/models, "
             "<exe dir>/../Resources/models, then the user data folder. Returns one ModelStatus per slot.")
        .def_prop_ro("statuses", [](const PyProcessor& self) { return as_list(self.processor.statuses()); })
        .def("status", [](const PyProcessor& self, nb::handle which) { return self.processor.status(model_type(which)); },
             "model"_a)
        .def_prop_ro("models_directory", [](const PyProcessor& self) { return self.processor.modelsDirectory(); })
        .def_prop_ro("searched_folders", [](const PyProcessor& self) { return self.processor.searchedFolders(); })
        .def("run", &run, "features"_a, "harmony_context"_a = nb::none(), "with_sources"_a = false,
             "The full pipeline on 128 features: {'emotion': (64,), 'melody': (128,), 'harmony': (64,), "
             "'dynamics': (16,), 'groove': (32,)} float32 arrays; with_sources=True also returns what ran per model "
             "('network', 'fallback', 'skipped'). harmony_context: the 64-value harmony context (standardised with "
             "the harmony export's model_card.input_standardisation entries 64..127), fed to the harmony model after "
             "the emotion embedding; None feeds features[:64] instead (the original chain). Raises ValueError for a "
             "wrong size or a non-finite value.")
        .def("infer", &infer, "model"_a, "x"_a, "One model on its own input (zeros if it is disabled).")
        .def("enable", [](PyProcessor& self, nb::handle which, bool on) { self.processor.setEnabled(model_type(which), on); },
             "model"_a, "enabled"_a = true)
        .def("disable", [](PyProcessor& self, nb::handle which) { self.processor.setEnabled(model_type(which), false); },
             "model"_a)
        .def("is_enabled", [](const PyProcessor& self, nb::handle which) { return self.processor.isEnabled(model_type(which)); },
             "model"_a)
        .def("is_loaded", [](const PyProcessor& self, nb::handle which) { return self.processor.isLoaded(model_type(which)); },
             "model"_a)
        .def("reload",
             [](PyProcessor& self, nb::handle which) {
                 const ml5::ModelType t = model_type(which);
                 nb::gil_scoped_release release;
                 return self.processor.reloadModel(t);
             },
             "model"_a, "Load the slot's file again; on failure the previous model stays (see .error).")
        .def("reload_all",
             [](PyProcessor& self) {
                 nb::gil_scoped_release release;
                 const auto all = self.processor.reloadAll();
                 return std::vector<ml5::ReloadResult>(all.begin(), all.end());
             })
        .def_prop_ro("stats", &stats, "What is loaded: parameters, weight bytes, load time, reload counts.")
        .def("start", &start, "capacity"_a = 256, "Start the async worker (ring capacity rounded up to a power of two).")
        .def("stop", &stop, "Stop the worker after every accepted request; returns counts and the dropped ids.")
        .def_prop_ro("running", [](const PyProcessor& self) { return self.pipeline && self.pipeline->running(); })
        .def("submit", &submit, "features"_a, "harmony_context"_a = nb::none(),
             "Queue one frame (and its 64-value harmony context, or None as in run()); returns its id, or 0 if the "
             "ring is full.")
        .def("poll", &poll, "The next result as (id, status, outputs) — outputs None on an error status — or None.")
        .def_prop_ro("async_counters", &counters)
        .def("time_pipeline", &time_pipeline, "features"_a, "frames"_a = 1000,
             "Nanoseconds of each of `frames` runFullPipeline calls, timed in C++.")
        .def("time_async", &time_async, "features"_a, "frames"_a = 1000,
             "Nanoseconds from submit() to the poll() returning that result, one request in flight at a time.");
}
