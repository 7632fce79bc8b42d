"""ml5-audio: the audio feature definition of the EmotionRecognizer's inputs (``features``), torch-free,
and ``ml5 infer`` on audio and MIDI files (``infer``)."""

import ml5


@ml5.hookimpl
def ml5_register_commands(cli, registry):
    from ml5_audio.infer import register

    register(cli, registry)
