"""Smoke test of the training recipe: a few real steps on tiny crops (< 1 min on 2 cores).

Checks that training reduces the loss (validation PSNR on fixed crops goes up and the training
loss goes down), that a run resumes from its checkpoint, and that the exported .npz has exactly
the official key set (opt/target/<flax path>) with the model's shapes, in float32.
"""
import os

import numpy as np
import jax
import jax.numpy as jnp

import degrade
import maxim_jax as mj
import train

# the resumed run re-jits the same programs: a persistent compilation cache makes that a hit
jax.config.update("jax_compilation_cache_dir", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".jax_cache"))
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)

ARGS = ["--task", "denoise", "--features", "8", "--depth", "2", "--stages", "1",
        "--crop", "64", "--batch", "4", "--lr", "3e-3", "--warmup", "2", "--val-count", "8",
        "--val-every", "0", "--log-every", "10", "--ckpt-every", "1000", "--seed", "1",
        "--data", degrade.DEFAULT_DIRS[0]]  # the 11 photos only: faster to load


def test_train_resume_export(tmp_path):
    out = str(tmp_path / "run")
    s1 = train.main(ARGS + ["--out", out, "--steps", "40", "--max-minutes", "0.0001"])
    # --max-minutes stops right after the first step with a checkpoint; resume to the end
    assert s1["end_step"] < 40 and os.path.exists(os.path.join(out, "checkpoint.msgpack"))
    s2 = train.main(ARGS + ["--out", out, "--steps", "40"])
    assert s2["start_step"] == s1["end_step"] and s2["end_step"] == 40
    losses = s1["losses"] + s2["losses"]
    assert np.mean(losses[-8:]) < np.mean(losses[:4]), losses
    # zero-initialised output convs: the untrained model is the identity (val PSNR = input PSNR)
    assert s2["val_psnr_final"] > s1["val_psnr_start"] + 0.5, (s1["val_psnr_start"], s2["val_psnr_final"])

    npz = os.path.join(out, "model.npz")
    arch = train.arch_from_args(train.parse_args(ARGS + ["--out", out]))
    model = mj.model_from_config(arch)
    shapes = jax.eval_shape(lambda: model.init(jax.random.PRNGKey(0), jnp.zeros((1, 64, 64, 3))))["params"]
    # the fast initialiser produces exactly the tree flax's init would
    fast = mj.flatten_params(mj.init_params(model, 0))
    assert {k: v.shape for k, v in fast.items()} == {k: v.shape for k, v in mj.flatten_params(shapes).items()}
    want = {mj.PREFIX + k: tuple(v.shape) for k, v in mj.flatten_params(shapes).items()}
    with np.load(npz) as z:
        got = {k: (tuple(z[k].shape), z[k].dtype) for k in z.files}
    assert set(got) == set(want)
    assert all(got[k][0] == want[k] and got[k][1] == np.float32 for k in want)
    assert any(k.endswith("stage_0_output_conv_0/kernel") for k in got)
    # the exported file loads back into the same forward
    p = mj.load_npz_params(npz)
    y = model.apply({"params": p}, jnp.zeros((1, 64, 64, 3)))[-1][-1]
    assert y.shape == (1, 64, 64, 3) and bool(jnp.all(jnp.isfinite(y)))


def test_time_schedule_with_data_processes_runs_to_its_end_and_exports(tmp_path):
    # --minutes: the cosine runs over wall time and the run ends (and exports) when it is spent;
    # --workers 2: batches come from two spawned synthesis processes.
    out = str(tmp_path / "timed")
    s = train.main(ARGS + ["--out", out, "--minutes", "0.1", "--workers", "2"])
    assert s["end_step"] > 1 and s["train_s"] >= 6.0
    assert os.path.exists(os.path.join(out, "model.npz"))


def test_process_prefetcher_streams_differ_and_have_the_right_shape():
    files = degrade.list_photos([degrade.DEFAULT_DIRS[0]])
    feeder = degrade.ProcessPrefetcher(files, None, "denoise", 2, 32, seed=[1, 0], workers=2)
    try:
        batches = [feeder.next() for _ in range(4)]
    finally:
        feeder.close()
    for x, y in batches:
        assert x.shape == y.shape == (2, 32, 32, 3) and x.dtype == np.float32
        assert 0.0 <= x.min() and x.max() <= 1.0
    assert len({b[1].tobytes() for b in batches}) == 4  # no two workers replay one stream


def test_reused_batches_are_distinct_turns_of_one_pair():
    rng = np.random.default_rng(3)
    x = rng.random((2, 8, 8, 3), dtype=np.float32)
    y = x * 0.5 + 0.25  # a pixelwise function of x: any turn applied to both keeps it
    views = degrade.dihedral_views(x, y, 8)
    assert np.array_equal(views[0][0], x) and np.array_equal(views[0][1], y)
    assert len({v[0].tobytes() for v in views}) == 8  # the eight symmetries of a square
    for vx, vy in views:
        assert vx.shape == x.shape and np.array_equal(vy, vx * 0.5 + 0.25)
