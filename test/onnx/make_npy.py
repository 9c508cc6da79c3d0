#!/usr/bin/env python3
"""Writes a .npy file for the runtime tests: make_npy.py PATH DTYPE SHAPE

SHAPE is `2x1x64` (or `scalar`); the values are random (seeded), in [0, 10) for
integers. `make_npy.py PATH fortran 2x3` writes a Fortran-ordered float32 array."""
import sys

import numpy as np

path, dtype, shape = sys.argv[1:4]
dims = [] if shape == "scalar" else [int(d) for d in shape.split("x")]
rng = np.random.default_rng(7)
if dtype == "fortran":
    np.save(path, np.asfortranarray(rng.standard_normal(dims).astype(np.float32)))
elif np.dtype(dtype).kind in "iub":
    np.save(path, rng.integers(0, 10, dims).astype(dtype))
else:
    np.save(path, rng.standard_normal(dims).astype(dtype))
