#!/usr/bin/env python3
"""Hybrid against onnxruntime on every zoo model, on the CPU.

    PYTHONPATH=build/python python3 bench/bench_zoo.py [--threads N] [--runs 30]
        [--warmup 5] [--rounds 5] [--batch 1] [--seq 64] [--past-seq 64] [--only SUBSTR]
        [--no-memory] [--json results.json]

Every model of the zoo (python/hybrid/zoo: both forms, prefill and decode)
is compiled by Hybrid (hybrid.compile, the default CPU pipeline) and loaded by
onnxruntime from the same ONNX model, with the same thread count and
onnxruntime's full graph optimisations (ORT_ENABLE_ALL, intra-op threads = N,
sequential execution). onnxruntime cannot run a fused model with Hybrid's
own ops (ai.hybrid) or with com.microsoft ops it lacks; for those it runs the
decomposed form of the same model and weights, marked `*`.

Each engine gets `--warmup` calls, then `--runs` timed calls on the same fresh
random inputs (hybrid.zoo.make_inputs; not zeros), in `--rounds` alternating
blocks (Hybrid's block, then onnxruntime's, a 20 ms pause before each, so that
a drift in the machine's speed falls on both engines alike); the table shows
the median latency of each over all its calls, and the ratio onnxruntime /
Hybrid (above 1: Hybrid is faster). The roofline columns divide by the machine's limits, measured in the
same run by bench/peak.c (FMA peak and STREAM triad at N threads):
  - GFLOP/s counts the dense FLOPs of the model's MatMul, Gemm and Conv nodes
    at these shapes (2 per multiply-add; ops inside Scan/Loop bodies and
    attention/scan ops are not counted, so it is a lower bound);
  - GB/s counts the compulsory bytes: weights, inputs and outputs once (all
    weights: a MoE decode step reads only its routed experts, so its %bw can
    pass 100%).
Memory, in MiB:
  - `buf` is Hybrid's own buffer peak per call (hybrid_call_stats_t);
  - `hyb peak` and `ort peak` are each engine's peak memory for the model:
    the engine runs in a child process of its own, which loads both engines'
    code (Python modules and extensions; onnxruntime's process-wide
    environment by running a one-node session) and reads the inputs, resets the kernel's peak-RSS mark
    (/proc/self/clear_refs), then loads the model (the library Hybrid
    compiled, or an onnxruntime session on the ONNX file) and makes the
    warm-up and timed calls; the column is the peak RSS since the reset minus
    the RSS at it: the weights as resident (copies in memory, or a library's
    pages once touched), transient load-time copies, arenas, activations,
    workspaces and thread stacks. The same measure for both engines.

This is a benchmark, not a test: it asserts nothing about speed. Timings on a
shared machine vary; run it twice and compare.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import shape_inference

HERE = os.path.dirname(os.path.abspath(__file__))

import hybrid  # noqa: E402  (build/python or an installed package)
from hybrid import zoo  # noqa: E402


def machine_peak(threads):
    """FMA GFLOP/s and triad GB/s at `threads`, from bench/peak.c."""
    with tempfile.TemporaryDirectory() as wd:
        exe = os.path.join(wd, "peak")
        subprocess.run(["cc", "-O2", "-march=native", "-pthread",
                        os.path.join(HERE, "peak.c"), "-o", exe], check=True)
        out = subprocess.run([exe, str(threads)], check=True, capture_output=True, text=True)
        return json.loads(out.stdout)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def dense_flops(model, feeds):
    """FLOPs of the top-level MatMul, Gemm and Conv nodes at the feeds' shapes
    (those shape inference can size; None when it sizes none)."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    for vi in m.graph.input:
        if vi.name in feeds:
            dims = vi.type.tensor_type.shape.dim
            for d, n in zip(dims, feeds[vi.name].shape):
                d.Clear()
                d.dim_value = n
    m = shape_inference.infer_shapes(m, data_prop=True)
    shapes = {}
    for vi in list(m.graph.value_info) + list(m.graph.input) + list(m.graph.output):
        if not vi.type.tensor_type.HasField("shape"):
            continue  # rank unknown
        dims = vi.type.tensor_type.shape.dim
        if all(d.HasField("dim_value") for d in dims):
            shapes[vi.name] = [d.dim_value for d in dims]
    for init in m.graph.initializer:
        shapes[init.name] = list(init.dims)
    total = 0
    for node in m.graph.node:
        if node.op_type not in ("MatMul", "Gemm", "Conv"):
            continue
        a = shapes.get(node.input[0])
        w = shapes.get(node.input[1])
        y = shapes.get(node.output[0])
        if a is None or w is None or y is None or not a:
            continue  # after a Scan/Loop, shapes may be unknown: a lower bound
        if node.op_type == "MatMul":
            total += 2 * int(np.prod(y)) * a[-1]
        elif node.op_type == "Gemm":
            trans_a = next((at.i for at in node.attribute if at.name == "transA"), 0)
            total += 2 * int(np.prod(y)) * (a[0] if trans_a else a[1])
        else:
            total += 2 * int(np.prod(y)) * int(np.prod(w[1:]))
    return total or None


def weight_bytes(model):
    return sum(onnx.numpy_helper.to_array(t).nbytes for t in model.graph.initializer)


def time_calls(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# Between two engines' blocks of calls: long enough for either engine's
# threads to stop spinning (onnxruntime's intra-op threads spin after a run,
# Hybrid's workers for HYBRID_SPIN_US, 100 us by default), so that neither
# takes the cores from the other's next block.
QUIET_S = 0.02


def time_pair(hyb, ort, warmup, runs, rounds):
    """Median latency (s) of `hyb` and of `ort`: both warmed up, then `rounds`
    alternating blocks of runs / rounds calls each (Hybrid's first in every
    round), with a pause between blocks. On a machine whose speed drifts (a
    VM whose cores a hypervisor shares), both engines see the same drift, so
    the ratio holds still from run to run where two long blocks back to back
    would each catch a different state."""
    for _ in range(warmup):
        hyb()
    for _ in range(warmup):
        ort()
    times = ([], [])
    rounds = max(1, min(rounds, runs))
    for r in range(rounds):
        n = runs // rounds + (1 if r < runs % rounds else 0)
        for fn, out in ((hyb, times[0]), (ort, times[1])):
            time.sleep(QUIET_S)
            for _ in range(n):
                t0 = time.perf_counter()
                fn()
                out.append(time.perf_counter() - t0)
    return statistics.median(times[0]), statistics.median(times[1])


def _rss_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def memory_child(engine, path, feeds_path, threads, calls):
    """In a child process, with the engine imported and the inputs read: reset
    the peak-RSS mark, load `path` with `engine`, make `calls` calls, and print
    the RSS (KiB) at the reset and its peak since as JSON."""
    # Both engines' code is part of the baseline: onnxruntime's module, and
    # Hybrid's API and its extension (which load on first use).
    # onnxruntime's process-wide environment, made with its first session, is
    # too: a one-node session runs first.
    hybrid.load  # noqa: B018
    x = onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1])
    y = onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1])
    tiny = onnx.helper.make_model(onnx.helper.make_graph(
        [onnx.helper.make_node("Identity", ["x"], ["y"])], "tiny", [x], [y]))
    ort_session(tiny, threads).run(None, {"x": np.zeros(1, np.float32)})
    feeds = dict(np.load(feeds_path))
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the peak RSS restarts from the current RSS (Linux >= 4.0)
    base = _rss_kib("VmRSS")
    if engine == "hybrid":
        m = hybrid.load(path, threads=threads)
        call = lambda: m.run(feeds)  # noqa: E731
    else:
        sess = ort_session(onnx.load(path), threads)
        call = lambda: sess.run(None, feeds)  # noqa: E731
    for _ in range(calls):
        call()
    print(json.dumps({"base_kib": base, "peak_kib": _rss_kib("VmHWM")}))


def measure_memory(engine, path, feeds_path, threads, calls):
    """The peak RSS (MiB) that loading the model with `engine` and making
    `calls` calls adds to a child process that has the engine imported."""
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--memory-child", engine,
                          path, feeds_path, str(threads), str(calls)],
                         check=True, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    r = json.loads(out.stdout.strip().splitlines()[-1])
    return (r["peak_kib"] - r["base_kib"]) / 1024


def ort_session(model, threads):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(model.SerializeToString(), opts,
                                providers=["CPUExecutionProvider"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=5,
                    help="alternating blocks of --runs / --rounds calls per engine")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--past-seq", type=int, default=64)
    ap.add_argument("--only", default=None, help="models whose name contains this")
    ap.add_argument("--seed", type=int, default=0, help="input seed")
    ap.add_argument("--json", default=None, help="also write the rows here")
    ap.add_argument("--no-memory", action="store_true",
                    help="skip the per-engine child processes that measure memory")
    ap.add_argument("--memory-child", nargs=5, metavar=("ENGINE", "PATH", "FEEDS", "THREADS", "CALLS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        engine, path, feeds_path, threads, calls = args.memory_child
        memory_child(engine, path, feeds_path, int(threads), int(calls))
        return 0
    import onnxruntime as ort

    peak = machine_peak(args.threads)
    dims = {"batch": args.batch, "seq": args.seq, "past_seq": args.past_seq}
    print(f"machine: {cpu_name()}, {os.cpu_count()} CPUs; {args.threads} threads; measured "
          f"{peak['fma_gflops']:.1f} GFLOP/s FMA peak ({peak['isa']}), "
          f"{peak['triad_gbps']:.1f} GB/s triad")
    print(f"onnxruntime {ort.__version__} (ORT_ENABLE_ALL); sizes {dims}; median of "
          f"{args.runs} runs after {args.warmup} warm-up, in {max(1, min(args.rounds, args.runs))} "
          f"alternating rounds")
    head = (f"{'model':32} {'hybrid ms':>10} {'ort ms':>10} {'ort/hyb':>8} {'GFLOP/s':>8} "
            f"{'%peak':>6} {'GB/s':>6} {'%bw':>5} {'buf MiB':>8}"
            + ("" if args.no_memory else f" {'hyb peak':>8} {'ort peak':>8}"))
    print(head)
    print("-" * len(head))
    rows = []
    rng = np.random.default_rng(args.seed)
    for name, arch, form, phase in zoo.all_models():
        if args.only and args.only not in name:
            continue
        model = zoo.build(arch, form, phase)
        twin = zoo.build(arch, zoo.DECOMPOSED, phase)
        feeds = zoo.make_inputs(model, rng, dims)
        m = hybrid.compile(model, threads=args.threads)
        outs, stats = m.run(feeds, with_stats=True)
        mark = ""
        try:
            sess = ort_session(model, args.threads)
        except Exception:
            sess, mark = ort_session(twin, args.threads), "*"
        t_hyb, t_ort = time_pair(lambda: m.run(feeds), lambda: sess.run(None, feeds),
                                 args.warmup, args.runs, args.rounds)
        mem = {}
        if not args.no_memory:
            with tempfile.TemporaryDirectory() as wd:
                so, ort_model, feeds_path = (os.path.join(wd, n) for n in ("m.so", "m.onnx", "f.npz"))
                m.save(so)
                onnx.save(twin if mark else model, ort_model)
                np.savez(feeds_path, **feeds)
                calls = args.warmup + args.runs
                mem["hybrid_peak_rss_mib"] = measure_memory("hybrid", so, feeds_path,
                                                            args.threads, calls)
                mem["ort_peak_rss_mib"] = measure_memory("ort", ort_model, feeds_path,
                                                         args.threads, calls)
        flops = dense_flops(twin, feeds)
        moved = (weight_bytes(model) + sum(v.nbytes for v in feeds.values())
                 + sum(np.asarray(v).nbytes for v in outs.values()))
        gflops = flops / t_hyb / 1e9 if flops else None
        gbps = moved / t_hyb / 1e9
        row = {"model": name, "hybrid_ms": t_hyb * 1e3, "ort_ms": t_ort * 1e3,
               "ratio": t_ort / t_hyb, "ort_ran_decomposed": bool(mark),
               "dense_gflop": flops / 1e9 if flops else None, "gflops": gflops,
               "pct_fma_peak": 100 * gflops / peak["fma_gflops"] if gflops else None,
               "gbps": gbps, "pct_bandwidth": 100 * gbps / peak["triad_gbps"],
               "hybrid_peak_mib": stats["peak_bytes"] / 2**20, **mem}
        rows.append(row)
        fl = f"{gflops:8.2f} {row['pct_fma_peak']:5.1f}%" if gflops else f"{'-':>8} {'-':>6}"
        print(f"{name:32} {row['hybrid_ms']:10.3f} {row['ort_ms']:9.3f}{mark:1} "
              f"{row['ratio']:7.2f}x {fl} {gbps:6.2f} {row['pct_bandwidth']:4.1f}% "
              f"{row['hybrid_peak_mib']:8.2f}"
              + (f" {mem['hybrid_peak_rss_mib']:8.2f} {mem['ort_peak_rss_mib']:8.2f}" if mem else ""))
        sys.stdout.flush()
    ratios = [r["ratio"] for r in rows]
    if ratios:
        geo = float(np.exp(np.mean(np.log(ratios))))
        print(f"geometric mean ort/hybrid: {geo:.2f}x over {len(rows)} models "
              f"(* = onnxruntime ran the decomposed form)")
        mem_rows = [r for r in rows if "ort_peak_rss_mib" in r]
        if mem_rows:
            worse = [r["model"] for r in mem_rows if r["hybrid_peak_rss_mib"] > r["ort_peak_rss_mib"]]
            print(f"peak memory (load + calls): Hybrid "
                  f"{sum(r['hybrid_peak_rss_mib'] for r in mem_rows):.1f} MiB, onnxruntime "
                  f"{sum(r['ort_peak_rss_mib'] for r in mem_rows):.1f} MiB over {len(mem_rows)} "
                  f"models; Hybrid above onnxruntime on: {', '.join(worse) or 'none'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": cpu_name(), "threads": args.threads, "peak": peak,
                       "sizes": dims, "onnxruntime": ort.__version__, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
