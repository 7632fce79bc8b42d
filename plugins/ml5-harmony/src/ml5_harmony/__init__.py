"""HarmonyPredictor: emotion + harmonic context → a distribution over a 64-chord vocabulary."""

import ml5
from ml5 import Dense
from ml5.music import CHORD_VOCABULARY, EMBEDDING_MEANING

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
        "inputs 0-63: the " + EMBEDDING_MEANING + " — of the phrase the bar lies in; inputs 64-127: the harmony "
        "context of the bar before (ml5.music.harmony_context: its power in the 64 low mel bands, dB relative to "
        "the loudest, -1..0; from audio or from notes), all 128 standardised with model_card.input_standardisation"
    ),
    output_meaning="probability of each chord of the 64-chord vocabulary (output_labels) for the bar",
    output_labels=CHORDS,
    preferred_datasets=("corpus",),  # real music shipped with music21: the default where installed
    description="Next chord from the emotion and the harmonic context.",
)


@ml5.hookimpl
def ml5_register_models(register):
    register(SPEC)
