"""DynamicsEngine: the valence half of the emotion embedding → 16 expression parameters."""

import ml5
from ml5 import Dense
from ml5.music import DYNAMICS_PARAMETERS

#: what each of the 16 outputs means (defined once in ml5.music, computed by ml5-midi)
PARAMETERS = DYNAMICS_PARAMETERS

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
