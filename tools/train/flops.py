"""FLOP / parameter count of MAXIM configurations (forward pass, one tile).

Usage:
  python flops.py                      # the candidate table at 256x256
  python flops.py --tile 256 --config '{"features":16,"depth":3,...}' [--time]

FLOPs come from XLA's cost analysis of the lowered (unoptimised) forward (a multiply-add counts
2), so they include convolutions, dense layers and the elementwise work.  --time also measures the JAX/XLA
CPU forward time of one tile (a rough proxy only; the Swift engine has its own kernels).
"""
import argparse
import json
import time

import jax
import jax.numpy as jnp
import numpy as np

import maxim_jax as mj

# name -> constructor kwargs
CANDIDATES = {
    "S-3 (official, reference)": dict(features=32, depth=3, num_stages=3, num_groups=2,
                                      num_bottleneck_blocks=2, num_supervision_scales=3),
    "S-1 (official)": dict(features=32, depth=3, num_stages=1, num_groups=2,
                           num_bottleneck_blocks=2, num_supervision_scales=3),
    "golden tiny (F8 d3 st2, 16/16 hr)": dict(features=8, depth=3, num_stages=2, num_groups=1,
                                              num_bottleneck_blocks=1, num_supervision_scales=3),
}
SMALL4 = dict(block_size_hr=(4, 4), grid_size_hr=(4, 4), block_size_lr=(4, 4), grid_size_lr=(4, 4),
              num_groups=1, num_bottleneck_blocks=1)
SMALL = dict(block_size_hr=(8, 8), grid_size_hr=(8, 8), block_size_lr=(8, 8), grid_size_lr=(8, 8),
             num_groups=1, num_bottleneck_blocks=1, num_supervision_scales=3)
for F in (8, 12, 16, 24):
    for stages in (1, 2):
        for depth in (2, 3):
            CANDIDATES[f"F{F} d{depth} st{stages} g1 b1 8x8"] = dict(
                SMALL, features=F, depth=depth, num_stages=stages,
                num_supervision_scales=min(3, depth))
for F in (12, 16, 24):
    for stages in (1, 2):
        CANDIDATES[f"F{F} d3 st{stages} g1 b1 4x4"] = dict(
            SMALL4, features=F, depth=3, num_stages=stages, num_supervision_scales=3)


def layer_flops(model, pshape, xs):
    """2 x multiply-adds of every Conv / ConvTranspose / Dense (incl. the spatial gMLP Dense),
    counted from the shapes each layer sees (flax method interception under eval_shape).
    Resizes are NOT included here (XLA counts them as dense matmuls; the engine uses 2-8 tap
    stencils), nor elementwise work."""
    import flax.linen as nn
    tot = {"conv": 0.0, "dense_channel": 0.0, "dense_spatial": 0.0}

    def icpt(next_fun, args, kwargs, ctx):
        m = ctx.module
        if ctx.method_name == "__call__" and isinstance(m, (nn.Conv, nn.ConvTranspose, nn.Dense)):
            x = args[0]
            if isinstance(m, nn.Dense):
                k = "dense_spatial" if m.name.startswith("Dense") and isinstance(
                    m.parent, (mj.GridGatingUnit, mj.BlockGatingUnit, mj.GetSpatialGatingWeights)) else "dense_channel"
                tot[k] += 2.0 * np.prod(x.shape[:-1]) * x.shape[-1] * m.features
            elif isinstance(m, nn.ConvTranspose):
                tot["conv"] += 2.0 * np.prod(x.shape[:-1]) * 4 * x.shape[-1] * m.features
            else:
                kh, kw = m.kernel_size
                sh, sw = m.strides or (1, 1)
                out_px = x.shape[0] * (x.shape[1] // sh) * (x.shape[2] // sw)
                tot["conv"] += 2.0 * out_px * kh * kw * x.shape[-1] * m.features
        return next_fun(*args, **kwargs)

    with nn.intercept_methods(icpt):
        jax.eval_shape(lambda p, x: model.apply({"params": p}, x), pshape, xs)
    return tot


def count(cfg: dict, tile: int = 256, do_time: bool = False):
    model = mj.model_from_config(cfg)
    xs = jax.ShapeDtypeStruct((1, tile, tile, 3), jnp.float32)
    pshape = jax.eval_shape(lambda x: model.init(jax.random.PRNGKey(0), x), xs)["params"]
    lf = layer_flops(model, pshape, xs)
    nparam = int(sum(np.prod(v.shape) for v in jax.tree_util.tree_leaves(pshape)))
    fwd = jax.jit(lambda p, x: model.apply({"params": p}, x)[-1][-1])
    ca = fwd.lower(pshape, xs).cost_analysis()  # unoptimised HLO: no compile needed
    if isinstance(ca, (list, tuple)):
        ca = ca[0]
    flops = float(ca.get("flops", 0.0))
    t = None
    if do_time:
        x = jnp.zeros((1, tile, tile, 3), jnp.float32)
        params = jax.jit(lambda: model.init(jax.random.PRNGKey(0), x))()["params"]
        compiled = fwd.lower(params, x).compile()
        compiled(params, x).block_until_ready()
        ts = []
        for _ in range(3):
            t0 = time.perf_counter()
            compiled(params, x).block_until_ready()
            ts.append(time.perf_counter() - t0)
        t = min(ts)
    return flops, nparam, t, lf


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tile", type=int, default=256)
    ap.add_argument("--config", type=str, default=None, help="JSON kwargs for MAXIM")
    ap.add_argument("--only", type=str, default=None, help="substring filter on candidate names")
    ap.add_argument("--time", action="store_true")
    a = ap.parse_args()
    items = {"custom": json.loads(a.config)} if a.config else CANDIDATES
    print(f"| config | params | layer GFLOP / {a.tile}^2 (conv + channel dense + spatial dense) "
          f"| XLA total GFLOP | MB fp32 |" + (" XLA fwd s |" if a.time else ""))
    print("|---|---|---|---|---|" + ("---|" if a.time else ""))
    for name, cfg in items.items():
        if a.only and a.only not in name:
            continue
        f, n, t, lf = count(cfg, a.tile, a.time)
        L = sum(lf.values())
        row = (f"| {name} | {n:,} | **{L / 1e9:.2f}** ({lf['conv'] / 1e9:.2f} + "
               f"{lf['dense_channel'] / 1e9:.2f} + {lf['dense_spatial'] / 1e9:.2f}) "
               f"| {f / 1e9:.2f} | {n * 4 / 1e6:.2f} |")
        if a.time:
            row += f" {t:.3f} |"
        print(row, flush=True)


if __name__ == "__main__":
    main()
