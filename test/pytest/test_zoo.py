"""Every zoo model (both forms, prefill and decode) compiled and run from
Python, against onnxruntime on the decomposed form, on fresh random inputs."""
import numpy as np
import pytest

import hybrid
from check_zoo import assert_close, ort_run
from hybrid import zoo

MODELS = zoo.all_models()


@pytest.mark.parametrize("name,arch,form,phase", MODELS, ids=[m[0] for m in MODELS])
def test_zoo_model(name, arch, form, phase, rng):
    model = zoo.build(arch, form, phase)
    twin = zoo.build(arch, zoo.DECOMPOSED, phase)
    m = hybrid.compile(model, threads=2)
    assert list(m.input_names) == [i.name for i in model.graph.input]
    assert list(m.output_names) == [o.name for o in model.graph.output]
    dims = {"batch": int(rng.integers(1, 4)), "seq": int(rng.integers(2, 12)),
            "past_seq": int(rng.integers(1, 10))}
    feeds = zoo.make_inputs(model, rng, dims)
    want = ort_run(twin, feeds)
    # Positionally, in the graph's input order.
    got = m(*[feeds[n] for n in m.input_names])
    got = got if isinstance(got, tuple) else (got,)
    assert len(got) == len(want)
    assert_close(got, want, m.output_names, f" at {dims}")
    # By name, through run(): a dict in the graph's output order.
    by_name = m.run(feeds)
    assert list(by_name) == list(m.output_names)
    for n, g in zip(m.output_names, got):
        np.testing.assert_array_equal(by_name[n], g)
