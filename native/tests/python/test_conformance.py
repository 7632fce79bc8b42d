"""The RTNeural conformance vectors, through the Python binding."""

import json
from pathlib import Path

import ml5_native
import numpy as np
import pytest
from ml5.testing import conformance_dir

CONFORMANCE = conformance_dir(Path(__file__))


def _cases(kind):
    index = CONFORMANCE / "index.json"
    return [c["name"] for c in json.loads(index.read_text())["cases"] if c["kind"] == kind]


@pytest.mark.parametrize("name", _cases("accept"))
def test_accept(conformance, name):
    case = json.loads((conformance / f"{name}.case.json").read_text())
    model = ml5_native.load(conformance / case["model"])
    assert (model.in_size, model.out_size) == (case["in_size"], case["out_size"])
    assert model.n_params == case["n_params"]
    model.stateless = False
    model.reset()
    inputs = np.asarray(case["inputs"], dtype=np.float32)
    expected = np.asarray(case["expected_double"])
    got = np.stack([model.forward(x) for x in inputs])
    assert np.max(np.abs(got - expected)) <= case["tolerance_float"]
    # forward_batch runs the same frames in order.
    model.reset()
    np.testing.assert_array_equal(model.forward_batch(inputs), got)


@pytest.mark.parametrize("name", _cases("reject"))
def test_reject(conformance, name):
    case = json.loads((conformance / f"{name}.case.json").read_text())
    path = conformance / case["model"]
    with pytest.raises(ml5_native.LoadError) as err:
        ml5_native.load(path)
    assert case["model"] in str(err.value)
    with pytest.raises(ml5_native.LoadError):
        ml5_native.loads(path.read_bytes())


def test_case_counts(conformance):
    assert (len(_cases("accept")), len(_cases("reject"))) == (61, 43)
