"""The stateful decode helper on the Jamba-style zoo model, every step against
onnxruntime on the decomposed form fed the same tokens and state."""
import numpy as np
import pytest

import hybrid
from check_zoo import assert_close, ort_run
from hybrid import zoo


@pytest.fixture(scope="module")
def jamba():
    return {phase: (hybrid.compile(zoo.build("jamba", zoo.FUSED, phase)),
                    zoo.build("jamba", zoo.DECOMPOSED, phase))
            for phase in (zoo.PREFILL, zoo.DECODE)}


def test_state_names(jamba):
    names = hybrid.state_names(jamba[zoo.DECODE][0])
    assert names["present_conv.0"] == "past_conv.0"
    assert names["present.2.key"] == "past_key_values.2.key"
    assert len(names) == 8


def test_generate_matches_onnxruntime(jamba, rng):
    prefill, prefill_twin = jamba[zoo.PREFILL]
    decode, decode_twin = jamba[zoo.DECODE]
    dec = hybrid.Decoder(decode, prefill=prefill)
    prompt = rng.integers(0, 256, (2, 5)).astype(np.int64)
    steps = 4
    tokens = dec.generate(prompt, steps)
    assert tokens.shape == (2, steps)

    # The same loop by hand on onnxruntime, checking the helper's state too.
    outs = ort_run(prefill_twin, {"input_ids": prompt})
    names = [o.name for o in prefill_twin.graph.output]
    state_map = hybrid.state_names(decode)
    want_tokens = []
    for step in range(steps):
        res = dict(zip(names, outs))
        nxt = res["logits"][:, -1, :].argmax(-1).astype(np.int64)[:, None]
        want_tokens.append(nxt)
        if step == steps - 1:
            break
        feeds = {"input_ids": nxt, **{state_map[o]: res[o] for o in state_map}}
        outs = ort_run(decode_twin, feeds)
    np.testing.assert_array_equal(tokens, np.concatenate(want_tokens, axis=1))
    res = dict(zip(names, outs))
    assert_close([dec.state[state_map[o]] for o in state_map], [res[o] for o in state_map],
                 list(state_map), " (the carried state)")


def test_step_by_step_and_zero_state(jamba, rng):
    decode, decode_twin = jamba[zoo.DECODE]
    dec = hybrid.Decoder(decode)
    with pytest.raises(ValueError, match="zero_state"):
        dec.step(input_ids=np.zeros((1, 1), np.int64))
    with pytest.raises(ValueError, match="past_seq"):
        dec.zero_state(batch=1)
    dec.zero_state(batch=1, past_seq=0)
    state_map = hybrid.state_names(decode)
    state = dict(dec.state)
    for _ in range(3):
        ids = rng.integers(0, 256, (1, 1)).astype(np.int64)
        logits = dec.step(input_ids=ids)
        outs = dict(zip([o.name for o in decode_twin.graph.output],
                        ort_run(decode_twin, {"input_ids": ids, **state})))
        assert_close([logits], [outs["logits"]], ["logits"], "")
        state = {state_map[o]: outs[o] for o in state_map}
    assert dec.state["past_key_values.2.key"].shape[2] == 3
    with pytest.raises(TypeError, match="carried"):
        dec.step(input_ids=ids, **{"past_conv.0": state["past_conv.0"]})
    dec.reset()
    assert dec.state is None
