"""MelodyTransformer: the emotion embedding → 128 independent MIDI pitch probabilities."""

import ml5
from ml5 import LSTM, Dense
from ml5.music import EMBEDDING_MEANING

SPEC = ml5.ModelSpec(
    name="melody",
    title="MelodyTransformer",
    stem="melodytransformer",
    input_size=64,
    output_size=128,
    layers=[Dense(64, 256, "relu"), LSTM(256, 256), Dense(256, 256, "relu"), Dense(256, 128, "sigmoid")],
    head="sigmoid",
    loss="bce",
    input_meaning=EMBEDDING_MEANING,
    output_meaning="out[p] = probability that MIDI pitch p (0-127) is a note of the phrase's melody (its top line)",
    preferred_datasets=("corpus",),  # real music shipped with music21: the default where installed
    description="Pitch content of a melody from the emotion (the name 'Transformer' is historical: it is an MLP + LSTM).",
)


@ml5.hookimpl
def ml5_register_models(register):
    register(SPEC)
