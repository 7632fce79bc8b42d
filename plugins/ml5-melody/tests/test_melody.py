from ml5.testing import ModelContract


class TestMelody(ModelContract):
    model_name = "melody"
    expected_parameters = 641_664  # MODELS.md
