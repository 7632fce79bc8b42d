"""The supervised trainer: seeded split, the model's own loss, early stopping, checkpoints and
an exact ``--resume``. torch is imported when training starts, never at plugin load."""

import ml5

TRAINER = ml5.Trainer(
    name="supervised",
    train=lambda request: _train(request),
    description="Adam (or AdamW/SGD), the model's loss in training and validation, early stopping on "
    "validation loss, latest/best checkpoints, exact resume, curves (JSON, CSV, PNG)",
)


def _train(request):
    from ml5_trainer.loop import train

    return train(request)


@ml5.hookimpl
def ml5_register_trainers(register):
    register(TRAINER)
