"""HarmonyPredictor: emotion + harmonic context → a distribution over a 64-chord vocabulary."""

import ml5
from ml5 import Dense
from ml5.music import CHORD_VOCABULARY

#: The vocabulary (defined once in ml5.music), published with every export as output_labels.
CHORDS = CHORD_VOCABULARY

SPEC = ml5.ModelSpec(
    name="harmony",
    title="HarmonyPredictor",
    stem="harmonypredictor",
    input_size=128,
    output_size=64,
    layers=[Dense(128, 256, "tanh"), Dense(256, 128, "tanh"), Dense(128, 64, "softmax")],
    head="softmax",
    loss="kl",
    input_meaning=(
        "inputs 0-63: the emotion embedding (valence 0-31, arousal 32-63); inputs 64-127: the first "
        "64 audio features (the low mel bands, which carry the bass and harmonic context)"
    ),
    output_meaning="probability of each chord of the 64-chord vocabulary (output_labels) for the next bar",
    output_labels=CHORDS,
    description="Next chord from the emotion and the harmonic context.",
)


@ml5.hookimpl
def ml5_register_models(register):
    register(SPEC)
