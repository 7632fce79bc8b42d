// The companion's path from a host's audio callback to the five networks: AudioFrontEnd makes
// a row of features every hop, AudioChain standardises it with the exports' cards and submits
// it with its harmony context to the AsyncPipeline, whose worker runs the chain (with the
// processor's fallbacks for any model it could not load); the host polls the results, each
// with its window, valence, arousal and top chord.
//
//   ml5::MultiModelProcessor processor;
//   processor.initialize("runs/a/exports");
//   ml5::AudioChain chain(processor);
//   chain.prepare(48000.0, 256, 2, {/*window*/ 4.0, /*hop*/ 1.0});   // prepareToPlay
//   chain.process(interleaved, frames);                               // processBlock: real-time safe
//   ml5::ChainResult r;
//   while (chain.poll(r)) { /* r.valence, r.arousal, ml5::music::chord_vocabulary()[r.chord] */ }
//   chain.release();                                                  // releaseResources
//
// process() and poll() belong to one thread (the audio thread); prepare(), reset() and
// release() to another time (they allocate, start or stop the worker).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ml5/async_pipeline.hpp"
#include "ml5/audio_frontend.hpp"
#include "ml5/processor.hpp"

namespace ml5 {

struct ChainResult {
    double start = 0.0, end = 0.0;  // seconds of input the window covered
    Status status = Status::Ok;     // of the pipeline run
    PipelineResult outputs;         // every model's outputs, and what produced each
    double valence = 0.0, arousal = 0.0;  // read from outputs.emotion (ml5::music::embedding_emotion)
    int chord = 0;                  // the top harmony output, an index into ml5::music::chord_vocabulary()
};

// What the chain standardises its inputs with, read from the processor's folder: the emotion
// export's input_standardisation (empty when it has none or its network is not loaded) and the
// harmony export's entries 64..127 for the context (0 and 1 when none). Throws
// std::invalid_argument when the emotion export was trained on audio features of another
// definition or a card has the wrong length; LoadError for a malformed card.
struct ChainStandardisation {
    std::vector<float> emotion_mean, emotion_std;
    std::vector<float> context_mean, context_std;
    bool emotion = false, harmony = false;  // whether each card was found
    // the harmony context, standardised
    void standardise_context(const float* raw, float* out) const noexcept {
        for (int i = 0; i < kHarmonyContextSize; ++i) out[i] = (raw[i] - context_mean[i]) / context_std[i];
    }
};
ChainStandardisation read_chain_standardisation(const MultiModelProcessor& processor);

class AudioChain {
public:
    // `processor` must be initialised (its models folder holds the cards) and outlive the chain;
    // `capacity`: rows in flight between the audio thread and the worker.
    explicit AudioChain(MultiModelProcessor& processor, std::size_t capacity = 64);
    ~AudioChain();
    AudioChain(const AudioChain&) = delete;
    AudioChain& operator=(const AudioChain&) = delete;

    // Reads the emotion and harmony exports' input_standardisation from the processor's
    // folder, prepares the front end and starts the pipeline's worker. Throws
    // std::invalid_argument for a bad setting, and when the emotion export was trained on audio
    // features of another definition; LoadError for a malformed card.
    void prepare(double sample_rate, int max_block, int channels, const audio::FrontEndSettings& settings = {});
    // Takes one block (at most max_block frames); each row it completes is submitted. Real-time
    // safe. Returns the rows submitted.
    int process(const float* interleaved, int frames) noexcept;
    // The next result, in the order of the rows.
    bool poll(ChainResult& out) noexcept;
    // Stops the worker (results still queued can be polled).
    void release();
    // Clears the front end (the pipeline keeps running). Not during process().
    void reset() noexcept;

    int latency_samples() const noexcept;
    bool emotion_standardised() const noexcept { return cards_.emotion; }
    bool harmony_standardised() const noexcept { return cards_.harmony; }
    // Rows the pipeline refused (its ring was full: the worker fell behind).
    std::uint64_t rows_dropped() const noexcept { return rows_dropped_; }
    const audio::AudioFrontEnd& front_end() const noexcept { return front_; }

private:
    struct Span {
        std::uint64_t id = 0;
        double start = 0.0, end = 0.0;
    };
    MultiModelProcessor& processor_;
    std::size_t capacity_;
    audio::AudioFrontEnd front_;
    std::unique_ptr<AsyncPipeline> pipeline_;
    std::vector<Span> spans_;  // the window of each request in flight, by id
    ChainStandardisation cards_;
    std::uint64_t rows_dropped_ = 0;
    audio::FeatureRow row_;
    std::array<float, kHarmonyContextSize> context_{};
    AsyncResult result_;
};

}  // namespace ml5
