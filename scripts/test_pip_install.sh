#!/usr/bin/env bash
# The Python API as a new user gets it: `pip install .` into a fresh virtual
# environment (scikit-build-core builds the extension against Debian's MLIR 22),
# then, from outside the repository, a five-line script that compiles and runs
# a zoo model and one that saves and reloads an AOT library, each checked
# against onnxruntime. scripts/test.sh runs it (HYBRID_SKIP_PIP_INSTALL=1 skips).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$PWD/build/pip-venv
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
rm -rf "$venv"
"$PY" -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check . onnxruntime
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"   # away from the repository: only the installed package is importable
"$venv/bin/python" -m hybrid.zoo --out . --only mamba2-fused-prefill >/dev/null
"$venv/bin/python" - <<'PY'
import numpy as np, hybrid
m = hybrid.compile("mamba2-fused-prefill.onnx")
x = np.random.default_rng().uniform(-1, 1, (2, 9, 64)).astype(np.float32)
y, conv_state, ssm_state = m(hidden_states=x)
print("compiled and ran:", m.name, y.shape, "from", hybrid.__file__)
PY
"$venv/bin/python" - <<'PY'
import numpy as np, hybrid, onnxruntime as ort
hybrid.compile("mamba2-fused-prefill.onnx").save("mamba2.so")
m = hybrid.load("mamba2.so")
x = np.random.default_rng().uniform(-1, 1, (2, 9, 64)).astype(np.float32)
want = ort.InferenceSession("mamba2-fused-prefill.onnx").run(None, {"hidden_states": x})[0]
assert np.allclose(m(x)[0], want, rtol=1e-4, atol=1e-4 * np.abs(want).max()), "mismatch"
print("saved, reloaded and matched onnxruntime:", sorted(__import__("os").listdir(".")))
PY
