#!/usr/bin/env python3
"""Exports tiny Hugging Face models with torch.onnx, to check Hybrid on real
exporter output.

    python3 scripts/export_torch_models.py OUT_DIR [--only NAME] [--dynamo|--torchscript]

Needs torch, transformers and onnxscript (not part of the test suite's
requirements: the torch wheel alone is gigabytes). Every model is built from a
small config with random weights (no download; MoE layers with the eager
experts implementation, since transformers' grouped-matmul op has no ONNX
export), exported with its input_ids
(and, for image models, pixel_values) as dynamic-batch inputs, and written as
OUT_DIR/NAME.onnx; a failed export is reported and skipped. Check the files with

    python3 test/onnx/check_exported.py --hybrid-opt build/bin/hybrid-opt OUT_DIR

which imports each one with hybrid-opt, compiles and runs it, and compares it
with onnxruntime on fresh random inputs.
"""
import argparse
import os
import sys
import traceback


def configs():
    import transformers as tf
    small = dict(vocab_size=128, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64)
    out = {
        "llama": lambda: tf.LlamaForCausalLM(tf.LlamaConfig(**small)),
        "qwen3_moe": lambda: tf.Qwen3MoeForCausalLM(tf.Qwen3MoeConfig(
            **small, num_experts=4, num_experts_per_tok=2, moe_intermediate_size=32, head_dim=16,
            experts_implementation="eager")),
        "mixtral": lambda: tf.MixtralForCausalLM(tf.MixtralConfig(
            **small, num_local_experts=4, num_experts_per_tok=2, experts_implementation="eager")),
        "mamba": lambda: tf.MambaForCausalLM(tf.MambaConfig(
            vocab_size=128, hidden_size=64, state_size=8, num_hidden_layers=2, expand=2, conv_kernel=4,
            use_mambapy=False)),
        "mamba2": lambda: tf.Mamba2ForCausalLM(tf.Mamba2Config(
            vocab_size=128, hidden_size=64, state_size=16, num_hidden_layers=2, expand=2, head_dim=16,
            num_heads=8, n_groups=1, conv_kernel=4, chunk_size=8)),
        "jamba": lambda: tf.JambaForCausalLM(tf.JambaConfig(
            **small, num_experts=4, num_experts_per_tok=2, attn_layer_period=2, attn_layer_offset=1,
            expert_layer_period=2, expert_layer_offset=1, mamba_d_state=8, mamba_d_conv=4, mamba_expand=2,
            mamba_dt_rank=8, use_mamba_kernels=False, experts_implementation="eager")),
        # A MoE block alone (hidden_states in, hidden_states out): small enough
        # to keep as a test file (test/data/exported).
        "qwen3_moe_block": lambda: __import__(
            "transformers.models.qwen3_moe.modeling_qwen3_moe", fromlist=["x"]).Qwen3MoeSparseMoeBlock(
            tf.Qwen3MoeConfig(hidden_size=8, moe_intermediate_size=12, num_experts=4,
                              num_experts_per_tok=2, norm_topk_prob=True)),
        "convnext": lambda: tf.ConvNextForImageClassification(tf.ConvNextConfig(
            num_channels=3, num_stages=2, hidden_sizes=[16, 32], depths=[1, 1], num_labels=10,
            image_size=32)),
    }
    return out


def all_experts_forward(self, hidden_states, top_k_index, top_k_weights):
    """transformers' eager experts loop over the experts the batch hit, which
    is data-dependent (torch.export rejects it, the TorchScript tracer bakes
    in the experts of the example input). This visits every expert, each on
    the tokens that chose it, as optimum's model patcher does for its MoE
    exports: NonZero, gather, expert, weight, index_add_."""
    import torch
    F = torch.nn.functional
    out = torch.zeros_like(hidden_states)
    mask = F.one_hot(top_k_index, num_classes=self.num_experts).permute(2, 1, 0)
    for e in range(self.num_experts):
        slot, tok = torch.where(mask[e])
        x = hidden_states[tok]
        if hasattr(self, "gate_up_proj"):
            gate, up = F.linear(x, self.gate_up_proj[e]).chunk(2, dim=-1)
            h = self.act_fn(gate) * up
        else:
            h = self.act_fn(F.linear(x, self.up_proj[e]))
        h = F.linear(h, self.down_proj[e])
        out.index_add_(0, tok, (h * top_k_weights[tok, slot, None]).to(out.dtype))
    return out


def patch_moe_experts():
    """Every transformers experts module this script exports loops over all
    its experts (all_experts_forward)."""
    import importlib
    for module, cls in [("qwen3_moe", "Qwen3MoeExperts"), ("mixtral", "MixtralExperts"),
                        ("jamba", "JambaExperts")]:
        try:
            m = importlib.import_module(f"transformers.models.{module}.modeling_{module}")
        except ImportError:
            continue
        if hasattr(m, cls):
            getattr(m, cls).forward = all_experts_forward


def export(name, make, out_dir, dynamo):
    import torch
    torch.manual_seed(0)
    model = make().eval()
    if hasattr(model, "config"):
        model.config.use_cache = False
    if name.endswith("_block"):
        # A bare module gets no _init_weights: its expert weights are
        # torch.empty and its router zeros (every logit tied).
        for prm in model.parameters():
            torch.nn.init.normal_(prm, std=0.3)
        args = (torch.randn(2, 8, 8),)
        names, dyn = ["hidden_states"], {"hidden_states": {0: "batch", 1: "seq"}}
    elif name == "convnext":
        args = (torch.randn(2, 3, 32, 32),)
        names, dyn = ["pixel_values"], {"pixel_values": {0: "batch"}}
    else:
        args = (torch.randint(0, 128, (2, 8)),)
        names, dyn = ["input_ids"], {"input_ids": {0: "batch"}}
    path = os.path.join(out_dir, f"{name}.onnx")

    class Wrapper(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, x):
            if name.endswith("_block"):
                return self.m(x)
            out = self.m(x, use_cache=False, return_dict=True) if name != "convnext" else self.m(x, return_dict=True)
            return out.logits

    wrapped = Wrapper(model)
    with torch.no_grad():
        if dynamo:
            shapes = {0: torch.export.Dim("batch", min=1, max=16)}
            if name.endswith("_block"):
                shapes[1] = torch.export.Dim("seq", min=1, max=64)
            torch.onnx.export(wrapped, args, path, input_names=names, output_names=["logits"],
                              dynamic_shapes=(shapes,), dynamo=True, optimize=True,
                              external_data=False)
        else:
            torch.onnx.export(wrapped, args, path, input_names=names, output_names=["logits"],
                              dynamic_axes=dyn, opset_version=18, dynamo=False)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--only", action="append", default=[])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--dynamo", action="store_true", default=True)
    g.add_argument("--torchscript", action="store_true")
    ap.add_argument("--hit-experts-only", action="store_true",
                    help="keep transformers' MoE forward (a loop over the experts the example input "
                         "hit); by default every expert is visited (see all_experts_forward)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    import torch
    import transformers
    print(f"torch {torch.__version__}, transformers {transformers.__version__}")
    if not args.hit_experts_only:
        patch_moe_experts()
    failed = 0
    for name, make in configs().items():
        if args.only and name not in args.only:
            continue
        try:
            path = export(name, make, args.out, dynamo=not args.torchscript)
            print(f"EXPORTED {name}: {path} ({os.path.getsize(path)} bytes)")
        except Exception as e:  # noqa: BLE001 - report and go on
            failed += 1
            print(f"EXPORT-FAILED {name}: {type(e).__name__}: {str(e).strip().splitlines()[0][:300]}")
            traceback.print_exc(limit=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
