"""Calls from several threads on one module, and the GIL released while
compiling and while a call runs."""
import threading

import numpy as np
import onnx
from onnx import TensorProto, helper

import hybrid
from hybrid import zoo


def run_threads(n, fn):
    """Runs fn(0..n-1) on n threads at once; returns what they raised."""
    errors = []

    def guarded(i):
        try:
            fn(i)
        except BaseException as e:  # reported by the caller, not lost in the thread
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_calls_on_one_module(rng):
    model = zoo.build("jamba", zoo.FUSED, zoo.PREFILL)
    m = hybrid.compile(model, threads=2)
    feeds = [zoo.make_inputs(model, rng, {"batch": 1 + i % 3, "seq": 3 + i}) for i in range(8)]
    want = [m.run(f) for f in feeds]  # one at a time
    results = {}

    def worker(t):
        for rep in range(4):
            i = (t + rep) % len(feeds)
            results[(t, rep)] = (i, m.run(feeds[i]))

    errors = run_threads(8, worker)
    assert not errors, errors
    assert len(results) == 32
    for i, got in results.values():
        for name in m.output_names:
            np.testing.assert_array_equal(got[name], want[i][name])


def _big_matmul():
    w = np.random.default_rng(0).standard_normal((512, 512)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"], name="mm1"),
             helper.make_node("MatMul", ["h", "w"], ["y"], name="mm2")]
    graph = helper.make_graph(
        nodes, "big", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 512])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 512])],
        [onnx.numpy_helper.from_array(w, "w")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


class _Counter:
    """A thread that counts while it holds the GIL."""

    def __init__(self):
        self.n = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        while not self.stop:
            self.n += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.thread.join()


def test_gil_released_while_running_and_compiling(mlp_model):
    m = hybrid.compile(_big_matmul(), threads=1)
    x = np.ones((256, 512), np.float32)
    with _Counter() as c:
        # The main thread holds the GIL from one read of the counter to the
        # next except inside the call: the counter moves only if the call
        # released it.
        # (Several calls, so that a loaded machine still gives the counter
        # thread a share of the time.)
        before = c.n
        for _ in range(10):
            m(x)
        during_call = c.n - before
        before = c.n
        hybrid.compile(mlp_model)
        during_compile = c.n - before
    assert during_call > 1000, during_call
    assert during_compile > 1000, during_compile


def test_concurrent_compiles(mlp_model, rng):
    """Compiles on several threads at once (each owns its MLIR context) give
    modules that all compute the same thing."""
    modules = [None] * 4

    def worker(i):
        modules[i] = hybrid.compile(mlp_model, threads=1)

    errors = run_threads(4, worker)
    assert not errors, errors
    x = rng.standard_normal((3, 16)).astype(np.float32)
    want = modules[0](x)
    for m in modules[1:]:
        np.testing.assert_array_equal(m(x), want)
