"""Every error path raises the documented exception type, with a message that
names what was wrong."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import hybrid


@pytest.fixture(scope="module")
def mlp(mlp_model):
    return hybrid.compile(mlp_model)


def test_missing_model_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.onnx"):
        hybrid.compile(tmp_path / "nope.onnx")


def test_garbage_model(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07this is not a protobuf\xff\xff")
    with pytest.raises(hybrid.CompileError) as e:
        hybrid.compile(bad)
    assert e.value.file == str(bad)
    assert "bad.onnx" in str(e.value)


def test_unsupported_node_names_the_node():
    node = helper.make_node("Relu", ["x"], ["r"], name="act0")
    weird = helper.make_node("NoSuchOp", ["r"], ["y"], name="the_bad_node")
    graph = helper.make_graph([node, weird], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(hybrid.CompileError) as e:
        hybrid.compile(model)
    assert e.value.node == "the_bad_node"
    assert "NoSuchOp" in str(e.value)
    assert all(isinstance(d, hybrid.Diagnostic) for d in e.value.diagnostics)


def test_bad_options(mlp_model):
    with pytest.raises(TypeError, match="unknown compile option 'optimise'"):
        hybrid.compile(mlp_model, optimise=True)
    with pytest.raises(TypeError, match="opt_level"):
        hybrid.compile(mlp_model, opt_level="3")
    with pytest.raises(ValueError, match="opt_level"):
        hybrid.compile(mlp_model, opt_level=7)
    with pytest.raises(ValueError, match="unknown target 'tpu'"):
        hybrid.compile(mlp_model, target="tpu")
    with pytest.raises(TypeError, match="gpu_arch.*target='cuda' only"):
        hybrid.compile(mlp_model, gpu_arch="sm_90")
    with pytest.raises(hybrid.CompileError, match="--gpu-arch 'volta'"):
        hybrid.compile(mlp_model, target="cuda", gpu_arch="volta")
    with pytest.raises(ValueError, match="input_shapes"):
        hybrid.compile(mlp_model, input_shapes={"x": (2, -5)})
    with pytest.raises(TypeError, match="model must be"):
        hybrid.compile(12)
    with pytest.raises(hybrid.CompileError, match="cpu"):
        hybrid.compile(mlp_model, cpu="not-a-cpu")
    with pytest.raises(ValueError, match="threads"):
        hybrid.compile(mlp_model, threads=-1)


def test_input_shape_for_unknown_input(mlp_model):
    with pytest.raises(hybrid.CompileError, match="nope"):
        hybrid.compile(mlp_model, input_shapes={"nope": (1, 16)})


def test_wrong_dtype(mlp):
    with pytest.raises(hybrid.InvalidArgumentError, match="'x'.*float32") as e:
        mlp(np.zeros((2, 16), np.float64))
    assert isinstance(e.value, ValueError)
    with pytest.raises(hybrid.InvalidArgumentError, match="'x'"):
        mlp(np.zeros((2, 16), np.int32))
    with pytest.raises(hybrid.InvalidArgumentError, match="'x'.*complex"):
        mlp(np.zeros((2, 16), np.complex64))
    with pytest.raises(hybrid.InvalidArgumentError, match="'x'"):
        mlp(np.array([object()] * 16).reshape(1, 16))


def test_wrong_shape(mlp):
    with pytest.raises(hybrid.InvalidArgumentError, match="'x'.*rank"):
        mlp(np.zeros((16,), np.float32))
    with pytest.raises(hybrid.InvalidArgumentError, match="'x'"):
        mlp(np.zeros((2, 15), np.float32))


def test_call_signature_errors(mlp):
    x = np.zeros((2, 16), np.float32)
    with pytest.raises(TypeError, match="missing input.*x"):
        mlp()
    with pytest.raises(TypeError, match="no input 'z'"):
        mlp(z=x)
    with pytest.raises(TypeError, match="given twice"):
        mlp(x, x=x)
    with pytest.raises(TypeError, match="takes 1 inputs"):
        mlp(x, x)


def test_load_errors(tmp_path, mlp):
    with pytest.raises(FileNotFoundError):
        hybrid.load(tmp_path / "missing.so")
    garbage = tmp_path / "garbage.so"
    garbage.write_bytes(b"not an ELF file at all")
    with pytest.raises(hybrid.LoadError, match="garbage.so") as e:
        hybrid.load(garbage)
    assert isinstance(e.value, OSError)
    mlp.save(tmp_path / "ok.so")
    with pytest.raises(hybrid.NotFoundError, match="no function 'decode'"):
        hybrid.load(tmp_path / "ok.so", function="decode")


def test_save_refuses_to_overwrite_the_model(tmp_path, mlp_model):
    path = tmp_path / "m.onnx"
    onnx.save(mlp_model, str(path))
    m = hybrid.compile(path)
    before = path.read_bytes()
    with pytest.raises(hybrid.HybridError, match="overwrite"):
        m.save(path)
    assert path.read_bytes() == before


def test_failed_compile_to_leaves_no_file(tmp_path):
    graph = onnx.helper.make_graph(
        [helper.make_node("NoSuchOp", ["x"], ["y"], name="n")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    (tmp_path / "keep.so").write_bytes(b"user data")
    with pytest.raises(hybrid.CompileError):
        hybrid.compile_to(model, tmp_path / "keep.so")
    assert (tmp_path / "keep.so").read_bytes() == b"user data"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.so"]


def test_cuda_module_without_a_driver(mlp_model, monkeypatch):
    """A CUDA library compiles anywhere; calling it where the CUDA driver cannot
    be loaded raises LoadError saying so (the runtime opens the driver on the
    first CUDA call, so the variable set here decides)."""
    monkeypatch.setenv("HYBRID_CUDA_DRIVER", "libno-such-driver.so.1")
    m = hybrid.compile(mlp_model, target="cuda", gpu_arch="sm_80")
    assert m.input_names == ("x",)
    with pytest.raises(hybrid.LoadError, match="compiled for CUDA \\(sm_80\\).*"
                       "libno-such-driver.so.1 cannot be loaded"):
        m(x=np.random.default_rng(0).standard_normal((2, 16)).astype(np.float32))
