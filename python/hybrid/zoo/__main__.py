"""python3 -m hybrid.zoo --out DIR [--only SUBSTRING] [--list] [--seed N]"""
import argparse
import os
import sys

import onnx

from . import all_models, build


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m hybrid.zoo",
                                 description="Writes Hybrid's zoo models as DIR/NAME.onnx.")
    ap.add_argument("--out", help="output directory (created if missing)")
    ap.add_argument("--only", action="append", default=[],
                    help="only models whose name contains this (repeatable)")
    ap.add_argument("--seed", type=int, default=0, help="weight seed (default 0)")
    ap.add_argument("--list", action="store_true", help="list the model names and exit")
    args = ap.parse_args(argv)
    chosen = [m for m in all_models() if not args.only or any(s in m[0] for s in args.only)]
    if args.list:
        for name, *_ in chosen:
            print(name)
        return 0
    if not args.out:
        ap.error("--out is required (or --list)")
    if not chosen:
        print(f"error: no zoo model matches {args.only}", file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    for name, arch, form, phase in chosen:
        model = build(arch, form, phase, seed=args.seed)
        onnx.checker.check_model(model)
        path = os.path.join(args.out, name + ".onnx")
        # Written to a temporary name first, so a failure never leaves half a file.
        tmp = path + ".tmp"
        onnx.save(model, tmp)
        os.replace(tmp, path)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
