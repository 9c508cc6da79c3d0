#!/usr/bin/env python3
"""Runs ONNX's backend node tests (onnx 1.22.0) through Hybrid and writes the
support table.

    conformance.py --hybrid-opt build/bin/hybrid-opt [--data DIR] [--only REGEX]
                   [--jobs N] [--write docs/onnx-support.md] [--check docs/onnx-support.md]
                   [--results results.json] [-v]
    conformance.py --fetch-only

Every test directory holds a `model.onnx` and `test_data_set_*/{input,output}_K.pb`.
For each test the runner

  1. imports and converts it: `hybrid-opt model.onnx -o converted.mlir`; an error
     here means Hybrid cannot take the model ("unsupported", with the reason);
  2. compiles it: `hybrid-opt converted.mlir --target=cpu -o model.so` (the CPU
     pipeline, LLVM in-process, a shared library with its ABI tables);
  3. runs it on every data set with `hybrid-run` (the C runtime; its own process, so
     a crash or a hang is a failure of that test, not of the runner) and compares each output with
     the expected one: exact for integers and booleans, and for floats
     |got - want| <= atol + rtol * |want| with ONNX's own defaults rtol=1e-3,
     atol=1e-7 (float16/bfloat16 outputs: rtol=atol=1e-2).

Steps 2-3 failing, or a wrong value, is "failed". Tests whose graph inputs or
outputs are sequences, maps or optionals, or strings, are "unsupported" (the
compiled ABI passes tensors only).

The data comes from the onnx 1.22.0 source release on PyPI. Without --data the
runner downloads it once into $HYBRID_CACHE (default ~/.cache/hybrid), checks its
SHA-256 and unpacks only the node tests.

--write regenerates the Markdown table; --check compares a fresh run with the
committed table and fails when any number differs (so the committed numbers are
the ones a clean clone reproduces). The exit status is non-zero when --check
finds a difference; failures alone are reported, not fatal (they are in the table).
"""
import argparse
import collections
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))

ONNX_VERSION = "1.22.0"
SDIST_URL = ("https://files.pythonhosted.org/packages/04/19/"
             "8ea73a64b368b75fe339771a20a02bc61ea1f551484c9e3d9d0bfbd0450f/onnx-1.22.0.tar.gz")
SDIST_SHA256 = "ef40c0aaf0b643857ea9306fc7eddce17eaf9fb0407e4801f1fc5758443a38e0"
NODE_PREFIX = f"onnx-{ONNX_VERSION}/onnx/backend/test/data/node/"

COMPILE_TIMEOUT_S = 300
RUN_TIMEOUT_S = 120


# ----------------------------------------------------------------------------
# Test data
# ----------------------------------------------------------------------------

def fetch_node_tests():
    """Returns the directory of node tests, downloading and unpacking it once."""
    cache = os.environ.get("HYBRID_CACHE", os.path.expanduser("~/.cache/hybrid"))
    root = os.path.join(cache, f"onnx-{ONNX_VERSION}-node-tests")
    stamp = os.path.join(root, ".complete")
    if os.path.exists(stamp):
        return root
    os.makedirs(cache, exist_ok=True)
    tarball = os.path.join(cache, f"onnx-{ONNX_VERSION}.tar.gz")
    if not os.path.exists(tarball) or _sha256(tarball) != SDIST_SHA256:
        print(f"downloading {SDIST_URL}", file=sys.stderr)
        tmp = tarball + ".part"
        with urllib.request.urlopen(SDIST_URL, timeout=120) as r, open(tmp, "wb") as f:
            shutil.copyfileobj(r, f)
        if _sha256(tmp) != SDIST_SHA256:
            os.unlink(tmp)
            sys.exit(f"error: {SDIST_URL}: SHA-256 mismatch")
        os.replace(tmp, tarball)
    staging = root + ".part"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    with tarfile.open(tarball) as tar:
        for m in tar.getmembers():
            if not m.name.startswith(NODE_PREFIX) or not m.isfile():
                continue
            rel = m.name[len(NODE_PREFIX):]
            if ".." in rel.split("/"):
                continue
            dst = os.path.join(staging, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with tar.extractfile(m) as src, open(dst, "wb") as out:
                shutil.copyfileobj(src, out)
    open(os.path.join(staging, ".complete"), "w").close()
    shutil.rmtree(root, ignore_errors=True)
    os.replace(staging, root)
    return root


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ----------------------------------------------------------------------------
# One test
# ----------------------------------------------------------------------------

class Result:
    def __init__(self, name, status, reason=""):
        self.name, self.status, self.reason = name, status, reason


def _first_line(text, limit=200):
    lines = text.splitlines()
    for k, line in enumerate(lines):
        line = line.strip()
        if "error:" in line:
            line = line[line.index("error:") + 6:].strip()
            if line.endswith("(no converter for the op type, domain or opset version):"):
                # The unsupported nodes follow, one per line.
                nodes = [l.strip() for l in lines[k + 1:] if l.startswith("  ")]
                line = "no converter for " + ", ".join(nodes)
            return line[:limit]
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    return (lines[0] if lines else "").strip()[:limit]


def _tensor_inputs_only(graph):
    import onnx
    for vi in list(graph.input) + list(graph.output):
        t = vi.type
        if not t.HasField("tensor_type"):
            return f"'{vi.name}' is a {t.WhichOneof('value')}, not a tensor"
        if t.tensor_type.elem_type == onnx.TensorProto.STRING:
            return f"'{vi.name}' is a string tensor"
    return None


def _load_sets(testdir, graph):
    import onnx
    from onnx import numpy_helper
    sets = []
    for d in sorted(os.listdir(testdir)):
        if not d.startswith("test_data_set_"):
            continue
        full = os.path.join(testdir, d)
        ins, outs = [], []
        for kind, dst, n in (("input", ins, len(graph.input)), ("output", outs, len(graph.output))):
            for i in range(n):
                t = onnx.TensorProto()
                with open(os.path.join(full, f"{kind}_{i}.pb"), "rb") as f:
                    t.ParseFromString(f.read())
                dst.append(numpy_helper.to_array(t))
        sets.append((ins, outs))
    return sets


def _run_cmd(cmd, cwd, timeout):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout)
    return p.returncode, p.stderr + p.stdout


def _run_library(opt, so, in_names, out_names, inputs, expected, workdir):
    """Runs the library with hybrid-run, in its own process (a crash or a hang
    fails only this test); returns the outputs."""
    import runlib
    feeds = {n: (a.view(f"u{a.dtype.itemsize}") if a.dtype.kind == "V" else a)
             for n, a in zip(in_names, (np.asarray(i) for i in inputs))}
    got = runlib.run_library(runlib.tool_next_to(opt, "hybrid-run"), so, feeds, out_names,
                             workdir, timeout=RUN_TIMEOUT_S)
    # ml_dtypes types (bfloat16) come back as their bits: view them as expected.
    return [g.view(np.asarray(e).dtype) if np.asarray(e).dtype.kind == "V" else g
            for g, e in zip(got, expected)]


def _compare(got, want):
    want = np.asarray(want)
    if got.shape != want.shape:
        return f"shape {list(got.shape)}, expected {list(want.shape)}"
    if want.dtype.kind in "fc" or want.dtype.name in ("bfloat16",) or "float8" in want.dtype.name:
        lowp = want.dtype.itemsize <= 2
        rtol, atol = (1e-2, 1e-2) if lowp else (1e-3, 1e-7)
        g = got.astype(np.float64)
        w = want.astype(np.float64)
        same_nan = np.isnan(g) == np.isnan(w)
        same_inf = (np.isinf(w) == np.isinf(g)) & (~np.isinf(w) | (g == w))
        with np.errstate(invalid="ignore"):  # inf - inf where both are inf
            close = np.isnan(w) | np.isinf(w) | (np.abs(g - w) <= atol + rtol * np.abs(w))
        ok = same_nan & same_inf & close
        if not ok.all():
            bad = np.argwhere(~ok)[0]
            idx = tuple(int(i) for i in bad)
            return (f"{int((~ok).sum())} of {ok.size} values differ, first at {list(idx)}: "
                    f"{g[idx]!r} vs {w[idx]!r}")
        return None
    if want.dtype.kind == "V":  # int4/uint4/int2 (ml_dtypes): compare as numbers
        got, want = got.astype(np.int16), want.astype(np.int16)
    if not np.array_equal(got, want):
        n = int((got != want).sum())
        return f"{n} of {want.size} values differ"
    return None


_NEEDS_CONSTANT = re.compile(r"must be a constant|of static length|needs (a )?constant")


def _compile_model(model_path, wd, opt, extra):
    """The library's path, or a (status, reason) tuple on failure. Importing and
    converting is one step (its errors mean "unsupported"), compiling the
    converted module with `--target=cpu` the next (its errors are failures)."""
    conv = os.path.join(wd, "converted.mlir")
    so = os.path.join(wd, "model.so")
    try:
        rc, out = _run_cmd([opt, model_path, "-o", conv] + extra, wd, COMPILE_TIMEOUT_S)
        if rc != 0:
            if "internal error" in out:
                return ("failed", "converting: " + _first_line(out[out.index("internal error"):]))
            return ("unsupported", _first_line(out))
        rc, out = _run_cmd([opt, conv, "--target=cpu", "-o", so], wd, COMPILE_TIMEOUT_S)
        if rc != 0:
            return ("failed", "compiling: " + _first_line(out))
    except subprocess.TimeoutExpired as e:
        return ("failed", f"timed out: {os.path.basename(e.cmd[0])}")
    return so


def _check_set(opt, so, in_names, out_names, ins, outs, wd, k):
    try:
        got = _run_library(opt, so, in_names, out_names, ins, outs, wd)
    except Exception as e:  # noqa: BLE001
        return f"data set {k}: {_first_line(str(e))}"
    for i, (g, w) in enumerate(zip(got, outs)):
        diff = _compare(g, w)
        if diff:
            return f"data set {k}, output {i}: {diff}"
    return None


def run_test(testdir, opt):
    """Runs one node test. When conversion needs a shape-deciding input (reduce axes,
    Slice starts, Reshape's shape, ...) to be a constant, the test is run again with
    its integer and scalar inputs (and short 1-D inputs after the first, such as
    Resize's scales) bound to each data set's values (hybrid-opt --bind-input);
    such a pass is counted as "bound"."""
    import onnx
    name = os.path.basename(testdir)
    model_path = os.path.join(testdir, "model.onnx")
    model = onnx.load(model_path)
    why = _tensor_inputs_only(model.graph)
    if why:
        return Result(name, "unsupported", why)
    try:
        sets = _load_sets(testdir, model.graph)
    except Exception as e:  # noqa: BLE001
        return Result(name, "unsupported", f"test data: {e}")
    with tempfile.TemporaryDirectory(prefix="hybrid-conf-") as wd:
        built = _compile_model(model_path, wd, opt, [])
        if isinstance(built, tuple):
            status, reason = built
            if status != "unsupported" or not _NEEDS_CONSTANT.search(reason):
                return Result(name, status, reason)
            return _run_bound(name, model, model_path, sets, wd, opt, reason)
        so = built
        in_names = [i.name for i in model.graph.input]
        out_names = [o.name for o in model.graph.output]
        for k, (ins, outs) in enumerate(sets):
            bad = _check_set(opt, so, in_names, out_names, ins, outs, wd, k)
            if bad:
                return Result(name, "failed", bad)
    return Result(name, "passed")


def _run_bound(name, model, model_path, sets, wd, opt, first_reason):
    import onnx
    ints = {onnx.TensorProto.INT64, onnx.TensorProto.INT32}
    # Integer inputs, scalars of any type (OneHot's depth is a float scalar), and
    # short 1-D float inputs after the first (Resize's scales and roi).
    def short_1d(i, vi):
        t = vi.type.tensor_type
        return (i > 0 and t.HasField("shape") and len(t.shape.dim) == 1
                and np.asarray(sets[0][0][i]).size <= 16)
    bind = [i for i, vi in enumerate(model.graph.input)
            if vi.type.tensor_type.elem_type in ints
            or (vi.type.tensor_type.HasField("shape") and not vi.type.tensor_type.shape.dim)
            or short_1d(i, vi)]
    if not bind:
        return Result(name, "unsupported", first_reason)
    from onnx import numpy_helper
    for k, (ins, outs) in enumerate(sets):
        flags = []
        for i in bind:
            vname = model.graph.input[i].name
            pb = os.path.join(wd, f"bound_{i}.pb")
            with open(pb, "wb") as f:
                f.write(numpy_helper.from_array(np.asarray(ins[i]), vname).SerializeToString())
            flags += ["--bind-input", f"{vname}={pb}"]
        built = _compile_model(model_path, wd, opt, flags)
        if isinstance(built, tuple):
            status, reason = built
            return Result(name, status, reason if status == "failed" else first_reason)
        so = built
        rest = [a for i, a in enumerate(ins) if i not in bind]
        in_names = [vi.name for i, vi in enumerate(model.graph.input) if i not in bind]
        bad = _check_set(opt, so, in_names, [o.name for o in model.graph.output], rest,
                         outs, wd, k)
        if bad:
            return Result(name, "failed", "with bound inputs: " + bad)
    return Result(name, "bound")


# ----------------------------------------------------------------------------
# Grouping and the table
# ----------------------------------------------------------------------------

_EXPANDED = re.compile(r"_expanded(_ver\d+)?$")


def describe_tests(root, names):
    """{test: (domain, op type, since-version, expanded?)}."""
    import onnx
    from onnx import defs
    info = {}
    single = {}
    models = {}
    for n in names:
        m = onnx.load(os.path.join(root, n, "model.onnx"), load_external_data=False)
        models[n] = m
        if len(m.graph.node) == 1:
            single[n] = m.graph.node[0]
    for n in names:
        m = models[n]
        base = _EXPANDED.sub("", n)
        expanded = base != n
        # Multi-node tests are `_expanded` bodies: they count under their base op.
        node = single.get(n) or single.get(base) or m.graph.node[0]
        domain = node.domain or "ai.onnx"
        opset = {o.domain or "ai.onnx": o.version for o in m.opset_import}.get(domain, 0)
        try:
            since = defs.get_schema(node.op_type, opset, node.domain).since_version
        except Exception:  # noqa: BLE001 - not in the registry
            since = opset
        info[n] = (domain, node.op_type, since, expanded)
    return info


STATUSES = ("passed", "bound", "failed", "unsupported")


def write_table(path, info, results):
    rows = collections.OrderedDict()
    for name in sorted(results):
        domain, op, since, _ = info[name]
        r = rows.setdefault((domain, op, since), collections.Counter())
        r[results[name].status] += 1
    totals = collections.Counter(r.status for r in results.values())
    ops = collections.defaultdict(collections.Counter)
    for (domain, op, _), r in rows.items():
        ops[(domain, op)].update(r)
    ok = lambda c: c["passed"] + c["bound"]  # noqa: E731
    std = [k for k in ops if k[0] == "ai.onnx"]
    some = [k for k in std if ok(ops[k])]
    every = [k for k in std if ok(ops[k]) and not ops[k]["failed"]
             and not ops[k]["unsupported"]]

    lines = []
    w = lines.append
    w("# ONNX node-test support")
    w("")
    w("<!-- Generated by `test/onnx/conformance.py --write docs/onnx-support.md`; "
      "do not edit. -->")
    w("")
    w(f"ONNX {ONNX_VERSION}'s backend node tests (`onnx/backend/test/data/node`, from the "
      "PyPI source release), each imported and converted by `hybrid-opt`, compiled "
      "with `hybrid-opt --target=cpu` to a shared library for the host CPU and run "
      "through the C runtime (`hybrid-run`) on every `test_data_set_*`; outputs are compared with the expected ones (floats: "
      "|got - want| <= 1e-7 + 1e-3 |want|, ONNX's defaults; float16/bfloat16: 1e-2; "
      "integers and booleans exactly).")
    w("")
    w("- **passed**: the model as written compiles and gives the expected outputs.")
    w("- **bound**: the test feeds a shape-deciding value (reduce `axes`, Slice "
      "`axes`, Reshape `shape`, Pad `pads`, OneHot `depth`, Resize `scales`, ...) as a graph input, "
      "which Hybrid needs constant; it passes once its integer and scalar inputs (and short 1-D "
      "inputs after the first) are bound to the data set's values "
      "with `hybrid-opt --bind-input name=value.pb` (real models hold these as "
      "initializers or compute them from shapes).")
    w("- **failed**: it compiled but crashed, hung, or gave a wrong value, or the "
      "lowering failed.")
    w("- **unsupported**: Hybrid refuses the model with an error naming the node "
      "(no converter, an attribute value it does not handle, a sequence, optional, "
      "map or string input).")
    w("")
    w("`_expanded` tests (an op's function body written out as nodes) count under the "
      "op they expand. `test/ONNX/conformance.test` reruns everything and fails when "
      "any number in the table changes, so these are the numbers a clean clone "
      "reproduces.")
    w("")
    w("## Summary")
    w("")
    w(f"- tests: {len(results)}: **{totals['passed']} passed**, {totals['bound']} "
      f"passed with bound inputs, {totals['failed']} failed, {totals['unsupported']} "
      "unsupported")
    w(f"- standard (ai.onnx) op types with at least one passing test (passed or bound): "
      f"**{len(some)}** of the {len(std)} the tests cover")
    w(f"- standard op types with every test passing: **{len(every)}**")
    w("")
    w("## By op")
    w("")
    w("| domain | op | since | passed | bound | failed | unsupported |")
    w("|---|---|---:|---:|---:|---:|---:|")
    for (domain, op, since), r in sorted(rows.items()):
        w(f"| {domain} | {op} | {since} | " + " | ".join(str(r[k]) for k in STATUSES) + " |")
    for title, status in (("Failed tests", "failed"), ("Unsupported tests", "unsupported")):
        w("")
        w(f"## {title}")
        w("")
        names = [n for n in sorted(results) if results[n].status == status]
        if not names:
            w("None.")
        for n in names:
            w(f"- `{n}`: {_md(results[n].reason)}")
    w("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def _md(text):
    return text.replace("|", "\\|").replace("`", "'").replace("\n", " ")


_ROW = re.compile(r"^\| (\S+) \| (\S+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$",
                  re.M)


def table_numbers(text):
    return {(m[1], m[2], int(m[3])): tuple(int(m[i]) for i in range(4, 8))
            for m in _ROW.finditer(text)}


# ----------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hybrid-opt")
    ap.add_argument("--fetch-only", action="store_true",
                    help="download and unpack the node tests, then exit")
    ap.add_argument("--data", help="node-test directory (default: download onnx 1.22.0)")
    ap.add_argument("--only", help="run tests whose name contains this (a regex)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--write", help="write the Markdown support table here")
    ap.add_argument("--check", help="fail when a fresh run's numbers differ from this table")
    ap.add_argument("--results", help="write per-test results as JSON here")
    ap.add_argument("-v", action="store_true", help="print every test's result")
    args = ap.parse_args()
    if args.fetch_only:
        print(fetch_node_tests())
        return 0
    if not args.hybrid_opt:
        ap.error("--hybrid-opt is required")
    opt = os.path.abspath(args.hybrid_opt)
    root = os.path.abspath(args.data) if args.data else fetch_node_tests()
    names = sorted(d for d in os.listdir(root)
                   if os.path.isfile(os.path.join(root, d, "model.onnx")))
    if args.only:
        names = [n for n in names if re.search(args.only, n)]
    if not names:
        sys.exit("error: no node tests selected")

    results = {}
    t0 = time.monotonic()
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = {ex.submit(run_test, os.path.join(root, n), opt): n for n in names}
        for fut in concurrent.futures.as_completed(futs):
            n = futs[fut]
            try:
                r = fut.result()
            except Exception as e:  # noqa: BLE001 - the runner itself must go on
                r = Result(n, "failed", f"runner: {type(e).__name__}: {e}")
            results[n] = r
            if args.v or r.status == "failed":
                print(f"{r.status.upper():11s} {n}" + (f": {r.reason}" if r.reason else ""),
                      flush=True)
    totals = collections.Counter(r.status for r in results.values())
    print(f"{len(results)} tests in {time.monotonic() - t0:.0f} s: {totals['passed']} passed, "
          f"{totals['bound']} passed with bound inputs, {totals['failed']} failed, "
          f"{totals['unsupported']} unsupported")

    info = describe_tests(root, names)
    if args.results:
        with open(args.results, "w") as f:
            json.dump({n: {"status": r.status, "reason": r.reason, "op": info[n][1],
                           "domain": info[n][0], "since": info[n][2]}
                       for n, r in sorted(results.items())}, f, indent=1)
    status = 0
    if args.write or args.check:
        tmp = tempfile.NamedTemporaryFile("w", suffix=".md", delete=False)
        tmp.close()
        write_table(tmp.name, info, results)
        if args.check:
            with open(args.check) as f:
                want = table_numbers(f.read())
            with open(tmp.name) as f:
                got = table_numbers(f.read())
            diffs = [(k, want.get(k), got.get(k)) for k in sorted(set(want) | set(got))
                     if want.get(k) != got.get(k)]
            for k, a, b in diffs:
                print(f"DIFF {'/'.join(map(str, k))}: table {a}, this run {b} "
                      "(passed, bound, failed, unsupported)")
            if diffs:
                print(f"{len(diffs)} rows differ from {args.check}; rerun with --write "
                      "to regenerate it")
                status = 1
            else:
                print(f"every row matches {args.check}")
        if args.write:
            shutil.copyfile(tmp.name, args.write)
        os.unlink(tmp.name)
    return status


if __name__ == "__main__":
    sys.exit(main())
