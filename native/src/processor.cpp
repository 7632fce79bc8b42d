#include "ml5/processor.hpp"

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <thread>
#include <utility>

#include "ml5/loader.hpp"

namespace ml5 {

namespace {

constexpr const ModelSlot& kEmotion = slot(ModelType::EmotionRecognizer);
constexpr const ModelSlot& kMelody = slot(ModelType::MelodyTransformer);
constexpr const ModelSlot& kHarmony = slot(ModelType::HarmonyPredictor);
constexpr const ModelSlot& kDynamics = slot(ModelType::DynamicsEngine);
constexpr const ModelSlot& kGroove = slot(ModelType::GroovePredictor);

// The chain of MODELS.md, checked against the slot table.
static_assert(kMelody.in_size == kEmotion.out_size, "melody reads the emotion embedding");
static_assert(kHarmonyContextSize == 64 && kHarmonyContextSize <= kFeatureSize,
              "harmony reads emotion + the harmony context (or features[0..64))");
static_assert(kDynamics.in_size <= kEmotion.out_size, "dynamics reads emotion[0..32)");
static_assert(kGroove.in_size == kEmotion.out_size, "groove reads the emotion embedding");
static_assert(kEmotion.in_size >= 64 + kEmotion.out_size / 2, "the emotion fallback reads in[64..96)");
static_assert(kHarmony.out_size <= kHarmony.in_size && kDynamics.out_size <= kDynamics.in_size &&
                  kGroove.out_size <= kGroove.in_size,
              "the tanh/clamp fallbacks read in[i] for every output i");

bool all_finite(const float* x, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(x[i])) return false;
    return true;
}

std::string sizes(int in, int out) { return std::to_string(in) + " -> " + std::to_string(out); }

}  // namespace

const char* status_name(Status s) noexcept {
    switch (s) {
        case Status::Ok: return "ok";
        case Status::NullPointer: return "null pointer";
        case Status::WrongInputSize: return "wrong input size";
        case Status::WrongOutputSize: return "wrong output size";
        case Status::NonFiniteInput: return "non-finite input";
        case Status::ModelDisabled: return "model disabled";
        case Status::Busy: return "busy";
        case Status::InvalidModelType: return "invalid model type";
    }
    return "unknown status";
}

const char* source_name(Source s) noexcept {
    switch (s) {
        case Source::Skipped: return "skipped";
        case Source::Network: return "network";
        case Source::Fallback: return "fallback";
    }
    return "unknown";
}

const char* reason_name(FallbackReason r) noexcept {
    switch (r) {
        case FallbackReason::None: return "none";
        case FallbackReason::NotInitialized: return "not initialized";
        case FallbackReason::NoModelsFolder: return "no models folder";
        case FallbackReason::MissingFile: return "missing file";
        case FallbackReason::LoadError: return "load error";
        case FallbackReason::SizeMismatch: return "size mismatch";
    }
    return "unknown";
}

float* PipelineResult::output(ModelType t) noexcept {
    return const_cast<float*>(static_cast<const PipelineResult*>(this)->output(t));
}

const float* PipelineResult::output(ModelType t) const noexcept {
    switch (t) {
        case ModelType::EmotionRecognizer: return emotion.data();
        case ModelType::MelodyTransformer: return melody.data();
        case ModelType::HarmonyPredictor: return harmony.data();
        case ModelType::DynamicsEngine: return dynamics.data();
        case ModelType::GroovePredictor: return groove.data();
    }
    return nullptr;
}

// ---- construction, loading, swapping (control side) ----

MultiModelProcessor::MultiModelProcessor() noexcept : MultiModelProcessor(Precision::fp32) {}

MultiModelProcessor::MultiModelProcessor(Precision precision) noexcept : precision_(precision) {
    for (std::size_t i = 0; i < kModelCount; ++i) {
        current_[i].store(nullptr);
        hazard_[i].store(nullptr);
        enabled_[i].store(true);
        status_[i].type = kModelSlots[i].type;
    }
}

MultiModelProcessor::~MultiModelProcessor() {
    for (auto& p : current_) delete p.exchange(nullptr);
}

struct MultiModelProcessor::LoadOutcome {
    std::unique_ptr<Model> model;
    ModelStatus status;
};

// Reads and checks one slot's file. Runs on the calling (control) thread, never on audio.
MultiModelProcessor::LoadOutcome MultiModelProcessor::load_slot(const ModelSlot& s) const {
    LoadOutcome r;
    r.status.type = s.type;
    const auto fail = [&](FallbackReason reason, std::string message) {
        r.status.reason = reason;
        r.status.message = std::move(message);
        return std::move(r);
    };
    if (!initialized_) return fail(FallbackReason::NotInitialized, "initialize() has not been called");
    if (dir_.empty()) {
        std::string searched;
        for (const auto& c : searched_) searched += (searched.empty() ? "" : ", ") + c;
        return fail(FallbackReason::NoModelsFolder,
                    "no models folder found (searched: " + (searched.empty() ? "nothing" : searched) + ")");
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(dir_, ec)) return fail(FallbackReason::NoModelsFolder, "models folder not found: " + dir_);
    r.status.path = (std::filesystem::path(dir_) / (std::string(s.stem) + ".json")).string();
    if (!std::filesystem::exists(r.status.path, ec)) return fail(FallbackReason::MissingFile, "missing file: " + r.status.path);
    const auto t0 = std::chrono::steady_clock::now();
    try {
        r.model = std::make_unique<Model>(load_model_file(r.status.path, precision_));
    } catch (const LoadError& e) {
        return fail(FallbackReason::LoadError, e.what());
    } catch (const std::exception& e) {  // out of memory, filesystem errors
        return fail(FallbackReason::LoadError, r.status.path + ": " + e.what());
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (r.model->in_size() != s.in_size || r.model->out_size() != s.out_size) {
        const std::string got = sizes(r.model->in_size(), r.model->out_size());
        r.model.reset();
        return fail(FallbackReason::SizeMismatch, r.status.path + ": the model maps " + got + " but the " + s.title +
                                                      " slot takes " + sizes(s.in_size, s.out_size));
    }
    r.model->set_stateless(true);  // one step from a zero state, as the networks are trained
    r.status.loaded = true;
    r.status.reason = FallbackReason::None;
    r.status.n_params = r.model->n_params();
    r.status.weight_bytes = r.model->weight_bytes();
    r.status.load_ms = ms;
    return r;
}

// Publishes `next` (null: the fallback) and frees the model it replaces once no inference
// call uses it. The wait is here, on the control thread: the audio thread never waits.
void MultiModelProcessor::install(std::size_t i, Model* next) {
    Model* old = current_[i].exchange(next, std::memory_order_seq_cst);
    if (old == nullptr) return;
    // An inference that took `old` before the exchange has it in hazard_[i] until it returns;
    // one that starts later sees `next` (acquire() re-checks current_ after publishing).
    while (hazard_[i].load(std::memory_order_seq_cst) == old) std::this_thread::yield();
    delete old;
}

std::array<ModelStatus, kModelCount> MultiModelProcessor::initialize(const std::string& models_dir) {
    std::lock_guard<std::mutex> lock(control_);
    initialized_ = true;
    searched_.clear();
    if (models_dir.empty()) {
        searched_ = model_search_paths();
        dir_ = find_models_directory(searched_);
    } else {
        dir_ = models_dir;
    }
    for (std::size_t i = 0; i < kModelCount; ++i) {
        LoadOutcome r = load_slot(kModelSlots[i]);
        r.status.generation = status_[i].generation + (r.model ? 1 : 0);
        install(i, r.model.release());
        status_[i] = std::move(r.status);
    }
    return status_;
}

ReloadResult MultiModelProcessor::reload_locked(ModelType type) {
    ReloadResult result;
    result.type = type;
    if (!valid_model_type(type)) {
        result.error = "invalid model type " + std::to_string(static_cast<int>(type));
        return result;
    }
    const std::size_t i = slot_index(type);
    LoadOutcome r = load_slot(kModelSlots[i]);
    if (r.model) {
        r.status.generation = status_[i].generation + 1;
        install(i, r.model.release());
        status_[i] = std::move(r.status);
        result.ok = true;
        ++reloads_;
    } else {
        result.error = r.status.message;  // the slot keeps what it had
        ++failed_reloads_;
    }
    result.status = status_[i];
    return result;
}

ReloadResult MultiModelProcessor::reloadModel(ModelType type) {
    std::lock_guard<std::mutex> lock(control_);
    return reload_locked(type);
}

std::array<ReloadResult, kModelCount> MultiModelProcessor::reloadAll() {
    std::lock_guard<std::mutex> lock(control_);
    std::array<ReloadResult, kModelCount> results;
    for (std::size_t i = 0; i < kModelCount; ++i) results[i] = reload_locked(kModelSlots[i].type);
    return results;
}

std::array<ModelStatus, kModelCount> MultiModelProcessor::statuses() const {
    std::lock_guard<std::mutex> lock(control_);
    return status_;
}

ModelStatus MultiModelProcessor::status(ModelType type) const {
    std::lock_guard<std::mutex> lock(control_);
    return valid_model_type(type) ? status_[slot_index(type)] : ModelStatus{};
}

ProcessorStats MultiModelProcessor::stats() const {
    std::lock_guard<std::mutex> lock(control_);
    ProcessorStats s;
    for (const auto& st : status_) {
        if (!st.loaded) continue;
        ++s.models_loaded;
        s.total_params += st.n_params;
        s.total_weight_bytes += st.weight_bytes;
        s.total_load_ms += st.load_ms;
    }
    s.reloads = reloads_;
    s.failed_reloads = failed_reloads_;
    return s;
}

std::string MultiModelProcessor::modelsDirectory() const {
    std::lock_guard<std::mutex> lock(control_);
    return dir_;
}

std::vector<std::string> MultiModelProcessor::searchedFolders() const {
    std::lock_guard<std::mutex> lock(control_);
    return searched_;
}

// ---- any thread ----

void MultiModelProcessor::setEnabled(ModelType type, bool enabled) noexcept {
    if (valid_model_type(type)) enabled_[slot_index(type)].store(enabled, std::memory_order_relaxed);
}

bool MultiModelProcessor::isEnabled(ModelType type) const noexcept {
    return valid_model_type(type) && enabled_[slot_index(type)].load(std::memory_order_relaxed);
}

bool MultiModelProcessor::isLoaded(ModelType type) const noexcept {
    return valid_model_type(type) && current_[slot_index(type)].load(std::memory_order_acquire) != nullptr;
}

// ---- inference (one thread at a time; no allocation, lock or wait) ----

// Hazard pointer with one reader (busy_ admits one inference call at a time): publish the
// model about to be used, then check it is still the current one.
Model* MultiModelProcessor::acquire(std::size_t i) noexcept {
    Model* p = current_[i].load(std::memory_order_seq_cst);
    for (;;) {
        hazard_[i].store(p, std::memory_order_seq_cst);
        Model* now = current_[i].load(std::memory_order_seq_cst);
        if (now == p) return p;
        p = now;  // a reload swapped it in between: retry (only happens around a reload)
    }
}

void MultiModelProcessor::release(std::size_t i) noexcept { hazard_[i].store(nullptr, std::memory_order_release); }

void MultiModelProcessor::run_slot(ModelType t, const float* in, float* out, Source& source) noexcept {
    const std::size_t i = slot_index(t);
    const ModelSlot& s = kModelSlots[i];
    if (!enabled_[i].load(std::memory_order_relaxed)) {
        std::memset(out, 0, static_cast<std::size_t>(s.out_size) * sizeof(float));
        source = Source::Skipped;
        return;
    }
    if (Model* model = acquire(i)) {
        model->forward(in, out);
        source = Source::Network;
    } else {
        s.fallback(in, out);
        source = Source::Fallback;
    }
    release(i);
}

namespace {
// Admits one inference call at a time without blocking.
class InferenceGuard {
public:
    explicit InferenceGuard(std::atomic<bool>& busy) noexcept
        : busy_(busy), owned_(!busy.exchange(true, std::memory_order_acquire)) {}
    ~InferenceGuard() {
        if (owned_) busy_.store(false, std::memory_order_release);
    }
    bool owned() const noexcept { return owned_; }

private:
    std::atomic<bool>& busy_;
    bool owned_;
};
}  // namespace

Status MultiModelProcessor::infer(ModelType type, const float* in, std::size_t in_size, float* out,
                                  std::size_t out_size, Source* source) noexcept {
    if (!valid_model_type(type)) return Status::InvalidModelType;
    const ModelSlot& s = slot(type);
    if (in == nullptr || out == nullptr) return Status::NullPointer;
    if (in_size != static_cast<std::size_t>(s.in_size)) return Status::WrongInputSize;
    if (out_size < static_cast<std::size_t>(s.out_size)) return Status::WrongOutputSize;
    if (!all_finite(in, in_size)) return Status::NonFiniteInput;
    InferenceGuard guard(busy_);
    if (!guard.owned()) return Status::Busy;
    Source ran = Source::Skipped;
    run_slot(type, in, out, ran);
    if (source) *source = ran;
    return ran == Source::Skipped ? Status::ModelDisabled : Status::Ok;
}

Status MultiModelProcessor::runFullPipeline(const float* features, PipelineResult& out) noexcept {
    return runFullPipeline(features, static_cast<std::size_t>(kFeatureSize), nullptr, 0, out);
}

Status MultiModelProcessor::runFullPipeline(const float* features, std::size_t n_features, PipelineResult& out) noexcept {
    return runFullPipeline(features, n_features, nullptr, 0, out);
}

Status MultiModelProcessor::runFullPipeline(const float* features, const float* harmony_context,
                                            PipelineResult& out) noexcept {
    return runFullPipeline(features, static_cast<std::size_t>(kFeatureSize), harmony_context,
                           harmony_context ? static_cast<std::size_t>(kHarmonyContextSize) : 0, out);
}

Status MultiModelProcessor::runFullPipeline(const float* features, std::size_t n_features, const float* harmony_context,
                                            std::size_t n_context, PipelineResult& r) noexcept {
    if (features == nullptr) return Status::NullPointer;
    if (n_features != static_cast<std::size_t>(kFeatureSize)) return Status::WrongInputSize;
    if (harmony_context == nullptr && n_context != 0) return Status::NullPointer;
    if (harmony_context != nullptr && n_context != static_cast<std::size_t>(kHarmonyContextSize))
        return Status::WrongInputSize;
    if (!all_finite(features, n_features)) return Status::NonFiniteInput;
    if (harmony_context != nullptr && !all_finite(harmony_context, n_context)) return Status::NonFiniteInput;
    InferenceGuard guard(busy_);
    if (!guard.owned()) return Status::Busy;
    auto& src = r.source;
    // 1. emotion[64] = EmotionRecognizer(features)
    run_slot(ModelType::EmotionRecognizer, features, r.emotion.data(), src[0]);
    // 2. melody[128] = MelodyTransformer(emotion)
    run_slot(ModelType::MelodyTransformer, r.emotion.data(), r.melody.data(), src[1]);
    // 3. harmony[64] = HarmonyPredictor(emotion[0..64) ++ context), the context being the host's
    //    harmony context or, without one, features[0..64)
    float harmony_in[kHarmony.in_size];
    std::memcpy(harmony_in, r.emotion.data(), sizeof(float) * kEmotion.out_size);
    std::memcpy(harmony_in + kEmotion.out_size, harmony_context ? harmony_context : features,
                sizeof(float) * kHarmonyContextSize);
    run_slot(ModelType::HarmonyPredictor, harmony_in, r.harmony.data(), src[2]);
    // 4. dynamics[16] = DynamicsEngine(emotion[0..32))
    run_slot(ModelType::DynamicsEngine, r.emotion.data(), r.dynamics.data(), src[3]);
    // 5. groove[32] = GroovePredictor(emotion)
    run_slot(ModelType::GroovePredictor, r.emotion.data(), r.groove.data(), src[4]);
    return Status::Ok;
}

}  // namespace ml5
