"""A stateful decode helper: runs a compiled hybrid model token by token,
carrying its state (KV cache, conv state, SSM state) from each call's outputs
to the next call's inputs.

    dec = hybrid.Decoder(hybrid.compile("jamba-decode.onnx"),
                         prefill=hybrid.compile("jamba-prefill.onnx"))
    tokens = dec.generate(prompt_ids, steps=8)      # greedy
    # or by hand:
    logits = dec.prefill(input_ids=prompt_ids)
    logits = dec.step(input_ids=next_ids)

Which output feeds which input is read from the names exporters use: an output
`present_X` feeds the decode input `past_X`, and `present.X` feeds
`past_key_values.X` (Hugging Face's names); `state=` gives the map explicitly.
"""
from typing import Any, Dict, Optional

import numpy as np

from .api import CompiledModule

__all__ = ["Decoder", "state_names"]


def _past_for(present: str, inputs) -> Optional[str]:
    candidates = []
    if present.startswith("present_"):
        candidates.append("past_" + present[len("present_"):])
    if present.startswith("present."):
        candidates.append("past_key_values." + present[len("present."):])
    if present.startswith("present"):
        candidates.append("past" + present[len("present"):])
    return next((c for c in candidates if c in inputs), None)


def state_names(decode: CompiledModule) -> Dict[str, str]:
    """{output name: input name} of the state a decode module carries, by the
    naming rules above."""
    inputs = set(decode.input_names)
    found = {}
    for out in decode.output_names:
        past = _past_for(out, inputs)
        if past is not None:
            found[out] = past
    return found


class Decoder:
    """Carries state between calls of a compiled decode module (and an
    optional prefill module whose outputs start the state). Not thread-safe:
    one Decoder per sequence (several may share the modules)."""

    def __init__(self, decode: CompiledModule, prefill: Optional[CompiledModule] = None,
                 state: Optional[Dict[str, str]] = None):
        self.decode = decode
        self.prefill_module = prefill
        self.state_map: Dict[str, str] = dict(state) if state is not None else state_names(decode)
        if not self.state_map:
            raise ValueError(f"{decode.name}: no output feeds an input (expected present_X -> "
                             "past_X or present.X -> past_key_values.X); pass state=")
        for out, inp in self.state_map.items():
            if out not in decode.output_names:
                raise ValueError(f"{decode.name}: state output '{out}' is not an output")
            if inp not in decode.input_names:
                raise ValueError(f"{decode.name}: state input '{inp}' is not an input")
        if prefill is not None:
            missing = [o for o in self.state_map if o not in prefill.output_names]
            if missing:
                raise ValueError(f"{prefill.name}: the prefill module has no output "
                                 f"{', '.join(missing)} to start the state")
        #: {decode input name: tensor}: the state the next step reads; None
        #: before prefill() or zero_state().
        self.state: Optional[Dict[str, Any]] = None

    def _keep(self, outputs: Dict[str, Any]):
        self.state = {inp: outputs[out] for out, inp in self.state_map.items()}
        rest = tuple(v for k, v in outputs.items() if k not in self.state_map)
        return rest[0] if len(rest) == 1 else rest

    def prefill(self, **inputs):
        """Runs the prefill module on `inputs` and starts the state from its
        outputs; returns its other outputs (one tensor, or a tuple)."""
        if self.prefill_module is None:
            raise ValueError("this Decoder has no prefill module: use zero_state() and step()")
        return self._keep(self.prefill_module.run(inputs))

    def zero_state(self, **dims: int) -> None:
        """Starts from zeros: every state input gets zeros of its shape, with
        the named dynamic dims given here (`batch=1, past_seq=0`)."""
        state = {}
        for spec in self.decode.inputs:
            if spec.name not in self.state_map.values():
                continue
            shape = []
            for d in spec.shape:
                if isinstance(d, int):
                    shape.append(d)
                elif isinstance(d, str) and d in dims:
                    shape.append(int(dims[d]))
                else:
                    raise ValueError(f"zero_state: state input '{spec.name}' has dim "
                                     f"{d!r}: give its size (e.g. zero_state({d or 'dim'}=...))")
            state[spec.name] = np.zeros(shape, dtype=spec.dtype)
        self.state = state

    def step(self, **inputs):
        """One decode call on `inputs` plus the carried state; keeps the new
        state and returns the other outputs (one tensor, or a tuple)."""
        if self.state is None:
            raise ValueError("no state yet: call prefill() or zero_state() first")
        clash = set(inputs) & set(self.state)
        if clash:
            raise TypeError(f"state input(s) {', '.join(sorted(clash))} are carried by the "
                            "Decoder; do not pass them")
        return self._keep(self.decode.run({**inputs, **self.state}))

    def reset(self) -> None:
        self.state = None

    def generate(self, prompt, steps: int, *, token_input: str = "input_ids",
                 logits_output: str = "logits", **extra) -> np.ndarray:
        """Greedy decoding: prefill on `prompt` ([batch, seq] token ids), then
        `steps` one-token steps, each fed the argmax of the last logits.
        `extra` inputs go to every call. Returns the [batch, steps] new tokens."""
        prompt = np.asarray(prompt)
        if self.prefill_module is not None:
            outs = self.prefill_module.run({token_input: prompt, **extra})
        else:
            raise ValueError("generate() needs a prefill module")
        self._keep(outs)
        tokens = []
        logits = outs[logits_output]
        for _ in range(steps):
            nxt = np.asarray(logits)[:, -1, :].argmax(-1).astype(prompt.dtype)[:, None]
            tokens.append(nxt)
            if len(tokens) == steps:
                break
            outs = self.decode.run({token_input: nxt, **extra, **self.state})
            self._keep(outs)
            logits = outs[logits_output]
        return np.concatenate(tokens, axis=1) if tokens else np.zeros(
            (prompt.shape[0], 0), prompt.dtype)
