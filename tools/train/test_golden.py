"""Golden conformance: our Flax MAXIM forward vs the reference outputs (tiny, tiny-rect).

Fixtures (byte-identical copies of ../shared/golden) live in Tests/Fixtures/golden/.
Acceptance per output array: max|ours - ref| <= 1e-5 * max|ref|, same key set and shapes.
Also checks that our parameter tree has exactly the checkpoint's keys and shapes.
"""
import os

import numpy as np
import pytest

import jax
import jax.numpy as jnp

import maxim_jax as mj

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "..", "Tests", "Fixtures", "golden")
TINY_CFG = dict(features=8, depth=3, num_stages=2, num_groups=1, num_bottleneck_blocks=1,
                num_supervision_scales=3, use_bias=True)
REL_TOL = 1e-5


def _params():
    return mj.load_npz_params(os.path.join(GOLDEN, "tiny", "params.npz"))


def test_param_tree_matches_checkpoint():
    model = mj.MAXIM(**TINY_CFG)
    x = jnp.zeros((1, 64, 64, 3), jnp.float32)
    shapes = jax.eval_shape(lambda: model.init(jax.random.PRNGKey(0), x))["params"]
    ours = {k: tuple(v.shape) for k, v in mj.flatten_params(shapes).items()}
    with np.load(os.path.join(GOLDEN, "tiny", "params.npz")) as z:
        ref = {k[len(mj.PREFIX):]: tuple(z[k].shape) for k in z.files}
    assert set(ours) == set(ref), (sorted(set(ours) - set(ref))[:5], sorted(set(ref) - set(ours))[:5])
    bad = [(k, ours[k], ref[k]) for k in ref if ours[k] != ref[k]]
    assert not bad, bad[:5]
    assert len(ref) == 1108


@pytest.mark.parametrize("case", ["tiny", "tiny-rect"])
def test_outputs_match_golden(case):
    params = _params()
    x = np.load(os.path.join(GOLDEN, case, "input.npy"))
    model = mj.MAXIM(**TINY_CFG)
    outs = jax.jit(lambda p, x: model.apply({"params": p}, x))(params, jnp.asarray(x))
    ours = {f"stage_{s}/scale_{k}": np.asarray(o) for s, st in enumerate(outs) for k, o in enumerate(st)}
    with np.load(os.path.join(GOLDEN, case, "outputs.npz")) as z:
        ref = {k: z[k] for k in z.files}
    assert set(ours) == set(ref)
    worst = 0.0
    for k in sorted(ref):
        assert ours[k].shape == ref[k].shape, (k, ours[k].shape, ref[k].shape)
        rel = float(np.max(np.abs(ours[k] - ref[k])) / np.max(np.abs(ref[k])))
        worst = max(worst, rel)
        print(f"{case} {k}: max|diff|/max|ref| = {rel:.3e}")
        assert rel <= REL_TOL, (k, rel)
    print(f"{case}: worst relative error {worst:.3e}")
