"""Reading MIDI: tempo maps, tracks, drums, note rules, bars — checked against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from ml5_midi.piece import read_midi
from ml5_midi.testing import write_midi


def _vlq(n: int) -> bytes:
    out = [n & 0x7F]
    while n > 127:
        n >>= 7
        out.insert(0, (n & 0x7F) | 0x80)
    return bytes(out)


def _track(events: list[tuple[int, bytes]]) -> bytes:
    body = b"".join(_vlq(delta) + data for delta, data in events) + b"\x00\xff\x2f\x00"
    return b"MTrk" + len(body).to_bytes(4, "big") + body


def test_tempo_map_lives_in_another_track(tmp_path):
    """A type-1 file written byte by byte: notes in track 0, the tempo map in track 1
    (120 qpm, then 60 qpm from beat 4). Onsets in seconds must use that map."""
    notes = _track([(0, b"\x90\x3c\x64"), (480, b"\x80\x3c\x00"), (2400, b"\x90\x3e\x64"), (480, b"\x80\x3e\x00")])
    tempo = _track([(0, b"\xff\x51\x03\x07\xa1\x20"), (1920, b"\xff\x51\x03\x0f\x42\x40")])
    path = tmp_path / "tempo.mid"
    path.write_bytes(b"MThd" + (6).to_bytes(4, "big") + b"\x00\x01\x00\x02" + (480).to_bytes(2, "big") + notes + tempo)
    piece = read_midi(path)
    assert piece.start.tolist() == [0.0, 6.0]
    # beat 6 = 4 beats at 0.5 s + 2 beats at 1.0 s
    assert piece.seconds(piece.start).tolist() == pytest.approx([0.0, 4.0])
    assert piece.mean_qpm(0, 8) == pytest.approx(60 * 8 / (2 + 4))


def test_each_track_on_its_own_ticks(tmp_path):
    path = write_midi(tmp_path / "a.mid", [[(0, 1, 60, 100), (6, 1, 62, 100)], [(2, 1, 48, 80)]],
                      tempos=[(0, 120), (4, 60)], tpq=96)
    piece = read_midi(path)
    onsets = dict(zip(piece.pitch.tolist(), piece.seconds(piece.start).tolist()))
    assert onsets == pytest.approx({60: 0.0, 48: 1.0, 62: 4.0})
    assert piece.track.tolist() == [0, 1, 0]


def test_drums_zero_length_and_retriggered_notes(tmp_path):
    path = write_midi(
        tmp_path / "b.mid",
        [[(0, 2, 60, 100), (1, 1, 60, 90), (3, 0, 64, 70)], [(0, 0, 36, 110), (1, 0, 38, 90)]],
        drums=[False, True],
    )
    piece = read_midi(path)
    by = {(float(s), int(p)): (float(e), bool(d)) for s, p, e, d in zip(piece.start, piece.pitch, piece.end, piece.drum)}
    assert by[(0.0, 60)] == (1.0, False)  # cut where the same pitch starts again
    assert by[(1.0, 60)] == (2.0, False)
    assert by[(3.0, 64)] == (3.0, False)  # zero-length: an onset that does not sound
    assert by[(0.0, 36)] == (0.0, True) and by[(1.0, 38)] == (1.0, True)
    sounding = {(float(s), int(p)) for s, p in zip(piece.start[piece.sounding], piece.pitch[piece.sounding])}
    assert sounding == {(0.0, 60), (1.0, 60)}


def test_bars_follow_time_signatures(tmp_path):
    waltz = read_midi(write_midi(tmp_path / "w.mid", [[(0, 3, 55, 80), (6, 3, 60, 80)]], signatures=[(0, 3, 4)]))
    assert waltz.bar_start.tolist() == [0.0, 3.0, 6.0]
    assert waltz.bar_length.tolist() == [3.0, 3.0, 3.0]
    mixed = read_midi(write_midi(tmp_path / "m.mid", [[(0, 12, 60, 80)]], signatures=[(0, 4, 4), (4, 3, 4), (10, 6, 8)]))
    assert mixed.bar_start.tolist() == [0.0, 4.0, 7.0, 10.0]
    assert mixed.bar_numerator.tolist() == [4, 3, 3, 6] and mixed.bar_denominator.tolist() == [4, 4, 4, 8]
    plain = read_midi(write_midi(tmp_path / "p.mid", [[(0, 8, 60, 80)]], signatures=[]))
    assert plain.bar_start.tolist() == [0.0, 4.0]  # no time signature: 4/4


def test_pedal_intervals(tmp_path):
    piece = read_midi(write_midi(tmp_path / "s.mid", [[(0, 4, 60, 80)]], pedal=[(0, 2), (3, 3.5)]))
    assert piece.pedal.tolist() == [[0.0, 2.0], [3.0, 3.5]]


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "not a readable MIDI file"),
        (b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk\x00\x00\x00\x20\x00\x90", "not a readable MIDI file"),
        (b"RIFF....WAVEfmt ", "not a readable MIDI file"),
    ],
)
def test_corrupt_files_raise_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.mid"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=reason):
        read_midi(path)


def test_a_file_without_notes(tmp_path):
    path = write_midi(tmp_path / "empty.mid", [[]])
    with pytest.raises(ValueError, match="no notes"):
        read_midi(path)
    truncated = tmp_path / "cut.mid"
    truncated.write_bytes(write_midi(tmp_path / "full.mid", [[(0, 1, 60, 80)] * 1]).read_bytes()[:30])
    with pytest.raises(ValueError):
        read_midi(truncated)


def test_qpm_spread_of_a_steady_and_a_changing_tempo(tmp_path):
    steady = read_midi(write_midi(tmp_path / "s.mid", [[(0, 8, 60, 80)]]))
    assert steady.qpm_spread(0, 8) == 0.0
    changing = read_midi(write_midi(tmp_path / "c.mid", [[(0, 8, 60, 80)]], tempos=[(0, 90), (4, 150)]))
    # half the beats at 90, half at 150: mean 120, std 30
    assert changing.qpm_spread(0, 8) == pytest.approx(30 / 120)
    assert np.isclose(changing.seconds(8.0), 4 * 60 / 90 + 4 * 60 / 150)


def test_the_last_time_signature_at_a_beat_wins(tmp_path):
    # a sequencer's default 4/4 written before the piece's own 3/4, both at beat 0
    piece = read_midi(write_midi(tmp_path / "w.mid", [[(0, 9, 60, 80)]], signatures=[(0, 4, 4), (0, 3, 4)]))
    assert piece.bar_start.tolist() == [0.0, 3.0, 6.0] and set(piece.bar_numerator.tolist()) == {3}


def test_a_pedal_never_lifted_lasts_to_the_end(tmp_path):
    path = tmp_path / "p.mid"
    from symusic import ControlChange, Note, Score, Track

    score = Score(480)
    track = Track(name="piano", program=0, is_drum=False)
    track.notes.append(Note(0, 4 * 480, 60, 80))
    track.controls.append(ControlChange(480, 64, 127))
    score.tracks.append(track)
    score.dump_midi(str(path))
    assert read_midi(path).pedal.tolist() == [[1.0, 4.0]]


def test_a_far_time_signature_change_makes_no_bars_beyond_the_music(tmp_path):
    piece = read_midi(write_midi(tmp_path / "far.mid", [[(0, 8, 60, 80)]], signatures=[(0, 4, 4), (2_000_000, 3, 4)]))
    assert piece.bar_start.tolist() == [0.0, 4.0]
