from ml5.testing import ModelContract


class TestDynamics(ModelContract):
    model_name = "dynamics"
    expected_parameters = 13_520  # MODELS.md
