// The five networks of the MIDI companion as one unit: model files found by stem, fallbacks
// for any model that is missing or refused, enable/disable, the full pipeline of MODELS.md,
// reload after training while audio runs, and statistics of what is really loaded.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "ml5/model.hpp"
#include "ml5/weights.hpp"

namespace ml5 {

// The five slots, in their fixed order (the index into kModelSlots).
enum class ModelType : int {
    EmotionRecognizer = 0,
    MelodyTransformer = 1,
    HarmonyPredictor = 2,
    DynamicsEngine = 3,
    GroovePredictor = 4,
};
inline constexpr int kModelCount = 5;

// The heuristic a slot runs when its network is missing or was refused (MODELS.md).
using FallbackFn = void (*)(const float* in, float* out) noexcept;

namespace fallback {
void emotion(const float* in, float* out) noexcept;   // tanh(0.3 in[i]) | tanh(0.5 in[64+i])
void melody(const float* in, float* out) noexcept;    // sigmoid(2 (i mod 12)/12 - 1 [+ 0.5 in[i]])
void harmony(const float* in, float* out) noexcept;   // tanh(0.4 in[i])
void dynamics(const float* in, float* out) noexcept;  // clamp(0.5 + 0.3 in[i], 0, 1)
void groove(const float* in, float* out) noexcept;    // tanh(0.6 in[i])
}  // namespace fallback

struct ModelSlot {
    ModelType type;
    const char* name;   // ml5's model name ("emotion")
    const char* title;  // "EmotionRecognizer"
    const char* stem;   // the file is <stem>.json
    int in_size;
    int out_size;
    FallbackFn fallback;
};

// The one definition of the slots: order, names, file stems, sizes, fallbacks.
inline constexpr std::array<ModelSlot, kModelCount> kModelSlots{{
    {ModelType::EmotionRecognizer, "emotion", "EmotionRecognizer", "emotionrecognizer", 128, 64, &fallback::emotion},
    {ModelType::MelodyTransformer, "melody", "MelodyTransformer", "melodytransformer", 64, 128, &fallback::melody},
    {ModelType::HarmonyPredictor, "harmony", "HarmonyPredictor", "harmonypredictor", 128, 64, &fallback::harmony},
    {ModelType::DynamicsEngine, "dynamics", "DynamicsEngine", "dynamicsengine", 32, 16, &fallback::dynamics},
    {ModelType::GroovePredictor, "groove", "GroovePredictor", "groovepredictor", 64, 32, &fallback::groove},
}};

constexpr std::size_t slot_index(ModelType t) noexcept { return static_cast<std::size_t>(t); }
constexpr const ModelSlot& slot(ModelType t) noexcept { return kModelSlots[slot_index(t)]; }
constexpr bool valid_model_type(ModelType t) noexcept {
    return static_cast<int>(t) >= 0 && static_cast<int>(t) < kModelCount;
}

// Features in: what the EmotionRecognizer reads, and what runFullPipeline takes.
inline constexpr int kFeatureSize = slot(ModelType::EmotionRecognizer).in_size;
// The harmony context: the second half of the HarmonyPredictor's input, after the emotion
// embedding (64 values; see runFullPipeline).
inline constexpr int kHarmonyContextSize =
    slot(ModelType::HarmonyPredictor).in_size - slot(ModelType::EmotionRecognizer).out_size;

// Result codes of the inference calls: they never throw.
enum class Status : int {
    Ok = 0,
    NullPointer,       // an input or output pointer is null
    WrongInputSize,    // the input does not hold the slot's in_size values
    WrongOutputSize,   // the output buffer holds fewer than the slot's out_size values
    NonFiniteInput,    // an input value is NaN or infinite (nothing was run)
    ModelDisabled,     // single-model inference on a disabled slot (the output is zeroed)
    Busy,              // another thread is inside an inference call of this processor
    InvalidModelType,  // not one of the five slots
};
const char* status_name(Status s) noexcept;

// What produced a slot's output in one call.
enum class Source : std::uint8_t {
    Skipped = 0,  // disabled: the output is zero
    Network,      // the loaded model
    Fallback,     // the heuristic of MODELS.md
};
const char* source_name(Source s) noexcept;

// Why a slot runs its fallback.
enum class FallbackReason : int {
    None = 0,        // it does not: the network is loaded
    NotInitialized,  // initialize() has not been called
    NoModelsFolder,  // no folder given and none found, or the folder given does not exist
    MissingFile,     // <folder>/<stem>.json does not exist
    LoadError,       // the loader refused the file (message: the loader's)
    SizeMismatch,    // the file loads but its in/out sizes are not the slot's
};
const char* reason_name(FallbackReason r) noexcept;

struct ModelStatus {
    ModelType type = ModelType::EmotionRecognizer;
    bool loaded = false;  // true: the network runs; false: the fallback does
    FallbackReason reason = FallbackReason::NotInitialized;
    std::string message;  // why the fallback runs ("" when loaded)
    std::string path;     // the file loaded or tried
    // Of the loaded model (zero on a fallback): numbers in the file's weights arrays, bytes
    // of weights really held (alignment padding included), and the time the load took.
    std::size_t n_params = 0;
    std::size_t weight_bytes = 0;
    double load_ms = 0.0;
    std::uint64_t generation = 0;  // how many models have been swapped into this slot
};

struct ReloadResult {
    ModelType type = ModelType::EmotionRecognizer;
    bool ok = false;     // the file loaded and is now in use
    std::string error;   // why not; the previous model (or fallback) stays in use
    ModelStatus status;  // the slot after the reload
};

struct ProcessorStats {
    int models_loaded = 0;               // slots running their network
    std::size_t total_params = 0;        // numbers in the loaded files' weights
    std::size_t total_weight_bytes = 0;  // bytes of weights held
    double total_load_ms = 0.0;          // load time of the models in use
    std::uint64_t reloads = 0;           // successful reloads (initialize not counted)
    std::uint64_t failed_reloads = 0;
};

// The outputs of one runFullPipeline call: fixed-size, no allocation.
struct PipelineResult {
    std::array<float, slot(ModelType::EmotionRecognizer).out_size> emotion{};
    std::array<float, slot(ModelType::MelodyTransformer).out_size> melody{};
    std::array<float, slot(ModelType::HarmonyPredictor).out_size> harmony{};
    std::array<float, slot(ModelType::DynamicsEngine).out_size> dynamics{};
    std::array<float, slot(ModelType::GroovePredictor).out_size> groove{};
    std::array<Source, kModelCount> source{};  // per slot, what produced its output

    float* output(ModelType t) noexcept;
    const float* output(ModelType t) const noexcept;
};

// Threading rules (see README):
// - control calls (initialize, reload*, statuses, stats, modelsDirectory) may come from any
//   thread but the audio thread; they are serialised by an internal mutex and may allocate;
// - inference calls (infer, runFullPipeline) never allocate, lock, block or throw; one thread
//   at a time runs them (a concurrent call returns Status::Busy instead of racing);
// - setEnabled / isEnabled / isLoaded: any thread, lock-free;
// - a reload swaps the new model in atomically; the audio thread never frees a model and
//   never waits: the reloading thread waits for the call that still uses the old model,
//   then frees it.
class MultiModelProcessor {
public:
    MultiModelProcessor() noexcept;
    // precision: how every slot's weight matrices are held from now on (Precision::fp16 halves
    // the bytes streamed per pipeline call; arithmetic stays float32). The default is fp32.
    explicit MultiModelProcessor(Precision precision) noexcept;
    ~MultiModelProcessor();  // no inference call may be running
    MultiModelProcessor(const MultiModelProcessor&) = delete;
    MultiModelProcessor& operator=(const MultiModelProcessor&) = delete;

    // Loads <models_dir>/<stem>.json into every slot; a slot whose file is missing or refused
    // runs its fallback, and its status says why. An empty models_dir searches the default
    // folders (model_search_paths()). Safe while inference runs (each slot is swapped).
    std::array<ModelStatus, kModelCount> initialize(const std::string& models_dir = "");

    // Loads the slot's file again from the folder of the last initialize(). On failure the
    // model in use (network or fallback) stays, and the result says why.
    ReloadResult reloadModel(ModelType type);
    std::array<ReloadResult, kModelCount> reloadAll();

    std::array<ModelStatus, kModelCount> statuses() const;
    ModelStatus status(ModelType type) const;
    ProcessorStats stats() const;
    std::string modelsDirectory() const;            // "" if none was found
    Precision precision() const noexcept { return precision_; }
    std::vector<std::string> searchedFolders() const;  // the candidates of the last search

    void setEnabled(ModelType type, bool enabled) noexcept;
    bool isEnabled(ModelType type) const noexcept;
    bool isLoaded(ModelType type) const noexcept;  // the network (not the fallback) is in use

    // One model: reads in[0..in_size), which must be the slot's in_size, writes the slot's
    // out_size values (out_size is the buffer's capacity). A disabled slot zeroes out and
    // returns ModelDisabled. source (optional) says what ran.
    Status infer(ModelType type, const float* in, std::size_t in_size, float* out, std::size_t out_size,
                 Source* source = nullptr) noexcept;

    // The chain of MODELS.md on kFeatureSize (128) features:
    //   emotion  = Emotion(features)            melody   = Melody(emotion)
    //   harmony  = Harmony(emotion[0..64) ++ C)  dynamics = Dynamics(emotion[0..32))
    //   groove   = Groove(emotion)
    // where C, the harmony context, is
    // - harmony_context[0..64) when one is given: the 64-value harmony context defined by ml5
    //   (see the harmony model page), computed by the host from the previous bar's audio or
    //   MIDI and standardised with the harmony export's model_card.input_standardisation
    //   entries 64..127;
    // - features[0..64) when harmony_context is null (the overloads without it): the feed of
    //   the original chain, kept so that existing hosts run unchanged.
    // Checks (nothing is run on an error): features null -> NullPointer; n_features != 128 ->
    // WrongInputSize; a context with n_context != kHarmonyContextSize (64) -> WrongInputSize,
    // a null context with n_context != 0 -> NullPointer (a null context is given as
    // nullptr, 0); a NaN or infinity in the features or the context -> NonFiniteInput.
    // The pointer-only overloads read exactly 128 features (and 64 context values).
    // No allocation, lock, wait or exception on any of them.
    Status runFullPipeline(const float* features, PipelineResult& out) noexcept;
    Status runFullPipeline(const float* features, std::size_t n_features, PipelineResult& out) noexcept;
    Status runFullPipeline(const float* features, const float* harmony_context, PipelineResult& out) noexcept;
    Status runFullPipeline(const float* features, std::size_t n_features, const float* harmony_context,
                           std::size_t n_context, PipelineResult& out) noexcept;

private:
    struct LoadOutcome;
    LoadOutcome load_slot(const ModelSlot& s) const;
    void install(std::size_t i, Model* next);
    Model* acquire(std::size_t i) noexcept;
    void release(std::size_t i) noexcept;
    void run_slot(ModelType t, const float* in, float* out, Source& source) noexcept;
    ReloadResult reload_locked(ModelType type);

    std::array<std::atomic<Model*>, kModelCount> current_{};  // null: the fallback runs
    std::array<std::atomic<Model*>, kModelCount> hazard_{};   // the model an inference is using
    std::array<std::atomic<bool>, kModelCount> enabled_{};
    std::atomic<bool> busy_{false};  // an inference call is running

    mutable std::mutex control_;  // never taken by inference calls
    std::array<ModelStatus, kModelCount> status_;
    bool initialized_ = false;
    std::string dir_;
    std::vector<std::string> searched_;
    std::uint64_t reloads_ = 0, failed_reloads_ = 0;
    Precision precision_ = Precision::fp32;
};

// Where models are looked for when initialize() gets no folder, in order: $ML5_MODELS_PATH,
// <exe dir>/models, <exe dir>/../Resources/models, then the per-user data folder
// ($XDG_DATA_HOME/ml5/models or ~/.local/share/ml5/models on Linux,
// ~/Library/Application Support/ml5/models on macOS, %APPDATA%\ml5\models on Windows).
std::vector<std::string> model_search_paths();
// The first of those folders that holds at least one <stem>.json ("" if none does).
std::string find_models_directory(const std::vector<std::string>& candidates);
// The folder of the running executable ("" if it cannot be told).
std::string executable_directory();

}  // namespace ml5
