from ml5.testing import ModelContract


class TestGroove(ModelContract):
    model_name = "groove"
    expected_parameters = 18_656  # MODELS.md
