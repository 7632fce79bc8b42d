"""GroovePredictor: the emotion embedding → 32 groove parameters in -1..1."""

import ml5
from ml5 import Dense
from ml5.music import EMBEDDING_MEANING, GROOVE_PARAMETERS

#: 16 per-16th-note timing deviations (fraction of a 16th, -1..1), then 16 per-16th velocity
#: offsets relative to the bar's mean velocity (-1..1): one bar of 4/4 groove template
#: (names defined once in ml5.music, computed from notes by ml5-midi).
PARAMETERS = GROOVE_PARAMETERS

SPEC = ml5.ModelSpec(
    name="groove",
    title="GroovePredictor",
    stem="groovepredictor",
    input_size=64,
    output_size=32,
    layers=[Dense(64, 128, "tanh"), Dense(128, 64, "tanh"), Dense(64, 32, "tanh")],
    head="tanh",
    loss="mse",
    input_meaning=EMBEDDING_MEANING,
    output_meaning=(
        "a one-bar 4/4 groove template: outputs 0-15 the timing deviation of each 16th note "
        "(fraction of a 16th, -1..1), outputs 16-31 its velocity offset from the bar mean (-1..1)"
    ),
    output_labels=PARAMETERS,
    description="Microtiming and accent pattern of a bar from the emotion.",
)


@ml5.hookimpl
def ml5_register_models(register):
    register(SPEC)
