"""DynamicsEngine: the valence half of the emotion embedding → 16 expression parameters."""

import ml5
from ml5 import Dense
from ml5.music import CONTEXT_SCALARS, DYNAMICS_PARAMETERS, EMBEDDING_MEANING

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
    input_meaning="the first 32 values of the " + EMBEDDING_MEANING.split(", each value")[0]
    + ": valence (0-11), arousal (12-23) and the musical context's scalars (24-31: " + ", ".join(CONTEXT_SCALARS) + ")",
    output_meaning="16 expression parameters in 0..1: " + ", ".join(PARAMETERS),
    output_labels=PARAMETERS,
    description="Performance dynamics (velocity, articulation, timing) from the emotion.",
)


@ml5.hookimpl
def ml5_register_models(register):
    register(SPEC)
