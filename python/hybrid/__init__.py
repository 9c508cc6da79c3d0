"""Hybrid's Python package.

Today it holds `hybrid.onnx_ops`, which writes Hybrid's own ONNX ops (domain
`ai.hybrid`) into models and gives their NumPy references. The compile API
(pybind11) will live here too.
"""
