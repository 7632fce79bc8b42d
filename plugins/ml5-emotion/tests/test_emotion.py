from ml5.testing import ModelContract


class TestEmotion(ModelContract):
    model_name = "emotion"
    expected_parameters = 403_264  # MODELS.md
