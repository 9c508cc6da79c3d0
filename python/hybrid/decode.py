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
from typing import TYPE_CHECKING, Any, Dict, Optional

import numpy as np

if TYPE_CHECKING:  # the naming rules work without the compiled extension
    from .api import CompiledModule

__all__ = ["Decoder", "past_name", "state_names"]


def past_name(present: str) -> Optional[str]:
    """The decode input an output named `present` feeds by the naming rules
    above (None: the name follows neither)."""
    if present.startswith("present_"):
        return "past_" + present[len("present_"):]
    if present.startswith("present."):
        return "past_key_values." + present[len("present."):]
    return None


def state_names(decode: "CompiledModule") -> Dict[str, str]:
    """{output name: input name} of the state a decode module carries: every
    output whose past_name is one of its inputs."""
    inputs = set(decode.input_names)
    return {out: past_name(out) for out in decode.output_names if past_name(out) in inputs}


class Decoder:
    """Carries state between calls of a compiled decode module (and an
    optional prefill module whose outputs start the state). Not thread-safe:
    one Decoder per sequence (several may share the modules)."""

    def __init__(self, decode: "CompiledModule", prefill: Optional["CompiledModule"] = None,
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
        """Greedy decoding: prefill on `prompt` ([batch, seq] token ids); each
        new token is the argmax of the last logits and is fed to the next
        decode call (`steps` tokens take steps - 1 decode calls). `extra`
        inputs go to every call. Returns the [batch, steps] new tokens."""
        if self.prefill_module is None:
            raise ValueError("generate() needs a prefill module")
        prompt = np.asarray(prompt)
        outs = self.prefill_module.run({token_input: prompt, **extra})
        self._keep(outs)
        tokens = []
        for step in range(steps):
            if step:
                outs = self.decode.run({token_input: tokens[-1], **extra, **self.state})
                self._keep(outs)
            last = np.asarray(outs[logits_output])[:, -1, :]
            tokens.append(last.argmax(-1).astype(prompt.dtype)[:, None])
        if not tokens:
            return np.empty((prompt.shape[0], 0), prompt.dtype)
        return np.concatenate(tokens, axis=1)
