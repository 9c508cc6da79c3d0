#!/usr/bin/env python3
"""Greedy decoding with the compiled Jamba-style zoo model, checked against
onnxruntime at every step.

    decode_loop.py --hybrid-opt build/bin/hybrid-opt --workdir DIR [--steps N]
                   [--prompt 1 17 42 99 7] [--form fused|decomposed]

Writes the model's prefill and decode forms to DIR, compiles them with
`hybrid-opt --target=cpu` into DIR/jamba_prefill.so and DIR/jamba_decode.so (with
their headers, which runtime/examples/aot_decode.c includes), then decodes: the
prompt through prefill, then N one-token decode calls, each fed the previous
call's state (present_conv.N -> past_conv.N, present_ssm.N -> past_ssm.N,
present.N.key -> past_key_values.N.key, ...) and the argmax of the last logits.
Every call runs through the C runtime (hybrid-run) and through onnxruntime on
the decomposed form with the same inputs, and every output (logits and all
state) must agree within 1e-4 of the output's largest magnitude. Prints the
tokens as `tokens: t1 t2 ...` (the line aot_decode prints) and writes it to
DIR/tokens.txt.
"""
import argparse
import os
import sys

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
sys.path.insert(0, HERE)

import runlib  # noqa: E402
from check_zoo import assert_close, ort_run  # noqa: E402
from hybrid import zoo  # noqa: E402
from hybrid.decode import past_name  # noqa: E402  (the Decoder's naming rules)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hybrid-opt", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--prompt", type=int, nargs="+", default=[1, 17, 42, 99, 7])
    ap.add_argument("--form", default=zoo.FUSED, choices=[zoo.FUSED, zoo.DECOMPOSED])
    args = ap.parse_args()
    opt = args.hybrid_opt
    run_tool = runlib.tool_next_to(opt, "hybrid-run")
    wd = os.path.abspath(args.workdir)
    os.makedirs(wd, exist_ok=True)

    libs, twins, outs = {}, {}, {}
    for phase in (zoo.PREFILL, zoo.DECODE):
        model = zoo.build("jamba", args.form, phase)
        twins[phase] = zoo.build("jamba", zoo.DECOMPOSED, phase)
        path = os.path.join(wd, f"jamba-{args.form}-{phase}.onnx")
        onnx.save(model, path)
        libs[phase] = runlib.compile_library(
            opt, path, os.path.join(wd, f"jamba_{phase}.so"), cwd=wd)
        outs[phase] = [o.name for o in model.graph.output]

    def step(phase, feeds, where):
        got = runlib.run_library(run_tool, libs[phase], feeds, outs[phase], wd)
        want = ort_run(twins[phase], feeds)
        assert_close(got, want, outs[phase], where)
        err = max(float(np.max(np.abs(g - w))) for g, w in zip(got, want))
        return dict(zip(outs[phase], got)), err

    got, err = step(zoo.PREFILL, {"input_ids": np.array([args.prompt], np.int64)}, " (prefill)")
    print(f"prefill of {len(args.prompt)} tokens: matches onnxruntime (max abs error {err:.2e})")
    tokens = []
    for k in range(args.steps):
        token = int(np.argmax(got["logits"][0, -1]))
        tokens.append(token)
        feeds = {"input_ids": np.array([[token]], np.int64)}
        feeds.update({past_name(n): v for n, v in got.items() if past_name(n)})
        got, err = step(zoo.DECODE, feeds, f" (decode step {k})")
        kv = got["present.2.key"].shape[2]
        print(f"decode step {k}: token {token}, KV cache length {kv}: matches onnxruntime "
              f"(max abs error {err:.2e})")
    line = "tokens: " + " ".join(str(t) for t in tokens)
    print(line)
    with open(os.path.join(wd, "tokens.txt"), "w") as f:
        f.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
