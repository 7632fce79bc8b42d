"""DynamicsEngine: the valence half of the emotion embedding → 16 expression parameters."""

import ml5
from ml5 import Dense

#: what each of the 16 outputs means; all are scaled into 0..1
PARAMETERS = (
    "velocity_mean",  # mean MIDI velocity / 127
    "velocity_std",  # spread of velocities / 64
    "velocity_min",
    "velocity_max",
    "accent_strength",  # extra velocity on strong beats
    "crescendo",  # 0.5 = flat, above = growing, below = fading over a phrase
    "articulation",  # note length / inter-onset interval (0 staccato .. 1 legato)
    "sustain_pedal",  # share of time the pedal is down
    "timing_spread",  # std of onset deviations, relative to a 16th
    "rubato",  # tempo fluctuation depth
    "phrase_arch",  # how much velocity rises to and falls from a phrase middle
    "note_density",  # onsets per beat / 8
    "chord_spread",  # velocity difference between voices
    "release_velocity",
    "attack_sharpness",
    "dynamic_range",  # (max - min) / 127
)

SPEC = ml5.ModelSpec(
    name="dynamics",
    title="DynamicsEngine",
    stem="dynamicsengine",
    input_size=32,
    output_size=16,
    layers=[Dense(32, 128, "relu"), Dense(128, 64, "relu"), Dense(64, 16, "sigmoid")],
    head="sigmoid",
    loss="mse",
    input_meaning="valence half of the emotion embedding (EmotionRecognizer output dims 0-31), in -1..1",
    output_meaning="16 expression parameters in 0..1: " + ", ".join(PARAMETERS),
    output_labels=PARAMETERS,
    description="Performance dynamics (velocity, articulation, timing) from the emotion.",
)


@ml5.hookimpl
def ml5_register_models(register):
    register(SPEC)
