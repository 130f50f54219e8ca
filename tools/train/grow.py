"""Grow a trained MAXIM checkpoint by bottleneck blocks without changing what it computes.

A trained model is worth GPU hours; a deeper one trained from scratch would start behind it.
Appended bottleneck blocks start as the identity, so training resumes (`train.py --init`) from
exactly the old model's output and can only use the new capacity to improve on it:
- each new block's residual branches already start at zero (`train.residual_zero_init`);
- the block adds its input projection to itself (`x = P(x); return body(x) + x`), so the
  projection starts as 0.5 * identity with zero bias: 0.5 x + 0.5 x = x.

Usage: python3 tools/train/grow.py OLD.npz NEW.npz --bottleneck-blocks 3 [--check]
`--check` runs both models on a random 64x64 input and fails unless their outputs agree.
"""
import argparse
import sys

import jax.numpy as jnp
import numpy as np

import maxim_jax as mj
from train import residual_zero_init


def grow(old_flat: dict, arch: dict, blocks: int, seed: int) -> tuple[dict, dict]:
    """The grown architecture and its flat parameters: the old ones, plus identity-initialised blocks."""
    new_arch = dict(arch, num_bottleneck_blocks=blocks)
    fresh = mj.flatten_params(residual_zero_init(mj.init_params(mj.model_from_config(new_arch), seed)))
    misfit = sorted(k for k in old_flat if k not in fresh or fresh[k].shape != old_flat[k].shape)
    if misfit:
        raise SystemExit(f"grow.py: {len(misfit)} old parameters do not fit the grown model, e.g. {misfit[0]}")
    out = dict(fresh)
    out.update(old_flat)
    for i in range(arch["num_bottleneck_blocks"], blocks):
        proj = f"stage_0_global_block_{i}/input_proj"
        k = out[proj + "/kernel"]
        out[proj + "/kernel"] = 0.5 * jnp.eye(k.shape[-1], dtype=jnp.float32).reshape(k.shape)
        out[proj + "/bias"] = jnp.zeros_like(out[proj + "/bias"])
    return new_arch, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--bottleneck-blocks", type=int, required=True)
    ap.add_argument("--seed", type=int, default=0, help="initialises the new blocks' other layers")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)

    old = mj.flatten_params(mj.load_npz_params(args.old))
    arch = mj.config_from_params(old)
    if args.bottleneck_blocks <= arch["num_bottleneck_blocks"]:
        raise SystemExit(f"grow.py: {args.old} already has {arch['num_bottleneck_blocks']} bottleneck blocks")
    new_arch, new = grow(old, arch, args.bottleneck_blocks, args.seed)
    mj.save_npz_params(args.new, mj.unflatten_params(new))
    n_old = sum(int(np.prod(v.shape)) for v in old.values())
    n_new = sum(int(np.prod(v.shape)) for v in new.values())
    print(f"{args.old}: {arch}\n-> {args.new}: {args.bottleneck_blocks} bottleneck blocks, "
          f"{n_old:,} -> {n_new:,} parameters")
    if args.check:
        side = 2 ** arch["depth"] * max(arch["block_size_hr"][0], arch["block_size_lr"][0])
        x = jnp.asarray(np.random.default_rng(0).random((1, side, side, 3)), jnp.float32)
        a = mj.model_from_config(arch).apply({"params": mj.unflatten_params(old)}, x)[-1][-1]
        b = mj.model_from_config(new_arch).apply({"params": mj.unflatten_params(new)}, x)[-1][-1]
        d = float(jnp.max(jnp.abs(a - b)))
        print(f"check: max |old - grown| = {d:.3g} on a {side}x{side} input")
        if not d <= 1e-5:
            sys.exit(1)


if __name__ == "__main__":
    main()
