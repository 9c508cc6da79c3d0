"""Hybrid's model zoo: hybrid-architecture ONNX models with random weights.

Each architecture (Mamba-1, Mamba-2, Gated DeltaNet, attention and MoE blocks; a
Jamba-style and a Nemotron-H-style language model; ConvNeXt- and CoAtNet-style
image models) is written in the fused-op form and in the decomposed form that
exporters write, and sequence models in a prefill and a one-token decode variant
with their state inputs and outputs. Nothing large is committed: the models are
generated::

    python3 -m hybrid.zoo --out zoo/             # every model, as zoo/NAME.onnx
    python3 -m hybrid.zoo --list
    python3 -m hybrid.zoo --out zoo/ --only jamba

or from Python::

    from hybrid import zoo
    model = zoo.build("jamba", "fused", "decode")      # an onnx.ModelProto
    feeds = zoo.make_inputs(model, numpy.random.default_rng(0))

The two forms of a model hold the same weights (drawn by name from a seeded
generator) and have the same inputs and outputs, so one checks the other.
"""
from .layers import DECODE, DECOMPOSED, FUSED, PREFILL, Config  # noqa: F401
from .models import ARCHS, all_models, build, make_inputs, model_name, variants  # noqa: F401
