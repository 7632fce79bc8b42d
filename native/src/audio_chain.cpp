#include "ml5/audio_chain.hpp"

#include <stdexcept>
#include <string>

#include "ml5/loader.hpp"
#include "ml5/music.hpp"

namespace ml5 {

AudioChain::AudioChain(MultiModelProcessor& processor, std::size_t capacity)
    : processor_(processor), capacity_(capacity) {}

AudioChain::~AudioChain() { release(); }

ChainStandardisation read_chain_standardisation(const MultiModelProcessor& processor) {
    ChainStandardisation out;
    out.context_mean.assign(kHarmonyContextSize, 0.0f);
    out.context_std.assign(kHarmonyContextSize, 1.0f);
    const std::string folder = processor.modelsDirectory();
    if (folder.empty()) return out;
    if (processor.isLoaded(ModelType::EmotionRecognizer)) {
        const std::string path = folder + "/" + slot(ModelType::EmotionRecognizer).stem + ".json";
        InputStandardisation card = read_input_standardisation(path);
        if (card.present) {
            if (card.definition != 0 && card.definition != audio::kDefinition)
                throw std::invalid_argument(path + " was trained on audio features of another definition (" +
                                            std::to_string(card.definition) + "; this front end computes definition " +
                                            std::to_string(audio::kDefinition) + "): train it again (ml5 run)");
            if (card.mean.size() != static_cast<std::size_t>(audio::kFeatures))
                throw std::invalid_argument(path + ": model_card.input_standardisation has " +
                                            std::to_string(card.mean.size()) + " values, expected " +
                                            std::to_string(audio::kFeatures));
            out.emotion_mean = std::move(card.mean);
            out.emotion_std = std::move(card.std_dev);
            out.emotion = true;
        }
    }
    if (processor.isLoaded(ModelType::HarmonyPredictor)) {
        const std::string path = folder + "/" + slot(ModelType::HarmonyPredictor).stem + ".json";
        const InputStandardisation card = read_input_standardisation(path);
        const auto size = static_cast<std::size_t>(slot(ModelType::HarmonyPredictor).in_size);
        if (card.present) {  // entries 64..127 are the context's (0..63, the embedding's, are 0 and 1)
            if (card.mean.size() != size)
                throw std::invalid_argument(path + ": model_card.input_standardisation has " +
                                            std::to_string(card.mean.size()) + " values, expected " + std::to_string(size));
            const auto at = static_cast<std::ptrdiff_t>(size - kHarmonyContextSize);
            std::copy(card.mean.begin() + at, card.mean.end(), out.context_mean.begin());
            std::copy(card.std_dev.begin() + at, card.std_dev.end(), out.context_std.begin());
            out.harmony = true;
        }
    }
    return out;
}

void AudioChain::prepare(double sample_rate, int max_block, int channels, const audio::FrontEndSettings& settings) {
    release();
    cards_ = read_chain_standardisation(processor_);
    front_.prepare(sample_rate, max_block, channels, settings);
    if (cards_.emotion)
        front_.set_standardisation(cards_.emotion_mean.data(), cards_.emotion_std.data());
    else
        front_.clear_standardisation();
    spans_.assign(capacity_ * 2 + 2, Span{});
    rows_dropped_ = 0;
    pipeline_ = std::make_unique<AsyncPipeline>(processor_, capacity_);
    pipeline_->start();
}

int AudioChain::process(const float* interleaved, int frames) noexcept {
    if (!pipeline_) return 0;
    front_.process(interleaved, frames);
    int submitted = 0;
    while (front_.pop_row(row_)) {
        cards_.standardise_context(row_.context.data(), context_.data());
        const std::uint64_t id = pipeline_->submit(row_.input.data(), kFeatureSize, context_.data(), kHarmonyContextSize);
        if (id == 0) {
            ++rows_dropped_;
            continue;
        }
        spans_[id % spans_.size()] = Span{id, row_.start, row_.end};
        ++submitted;
    }
    return submitted;
}

bool AudioChain::poll(ChainResult& out) noexcept {
    if (!pipeline_ || !pipeline_->poll(result_)) return false;
    const Span& span = spans_[result_.id % spans_.size()];
    out.start = span.id == result_.id ? span.start : 0.0;
    out.end = span.id == result_.id ? span.end : 0.0;
    out.status = result_.status;
    out.outputs = result_.result;
    music::embedding_emotion(out.outputs.emotion.data(), out.valence, out.arousal);
    out.chord = music::top_chord(out.outputs.harmony.data());
    return true;
}

void AudioChain::release() {
    if (pipeline_) pipeline_->stop();
}

void AudioChain::reset() noexcept { front_.reset(); }

int AudioChain::latency_samples() const noexcept { return front_.latency_samples(); }

}  // namespace ml5
