from ml5.testing import ModelContract


class TestHarmony(ModelContract):
    model_name = "harmony"
    expected_parameters = 74_176  # MODELS.md


def test_vocabulary_is_64_distinct_chords_with_known_pitch_classes():
    from ml5.music import chord_pitch_classes
    from ml5_harmony import CHORDS

    assert len(CHORDS) == 64 and len(set(CHORDS)) == 64
    pitch_sets = [chord_pitch_classes(c) for c in CHORDS]
    assert len(set(pitch_sets)) == 64  # no two labels name the same chord
    assert CHORDS[0] == "C:maj" and chord_pitch_classes(CHORDS[12 + 9]) == {9, 0, 4}  # A minor
