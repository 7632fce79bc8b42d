"""HarmonyPredictor: emotion + harmonic context → a distribution over a 64-chord vocabulary."""

import ml5
from ml5 import Dense
from ml5.music import NO_CHORD, chord_label

#: The vocabulary, index -> Harte-style label: 12 roots × (maj, min, 7, maj7, min7) = 60,
#: the three distinct diminished-seventh chords (on C, C#, D: the others are inversions of
#: these), and "N" for no chord. Published with every export under model_card.output_labels.
CHORDS = (
    tuple(chord_label(root, quality) for quality in ("maj", "min", "7", "maj7", "min7") for root in range(12))
    + tuple(chord_label(root, "dim7") for root in range(3))
    + (NO_CHORD,)
)

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
