"""The compile API: model sources, calls, save/load, IR stages, options."""
import os
import re
import sys
import types

import numpy as np
import onnx
import pytest

import hybrid
from conftest import make_mlp, mlp_reference


def test_sources_path_bytes_modelproto(tmp_path, mlp_model, rng):
    path = tmp_path / "mlp.onnx"
    onnx.save(mlp_model, str(path))
    x = rng.standard_normal((3, 16)).astype(np.float32)
    want = mlp_reference(mlp_model, x)
    for source in (str(path), path, path.read_bytes(), mlp_model):
        m = hybrid.compile(source)
        y = m(x)
        assert isinstance(y, np.ndarray) and y.dtype == np.float32 and y.shape == (3, 8)
        np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-5)
    assert m.input_names == ("x",) and m.output_names == ("y",)
    assert m.inputs[0] == hybrid.TensorSpec("x", "float32", ("batch", 16))
    assert hybrid.compile(str(path)).name == "mlp"  # the file's stem


def test_call_forms(mlp_model, rng):
    m = hybrid.compile(mlp_model, threads=1)
    assert m.threads == 1
    x = rng.standard_normal((5, 16)).astype(np.float32)
    y = m(x)
    np.testing.assert_array_equal(m(x=x), y)
    np.testing.assert_array_equal(m.run([x])["y"], y)
    np.testing.assert_array_equal(m.run({"x": x})["y"], y)
    # A strided view is made contiguous; the result is the same.
    wide = np.zeros((5, 32), np.float32)
    wide[:, ::2] = x
    np.testing.assert_array_equal(m(wide[:, ::2]), y)
    out, stats = m.run({"x": x}, with_stats=True)
    assert stats["peak_bytes"] > 0 and stats["num_allocations"] > 0
    # Without the memory plan the numbers do not change.
    np.testing.assert_array_equal(m.run({"x": x}, memory_plan=False)["y"], y)
    # Outputs own their memory: they outlive the module.
    del m
    assert float(np.abs(y).sum()) > 0


def test_input_shapes_pin_dims(mlp_model, rng):
    m = hybrid.compile(mlp_model, input_shapes={"x": (4, 16)})
    assert m.inputs[0].shape == (4, 16)
    with pytest.raises(hybrid.InvalidArgumentError, match="'x'"):
        m(rng.standard_normal((3, 16)).astype(np.float32))
    m(rng.standard_normal((4, 16)).astype(np.float32))


def test_save_and_load(tmp_path, mlp_model, rng):
    m = hybrid.compile(mlp_model, module_name="mlp")
    x = rng.standard_normal((2, 16)).astype(np.float32)
    so = tmp_path / "out" / "mlp_aot.so"
    so.parent.mkdir()
    m.save(so)
    header = (tmp_path / "out" / "mlp_aot.h").read_text()
    assert "mlp_module_query" in header
    assert re.search(r"\bx\s+float32\s+\[batch, 16\]", header), header
    loaded = hybrid.load(so)
    np.testing.assert_array_equal(loaded(x), m(x))
    assert loaded.name == "mlp"
    with pytest.raises(hybrid.HybridError, match="loaded from a library"):
        loaded.ir("hybrid")
    # Saving again over the same files is allowed (the user asked for it).
    m.save(so)
    with pytest.raises(FileNotFoundError, match="no_such_dir"):
        m.save(tmp_path / "no_such_dir" / "x.so")
    # The temporary directory of a compiled module goes with it.
    tmp = os.path.dirname(m.path)
    del m
    import gc
    gc.collect()
    assert not os.path.exists(tmp)


def test_save_and_load_external_weights(tmp_path, mlp_model, rng):
    m = hybrid.compile(mlp_model, external_weights=True, external_weights_min_bytes=64,
                       module_name="mlpw")
    x = rng.standard_normal((2, 16)).astype(np.float32)
    m.save(tmp_path / "lib.so")
    assert (tmp_path / "mlpw.weights").exists()  # the name the library records
    loaded = hybrid.load(tmp_path / "lib.so")
    np.testing.assert_array_equal(loaded(x), m(x))
    np.testing.assert_allclose(loaded(x), mlp_reference(mlp_model, x), rtol=1e-4, atol=1e-5)
    # An explicit weights path. (Modules over one library share one mapping,
    # so the file is looked for again only once the last of them is gone.)
    del loaded
    os.rename(tmp_path / "mlpw.weights", tmp_path / "moved.weights")
    with pytest.raises(hybrid.LoadError, match="mlpw.weights"):
        hybrid.load(tmp_path / "lib.so")
    again = hybrid.load(tmp_path / "lib.so", weights=str(tmp_path / "moved.weights"))
    np.testing.assert_array_equal(again(x), m(x))


def test_compile_to(tmp_path, mlp_model):
    hybrid.compile_to(mlp_model, tmp_path / "m.a", emit="staticlib")
    assert (tmp_path / "m.a").read_bytes().startswith(b"!<arch>")
    assert (tmp_path / "m.h").exists()
    hybrid.compile_to(mlp_model, tmp_path / "m.o", emit="obj")
    assert (tmp_path / "m.o").read_bytes()[:4] == b"\x7fELF"
    hybrid.compile_to(mlp_model, tmp_path / "m.ll", emit="llvm")
    assert "define" in (tmp_path / "m.ll").read_text()
    with pytest.raises(ValueError, match="emit"):
        hybrid.compile_to(mlp_model, tmp_path / "m.x", emit="exe")


def test_compile_report(tmp_path, rng):
    """report= writes the compile report next to the compiled module: what was
    raised and why, and the code generator's choices, for a zoo model."""
    from hybrid import zoo
    model = zoo.build("gdn", zoo.DECOMPOSED, zoo.PREFILL)
    path = tmp_path / "gdn.html"
    m = hybrid.compile(model, report=path)
    html = path.read_text()
    assert '<span class="ok">compiled</span>' in html
    assert "became one LinearAttention node, update rule gated_delta" in html
    assert "linear_attention in vector loops" in html
    # The graph after raising, drawn (with Graphviz's library) or as its source.
    assert "<h2>The graph</h2>" in html
    assert "label=&quot;LinearAttention\\n" in html
    assert "<svg" in html or "Not drawn: Graphviz" in html
    assert not [p for p in os.listdir(tmp_path) if ".tmp-" in p]
    feeds = zoo.make_inputs(model, rng, {"batch": 1, "seq": 5})
    assert m.run(feeds)[m.output_names[0]].shape[:2] == (1, 5)
    with pytest.raises(hybrid.CompileError, match="no such directory"):
        hybrid.compile(model, report=tmp_path / "missing" / "r.html")
    with pytest.raises(TypeError, match="report"):
        hybrid.compile(model, report=3)


def test_ir_stages(mlp_model):
    m = hybrid.compile(mlp_model)
    assert hybrid.IR_STAGES == ("onnx", "hybrid", "llvm-dialect", "llvm")
    onnx_ir = m.ir("onnx")
    assert "onnx.node" in onnx_ir and '"MatMul"' in onnx_ir
    hyb = m.ir("hybrid")
    assert "linalg" in hyb and "onnx.node" not in hyb
    assert "llvm.func" in m.ir("llvm-dialect")
    assert "define" in m.ir("llvm")
    with pytest.raises(ValueError, match="unknown IR stage 'bufferized'"):
        m.ir("bufferized")


def test_dlpack_inputs_return_the_same_kind(mlp_model, rng):
    """A tensor type of another library (here a stand-in module `fakelib`
    with from_dlpack, as PyTorch has) goes in through DLPack and its kind
    comes back."""
    fake = types.ModuleType("fakelib")

    class Tensor:
        def __init__(self, array):
            self.array = array

        def __dlpack__(self, **kwargs):
            return self.array.__dlpack__(**kwargs)

        def __dlpack_device__(self):
            return self.array.__dlpack_device__()

    Tensor.__module__ = "fakelib"
    fake.Tensor = Tensor
    fake.from_dlpack = lambda obj: Tensor(np.from_dlpack(obj))
    sys.modules["fakelib"] = fake
    try:
        m = hybrid.compile(mlp_model)
        x = rng.standard_normal((3, 16)).astype(np.float32)
        y = m(Tensor(x))
        assert isinstance(y, Tensor)
        np.testing.assert_array_equal(y.array, m(x))
    finally:
        del sys.modules["fakelib"]


def test_torch_tensors_if_available(mlp_model, rng):
    torch = pytest.importorskip("torch")
    m = hybrid.compile(mlp_model)
    x = rng.standard_normal((3, 16)).astype(np.float32)
    y = m(torch.from_numpy(x))
    assert isinstance(y, torch.Tensor)
    np.testing.assert_array_equal(y.numpy(), m(x))
