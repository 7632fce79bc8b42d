// MultiModelProcessor and AsyncPipeline behaviour: statuses and their reasons, the chain,
// the fallbacks, enable/disable, input checks, reload, statistics, the folder search, the
// SPSC ring and the async pipeline's id / stop semantics. Usage: ml5rt_processor_test
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "check.hpp"
#include "ml5/ml5.hpp"
#include "test_models.hpp"

namespace {

using ml5::ModelType;
using ml5::Status;
namespace fs = std::filesystem;

using ml5_test::check;
using ml5_test::contains;


std::vector<float> features(int seed) {
    std::vector<float> x(ml5::kFeatureSize);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37f * static_cast<float>(i) + static_cast<float>(seed));
    return x;
}

bool same(const float* a, const float* b, int n) { return std::memcmp(a, b, sizeof(float) * static_cast<std::size_t>(n)) == 0; }

bool all_zero(const float* a, int n) {
    for (int i = 0; i < n; ++i)
        if (a[i] != 0.0f) return false;
    return true;
}

std::vector<float> run_model(ml5::Model& m, const float* in) {
    std::vector<float> y(static_cast<std::size_t>(m.out_size()));
    m.forward(in, y.data());
    return y;
}

// The fallbacks written again from MODELS.md, in double precision.
double sig(double x) { return 1.0 / (1.0 + std::exp(-x)); }
std::vector<double> formula(ModelType t, const float* in) {
    std::vector<double> out(static_cast<std::size_t>(ml5::slot(t).out_size));
    for (std::size_t i = 0; i < out.size(); ++i) {
        const double pc = 2.0 * static_cast<double>(i % 12) / 12.0 - 1.0;
        switch (t) {
            case ModelType::EmotionRecognizer: out[i] = i < 32 ? std::tanh(0.3 * in[i]) : std::tanh(0.5 * in[64 + i - 32]); break;
            case ModelType::MelodyTransformer: out[i] = i < 64 ? sig(pc + 0.5 * in[i]) : sig(pc); break;
            case ModelType::HarmonyPredictor: out[i] = std::tanh(0.4 * in[i]); break;
            case ModelType::DynamicsEngine: out[i] = std::min(1.0, std::max(0.0, 0.5 + 0.3 * in[i])); break;
            case ModelType::GroovePredictor: out[i] = std::tanh(0.6 * in[i]); break;
        }
    }
    return out;
}

bool close_to(const float* a, const std::vector<double>& b, double tol) {
    for (std::size_t i = 0; i < b.size(); ++i)
        if (!(std::fabs(static_cast<double>(a[i]) - b[i]) <= tol)) return false;
    return true;
}

void fallbacks_before_initialize() {
    ml5::MultiModelProcessor p;
    const auto early = p.reloadModel(ModelType::GroovePredictor);
    check(!early.ok && contains(early.error, "initialize()"), "reload before initialize says so: " + early.error);
    for (const auto& st : p.statuses()) check(!st.loaded && st.reason == ml5::FallbackReason::NotInitialized, "not initialized");
    const auto x = features(1);
    ml5::PipelineResult r;
    check(p.runFullPipeline(x.data(), r) == Status::Ok, "pipeline runs on fallbacks");
    for (auto s : r.source) check(s == ml5::Source::Fallback, "every slot on its fallback");
    check(close_to(r.emotion.data(), formula(ModelType::EmotionRecognizer, x.data()), 1e-6), "emotion fallback formula");
    check(close_to(r.melody.data(), formula(ModelType::MelodyTransformer, r.emotion.data()), 1e-6), "melody fallback formula");
    float h_in[128];
    std::memcpy(h_in, r.emotion.data(), 64 * sizeof(float));
    std::memcpy(h_in + 64, x.data(), 64 * sizeof(float));
    check(close_to(r.harmony.data(), formula(ModelType::HarmonyPredictor, h_in), 1e-6), "harmony fallback formula");
    check(close_to(r.dynamics.data(), formula(ModelType::DynamicsEngine, r.emotion.data()), 1e-6), "dynamics fallback formula");
    check(close_to(r.groove.data(), formula(ModelType::GroovePredictor, r.emotion.data()), 1e-6), "groove fallback formula");
    // Clamping: dynamics saturates at 0 and 1.
    float big[32], out[16];
    for (int i = 0; i < 32; ++i) big[i] = i % 2 ? 5.0f : -5.0f;
    check(p.infer(ModelType::DynamicsEngine, big, 32, out, 16) == Status::Ok && out[0] == 0.0f && out[1] == 1.0f,
          "dynamics fallback clamps to 0..1");
}

void statuses_chain_and_checks() {
    const fs::path dir = ml5test::temp_folder("processor");
    ml5test::write_file(ml5test::model_path(dir, ModelType::EmotionRecognizer), ml5test::slot_model(ModelType::EmotionRecognizer, 1));
    ml5test::write_file(ml5test::model_path(dir, ModelType::HarmonyPredictor), ml5test::slot_model(ModelType::HarmonyPredictor, 1));
    const std::string good_dyn = ml5test::slot_model(ModelType::DynamicsEngine, 1);
    ml5test::write_file(ml5test::model_path(dir, ModelType::DynamicsEngine), good_dyn.substr(0, good_dyn.size() / 2));
    // A groove file mapping 64 -> 16 instead of 64 -> 32.
    std::mt19937 rng(5);
    ml5test::write_file(ml5test::model_path(dir, ModelType::GroovePredictor),
                        R"({"in_shape":[null,64],"layers":[)" + ml5test::dense(rng, 64, 16, "tanh") + "]}");

    ml5::MultiModelProcessor p;
    const auto st = p.initialize(dir.string());
    check(st[0].loaded && st[0].reason == ml5::FallbackReason::None && st[0].message.empty(), "emotion loaded");
    check(!st[1].loaded && st[1].reason == ml5::FallbackReason::MissingFile && contains(st[1].message, "melodytransformer.json"),
          "melody missing: " + st[1].message);
    check(st[2].loaded, "harmony loaded");
    check(!st[3].loaded && st[3].reason == ml5::FallbackReason::LoadError && contains(st[3].message, "dynamicsengine.json"),
          "dynamics corrupt: " + st[3].message);
    check(!st[4].loaded && st[4].reason == ml5::FallbackReason::SizeMismatch && contains(st[4].message, "64 -> 16") &&
              contains(st[4].message, "64 -> 32"),
          "groove size mismatch: " + st[4].message);
    check(p.isLoaded(ModelType::EmotionRecognizer) && !p.isLoaded(ModelType::MelodyTransformer), "isLoaded");
    check(p.modelsDirectory() == dir.string(), "models directory");

    // The chain, against the same files loaded directly.
    ml5::Model emotion = ml5::load_model_file(ml5test::model_path(dir, ModelType::EmotionRecognizer).string());
    ml5::Model harmony = ml5::load_model_file(ml5test::model_path(dir, ModelType::HarmonyPredictor).string());
    const auto x = features(2);
    ml5::PipelineResult r;
    check(p.runFullPipeline(x.data(), r) == Status::Ok, "pipeline ok");
    const auto e = run_model(emotion, x.data());
    check(same(r.emotion.data(), e.data(), 64) && r.source[0] == ml5::Source::Network, "emotion = network(features)");
    float h_in[128];
    std::memcpy(h_in, e.data(), 64 * sizeof(float));
    std::memcpy(h_in + 64, x.data(), 64 * sizeof(float));
    const auto h = run_model(harmony, h_in);
    check(same(r.harmony.data(), h.data(), 64), "harmony = network(emotion ++ features[0..64))");
    float m[128], d[16], g[32];
    ml5::fallback::melody(e.data(), m);
    ml5::fallback::dynamics(e.data(), d);
    ml5::fallback::groove(e.data(), g);
    check(same(r.melody.data(), m, 128) && r.source[1] == ml5::Source::Fallback, "melody = fallback(emotion)");
    check(same(r.dynamics.data(), d, 16), "dynamics = fallback(emotion[0..32))");
    check(same(r.groove.data(), g, 32), "groove = fallback(emotion)");

    // Single-model inference equals the pipeline's step.
    float single[64];
    ml5::Source src{};
    check(p.infer(ModelType::HarmonyPredictor, h_in, 128, single, 64, &src) == Status::Ok && same(single, h.data(), 64) &&
              src == ml5::Source::Network,
          "single-model inference");

    // Disable: skipped, output zero (even in a result that held values), downstream still runs.
    p.setEnabled(ModelType::MelodyTransformer, false);
    check(!p.isEnabled(ModelType::MelodyTransformer), "disabled");
    check(p.runFullPipeline(x.data(), r) == Status::Ok && all_zero(r.melody.data(), 128) && r.source[1] == ml5::Source::Skipped,
          "disabled slot outputs zero");
    check(same(r.harmony.data(), h.data(), 64), "other slots unaffected");
    check(p.infer(ModelType::MelodyTransformer, e.data(), 64, m, 128) == Status::ModelDisabled && all_zero(m, 128),
          "infer on a disabled slot");
    p.setEnabled(ModelType::EmotionRecognizer, false);
    p.runFullPipeline(x.data(), r);
    float zeros[128] = {};
    float g0[32];
    ml5::fallback::groove(zeros, g0);
    check(all_zero(r.emotion.data(), 64) && same(r.groove.data(), g0, 32), "disabled emotion feeds zeros downstream");
    p.setEnabled(ModelType::EmotionRecognizer, true);
    p.setEnabled(ModelType::MelodyTransformer, true);

    // Input checks: an error status, nothing read past the size given.
    check(p.runFullPipeline(x.data(), 127, r) == Status::WrongInputSize, "short features");
    check(p.runFullPipeline(x.data(), 129, r) == Status::WrongInputSize, "long features");
    check(p.runFullPipeline(nullptr, r) == Status::NullPointer, "null features");
    auto bad = x;
    bad[77] = std::numeric_limits<float>::quiet_NaN();
    check(p.runFullPipeline(bad.data(), r) == Status::NonFiniteInput, "NaN");
    bad[77] = std::numeric_limits<float>::infinity();
    check(p.runFullPipeline(bad.data(), r) == Status::NonFiniteInput, "infinity");
    check(p.infer(ModelType::HarmonyPredictor, h_in, 64, single, 64) == Status::WrongInputSize, "infer: wrong input size");
    check(p.infer(ModelType::HarmonyPredictor, h_in, 128, single, 63) == Status::WrongOutputSize, "infer: small output");
    check(p.infer(static_cast<ModelType>(7), h_in, 128, single, 64) == Status::InvalidModelType, "infer: bad type");
    check(p.infer(ModelType::HarmonyPredictor, h_in, 128, nullptr, 64) == Status::NullPointer, "infer: null out");
    check(std::string(ml5::status_name(Status::NonFiniteInput)) == "non-finite input", "status names");

    // Statistics of what is loaded.
    const auto stats = p.stats();
    check(stats.models_loaded == 2, "two models loaded");
    check(stats.total_params == emotion.n_params() + harmony.n_params(), "total params");
    check(stats.total_weight_bytes == emotion.weight_bytes() + harmony.weight_bytes(), "total weight bytes");
    check(st[0].n_params == emotion.n_params() && st[0].load_ms > 0.0, "per-model stats");

    // Reload: a new file is swapped in; a failed reload keeps what the slot had.
    ml5test::write_file(ml5test::model_path(dir, ModelType::MelodyTransformer), ml5test::slot_model(ModelType::MelodyTransformer, 3));
    auto rr = p.reloadModel(ModelType::MelodyTransformer);
    check(rr.ok && rr.status.loaded && p.isLoaded(ModelType::MelodyTransformer) && rr.status.generation == 1, "reload loads a new file");
    ml5::Model melody = ml5::load_model_file(ml5test::model_path(dir, ModelType::MelodyTransformer).string());
    p.runFullPipeline(x.data(), r);
    const auto mel = run_model(melody, e.data());
    check(same(r.melody.data(), mel.data(), 128) && r.source[1] == ml5::Source::Network, "reloaded model runs");
    ml5test::write_file(ml5test::model_path(dir, ModelType::EmotionRecognizer), "{\"in_shape\":[null,128],\"layers\":[");
    rr = p.reloadModel(ModelType::EmotionRecognizer);
    check(!rr.ok && contains(rr.error, "emotionrecognizer.json") && rr.status.loaded, "failed reload says why: " + rr.error);
    p.runFullPipeline(x.data(), r);
    check(same(r.emotion.data(), e.data(), 64), "failed reload keeps the previous model");
    fs::remove(ml5test::model_path(dir, ModelType::EmotionRecognizer));
    rr = p.reloadModel(ModelType::EmotionRecognizer);
    check(!rr.ok && contains(rr.error, "missing file") && p.isLoaded(ModelType::EmotionRecognizer), "missing file on reload keeps the model");
    const auto all = p.reloadAll();
    check(!all[0].ok && all[1].ok && all[2].ok && !all[3].ok && !all[4].ok, "reloadAll reports each slot");
    check(p.stats().reloads == 3 && p.stats().failed_reloads == 5, "reload counters");
    fs::remove_all(dir);
}

// The harmony context: harmony reads emotion[0..64) ++ context when the host gives one, and
// emotion[0..64) ++ features[0..64) (the old feed) when it does not; bad contexts are refused.
void harmony_context() {
    const fs::path dir = ml5test::temp_folder("context");
    ml5test::write_all(dir, 6);
    ml5::MultiModelProcessor p;
    for (const auto& st : p.initialize(dir.string())) check(st.loaded, "context: every model loaded");
    ml5::Model emotion = ml5::load_model_file(ml5test::model_path(dir, ModelType::EmotionRecognizer).string());
    ml5::Model harmony = ml5::load_model_file(ml5test::model_path(dir, ModelType::HarmonyPredictor).string());
    check(ml5::kHarmonyContextSize == 64, "the harmony context holds 64 values");
    const auto x = features(4);
    std::vector<float> ctx(ml5::kHarmonyContextSize);
    for (std::size_t i = 0; i < ctx.size(); ++i) ctx[i] = std::cos(0.61f * static_cast<float>(i)) - 0.25f;

    const auto e = run_model(emotion, x.data());
    float h_in[128];
    std::memcpy(h_in, e.data(), 64 * sizeof(float));
    std::memcpy(h_in + 64, ctx.data(), 64 * sizeof(float));
    const auto h_ctx = run_model(harmony, h_in);
    std::memcpy(h_in + 64, x.data(), 64 * sizeof(float));
    const auto h_old = run_model(harmony, h_in);
    check(!same(h_ctx.data(), h_old.data(), 64), "context: the test context changes the harmony output");

    ml5::PipelineResult old_r, r;
    check(p.runFullPipeline(x.data(), old_r) == Status::Ok && same(old_r.harmony.data(), h_old.data(), 64),
          "context: without one, harmony = network(emotion ++ features[0..64))");
    check(p.runFullPipeline(x.data(), ctx.data(), r) == Status::Ok, "context: pipeline ok");
    check(same(r.harmony.data(), h_ctx.data(), 64) && r.source[2] == ml5::Source::Network,
          "context: harmony = network(emotion ++ context)");
    check(same(r.emotion.data(), old_r.emotion.data(), 64) && same(r.melody.data(), old_r.melody.data(), 128) &&
              same(r.dynamics.data(), old_r.dynamics.data(), 16) && same(r.groove.data(), old_r.groove.data(), 32),
          "context: the other slots do not read it");
    r = {};
    check(p.runFullPipeline(x.data(), x.size(), ctx.data(), ctx.size(), r) == Status::Ok &&
              same(r.harmony.data(), h_ctx.data(), 64),
          "context: sized overload");
    // A null context is the old feed, through every overload.
    r = {};
    check(p.runFullPipeline(x.data(), nullptr, r) == Status::Ok && same(r.harmony.data(), h_old.data(), 64) &&
              same(r.groove.data(), old_r.groove.data(), 32),
          "context: nullptr = the old behaviour");
    r = {};
    check(p.runFullPipeline(x.data(), x.size(), nullptr, 0, r) == Status::Ok && same(r.harmony.data(), h_old.data(), 64),
          "context: (nullptr, 0) = the old behaviour");

    // Refusals: nothing is run (the result keeps what it held).
    ml5::PipelineResult kept;
    kept.harmony.fill(7.0f);
    kept.emotion.fill(7.0f);
    const auto untouched = [&] { return kept.harmony[0] == 7.0f && kept.harmony[63] == 7.0f && kept.emotion[0] == 7.0f; };
    check(p.runFullPipeline(x.data(), x.size(), ctx.data(), 63, kept) == Status::WrongInputSize && untouched(),
          "context: 63 values refused");
    check(p.runFullPipeline(x.data(), x.size(), ctx.data(), 65, kept) == Status::WrongInputSize && untouched(),
          "context: 65 values refused");
    check(p.runFullPipeline(x.data(), x.size(), ctx.data(), 128, kept) == Status::WrongInputSize && untouched(),
          "context: 128 values refused");
    check(p.runFullPipeline(x.data(), 127, ctx.data(), ctx.size(), kept) == Status::WrongInputSize && untouched(),
          "context: short features still refused");
    check(p.runFullPipeline(x.data(), x.size(), nullptr, 64, kept) == Status::NullPointer && untouched(),
          "context: null context with a size refused");
    check(p.runFullPipeline(nullptr, ctx.data(), kept) == Status::NullPointer && untouched(), "context: null features");
    auto bad = ctx;
    bad[63] = std::numeric_limits<float>::quiet_NaN();
    check(p.runFullPipeline(x.data(), bad.data(), kept) == Status::NonFiniteInput && untouched(), "context: NaN refused");
    bad[63] = -std::numeric_limits<float>::infinity();
    check(p.runFullPipeline(x.data(), x.size(), bad.data(), bad.size(), kept) == Status::NonFiniteInput && untouched(),
          "context: infinity refused");
    auto bad_x = x;
    bad_x[5] = std::numeric_limits<float>::quiet_NaN();
    check(p.runFullPipeline(bad_x.data(), ctx.data(), kept) == Status::NonFiniteInput && untouched(),
          "context: NaN features still refused");
    // Disabled harmony: skipped, output zero, with or without a context.
    p.setEnabled(ModelType::HarmonyPredictor, false);
    check(p.runFullPipeline(x.data(), ctx.data(), r) == Status::Ok && all_zero(r.harmony.data(), 64) &&
              r.source[2] == ml5::Source::Skipped,
          "context: a disabled harmony slot is skipped");
    p.setEnabled(ModelType::HarmonyPredictor, true);

    // The async pipeline: per-frame context, frames with and without one interleaved.
    ml5::AsyncPipeline pipe(p, 16);
    check(pipe.start(), "context: async start");
    check(pipe.submit(x.data(), x.size(), ctx.data(), 63) == 0 && pipe.counters().rejected_invalid == 1,
          "context: async wrong context size refused");
    check(pipe.submit(x.data(), x.size(), nullptr, 64) == 0 && pipe.counters().rejected_invalid == 2,
          "context: async null context with a size refused");
    ml5::AsyncResult res;
    bool ok = true;
    for (int i = 0; i < 50; ++i) {
        const bool with = i % 2 == 0;
        const std::uint64_t id = with ? pipe.submit(x.data(), x.size(), ctx.data(), ctx.size()) : pipe.submit(x.data());
        ok &= id != 0;
        while (!pipe.poll(res)) std::this_thread::yield();
        ok &= res.id == id && res.status == Status::Ok && same(res.result.harmony.data(), (with ? h_ctx : h_old).data(), 64) &&
              same(res.result.groove.data(), old_r.groove.data(), 32);
    }
    check(ok, "context: async results use each frame's own context (or the old feed)");
    const std::uint64_t plain = pipe.submit(x.data(), x.size(), nullptr, 0);
    while (!pipe.poll(res)) std::this_thread::yield();
    check(res.id == plain && res.status == Status::Ok && same(res.result.harmony.data(), h_old.data(), 64),
          "context: async (nullptr, 0) = the old feed");
    bad[63] = std::numeric_limits<float>::quiet_NaN();
    const std::uint64_t bad_id = pipe.submit(x.data(), x.size(), bad.data(), bad.size());
    while (!pipe.poll(res)) std::this_thread::yield();
    check(bad_id != 0 && res.id == bad_id && res.status == Status::NonFiniteInput, "context: async NaN context gets an error result");
    pipe.stop();
    fs::remove_all(dir);
}

void folder_search() {
    const fs::path base = ml5test::temp_folder("search");
    const fs::path env_dir = base / "env", xdg = base / "xdg";
    fs::create_directories(env_dir);
    fs::create_directories(xdg / "ml5" / "models");
    setenv("XDG_DATA_HOME", xdg.string().c_str(), 1);
    setenv("ML5_MODELS_PATH", env_dir.string().c_str(), 1);
    const auto paths = ml5::model_search_paths();
    const std::string exe = ml5::executable_directory();
    check(!exe.empty(), "executable directory");
    check(paths.size() == 4 && paths[0] == env_dir.string() && paths[1] == (fs::path(exe) / "models").string() &&
              contains(paths[2], "Resources") && paths[3] == (xdg / "ml5" / "models").string(),
          "search order: env, exe/models, exe/../Resources/models, user data");
    ml5::MultiModelProcessor p;
    auto st = p.initialize();
    check(st[0].reason == ml5::FallbackReason::NoModelsFolder && contains(st[0].message, env_dir.string()),
          "nothing found: " + st[0].message);
    // A folder with models later in the order is found; an earlier empty one is skipped.
    ml5test::write_file(ml5test::model_path(xdg / "ml5" / "models", ModelType::GroovePredictor),
                        ml5test::slot_model(ModelType::GroovePredictor, 1));
    st = p.initialize();
    check(p.modelsDirectory() == (xdg / "ml5" / "models").string() && st[4].loaded && !st[0].loaded, "user data folder found");
    ml5test::write_all(env_dir, 2);
    st = p.initialize();
    check(p.modelsDirectory() == env_dir.string() && p.stats().models_loaded == 5, "ML5_MODELS_PATH comes first");
    st = p.initialize((base / "nope").string());
    check(st[2].reason == ml5::FallbackReason::NoModelsFolder && contains(st[2].message, "nope"), "missing folder given");
    unsetenv("ML5_MODELS_PATH");
    unsetenv("XDG_DATA_HOME");
    fs::remove_all(base);
}

void spsc_ring() {
    ml5::SpscRing<int> ring(5);
    check(ring.capacity() == 8, "capacity rounds up to a power of two");
    int v = 0;
    check(!ring.pop(v) && ring.empty(), "empty");
    for (int i = 0; i < 8; ++i) check(ring.push(i), "push");
    check(!ring.push(99) && ring.full(), "full");
    bool fifo = true;
    for (int round = 0; round < 100; ++round) {  // wrap around many times
        fifo &= ring.pop(v) && v == round;
        fifo &= ring.push(round + 8);
    }
    check(fifo && ring.size() == 8, "FIFO across wrap-around");
}

void async_pipeline() {
    const fs::path dir = ml5test::temp_folder("async");
    ml5test::write_all(dir, 4);
    ml5::MultiModelProcessor p;
    p.initialize(dir.string());
    ml5::AsyncPipeline pipe(p, 16);
    const auto x = features(3);
    check(pipe.submit(x.data()) == 0 && pipe.counters().rejected_stopped == 1, "submit before start is refused");
    check(pipe.start() && !pipe.start() && pipe.running(), "start once");
    check(pipe.submit(x.data(), 100) == 0 && pipe.counters().rejected_invalid == 1, "wrong size refused");
    ml5::PipelineResult expected;
    p.runFullPipeline(x.data(), expected);  // not concurrent with the worker: nothing submitted yet

    // Submit and poll: ids 1, 2, 3 ... in order, each result equal to the synchronous one.
    ml5::AsyncResult res;
    std::uint64_t next = 1;
    bool ok = true;
    for (int i = 0; i < 200; ++i) {
        const std::uint64_t id = pipe.submit(x.data());
        ok &= id == static_cast<std::uint64_t>(i + 1);
        while (!pipe.poll(res)) std::this_thread::yield();
        ok &= res.id == next++ && res.status == Status::Ok && same(res.result.groove.data(), expected.groove.data(), 32) &&
              same(res.result.melody.data(), expected.melody.data(), 128);
    }
    check(ok, "ids in order, results equal to runFullPipeline");
    auto bad = x;
    bad[0] = std::numeric_limits<float>::quiet_NaN();
    const auto bad_id = pipe.submit(bad.data());
    while (!pipe.poll(res)) std::this_thread::yield();
    check(res.id == bad_id && res.status == Status::NonFiniteInput, "a NaN request gets an error result");

    // Nobody polls: the rings fill, submit returns 0, stop drops what cannot be queued.
    std::uint64_t accepted = 0, refused = 0;
    for (int i = 0; i < 200; ++i) (pipe.submit(x.data()) ? accepted : refused)++;
    check(refused > 0 && pipe.counters().rejected_full == refused, "full ring refuses and counts");
    const auto report = pipe.stop();
    check(!pipe.running() && pipe.submit(x.data()) == 0, "stopped");
    std::vector<int> seen(static_cast<std::size_t>(report.accepted + 1), 0);
    std::uint64_t polled = 0;
    while (pipe.poll(res)) {
        ++polled;
        if (res.id <= report.accepted) ++seen[res.id];
    }
    for (auto id : report.dropped_ids) ++seen[id];
    bool once = true;
    for (std::uint64_t id = 202; id <= report.accepted; ++id) once &= seen[id] == 1;
    check(once && report.accepted == 201 + accepted, "every accepted request: one result or one dropped id");
    check(report.completed + report.dropped == report.accepted && polled + report.dropped_ids.size() == accepted,
          "counters add up");
    // Restart after stop.
    check(pipe.start() && pipe.submit(x.data()) == report.accepted + 1, "restart continues the ids");
    while (!pipe.poll(res)) std::this_thread::yield();
    check(res.id == report.accepted + 1, "result after restart");
    pipe.stop();
    fs::remove_all(dir);
}

}  // namespace

int main() {
    fallbacks_before_initialize();
    statuses_chain_and_checks();
    harmony_context();
    folder_search();
    spsc_ring();
    async_pipeline();
    return ml5_test::summary();
}
