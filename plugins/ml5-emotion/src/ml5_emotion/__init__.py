"""EmotionRecognizer: 128 audio features → a 64-dim valence/arousal embedding."""

import ml5
from ml5 import LSTM, Dense
from ml5.music import EMBEDDING_MEANING

SPEC = ml5.ModelSpec(
    name="emotion",
    title="EmotionRecognizer",
    stem="emotionrecognizer",
    input_size=128,
    output_size=64,
    layers=[Dense(128, 512, "tanh"), Dense(512, 256, "tanh"), LSTM(256, 128), Dense(128, 64, "tanh")],
    head="tanh",
    loss="mse",
    metric="valence_arousal",
    input_meaning=(
        "128 audio features: per mel band, the time-mean of a 128-band log-mel spectrogram "
        "(22,050 Hz mono, n_fft 2048, hop 512, power in dB re 1.0), standardised per band with the "
        "training data's mean and std (model_card.input_standardisation; ml5-audio computes them)"
    ),
    output_meaning=EMBEDDING_MEANING,
    preferred_datasets=("corpus",),  # the corpus's scores rendered to audio: real music where installed
    description="Emotion from audio features; the first model of the chain, every other model reads its output.",
)


@ml5.hookimpl
def ml5_register_models(register):
    register(SPEC)
