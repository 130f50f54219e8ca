"""grow.py: appended bottleneck blocks leave a trained model's output unchanged, and train.py can
start from the grown file (same keys and shapes as a fresh model of the grown architecture)."""
import jax.numpy as jnp
import numpy as np

import grow
import maxim_jax as mj
import train

ARCH = dict(features=4, depth=2, num_stages=1, num_groups=1, num_bottleneck_blocks=1,
            num_supervision_scales=2, high_res_stages=2, block_size_hr=[4, 4], grid_size_hr=[4, 4],
            block_size_lr=[2, 2], grid_size_lr=[2, 2])


def trained_like(arch, seed=3):
    """Random parameters with every residual branch active, as after training (a fresh model's
    zeroed branches would make any appended block look harmless)."""
    flat = mj.flatten_params(mj.init_params(mj.model_from_config(arch), seed))
    rng = np.random.default_rng(seed)
    return {k: v + jnp.asarray(rng.normal(0, 0.05, v.shape), jnp.float32) for k, v in flat.items()}


def forward(arch, flat, x):
    return mj.model_from_config(arch).apply({"params": mj.unflatten_params(flat)}, x)[-1][-1]


def test_grown_model_computes_what_the_trained_one_did(tmp_path):
    old = trained_like(ARCH)
    assert mj.config_from_params(old) == ARCH
    new_arch, new = grow.grow(old, ARCH, 3, seed=0)
    assert new_arch["num_bottleneck_blocks"] == 3
    assert set(new) - set(old) and all(k.startswith(("stage_0_global_block_1/", "stage_0_global_block_2/"))
                                       for k in set(new) - set(old))
    x = jnp.asarray(np.random.default_rng(0).random((1, 16, 24, 3)), jnp.float32)
    a, b = forward(ARCH, old, x), forward(new_arch, new, x)
    assert float(jnp.max(jnp.abs(a))) > 0.1
    assert float(jnp.max(jnp.abs(a - b))) <= 1e-6

    # the grown file is a valid --init for the grown architecture: same keys and shapes
    path = tmp_path / "grown.npz"
    mj.save_npz_params(str(path), mj.unflatten_params(new))
    fresh = mj.flatten_params(train.residual_zero_init(mj.init_params(mj.model_from_config(new_arch), 1)))
    loaded = mj.flatten_params(mj.load_npz_params(str(path)))
    assert {k: v.shape for k, v in loaded.items()} == {k: v.shape for k, v in fresh.items()}


def test_new_blocks_are_not_identity_without_the_halved_projection():
    """The 0.5 * identity input projection is what makes a new block the identity (the block adds
    its projection to itself); with the fresh random projection the output changes."""
    old = trained_like(ARCH)
    new_arch, new = grow.grow(old, ARCH, 2, seed=0)
    k = "stage_0_global_block_1/input_proj/kernel"
    new[k] = new[k] * 2 + 0.01
    x = jnp.asarray(np.random.default_rng(1).random((1, 16, 16, 3)), jnp.float32)
    assert float(jnp.max(jnp.abs(forward(ARCH, old, x) - forward(new_arch, new, x)))) > 1e-3
