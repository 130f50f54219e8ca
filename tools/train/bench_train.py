"""Training-throughput benchmark of candidate configurations (CPU, XLA).

  python bench_train.py --crop 256 --batch 4 --steps 6 F12d3s1 F16d2s1 F8d3s2

Each name is F<features>d<depth>s<stages>[b<block>] (groups 1, 1 bottleneck block, block =
grid = b (default 8) at every level).  Prints compile time, steady-state steps/s (after one
warm-up step) and the XLA forward time of one crop x crop tile (batch 1; a rough proxy only).
Data synthesis runs in the background thread as in train.py.
"""
import argparse
import re
import time

import numpy as np
import jax
import jax.numpy as jnp
import optax

import degrade
import maxim_jax as mj
import train


def parse(name):
    m = re.fullmatch(r"F(\d+)d(\d+)s(\d+)(?:b(\d+))?", name)
    if not m:
        raise SystemExit(f"bad config name {name}")
    F, d, s, b = int(m[1]), int(m[2]), int(m[3]), int(m[4] or 8)
    return dict(features=F, depth=d, num_stages=s, num_groups=1, num_bottleneck_blocks=1,
                num_supervision_scales=min(3, d), block_size_hr=(b, b), grid_size_hr=(b, b),
                block_size_lr=(b, b), grid_size_lr=(b, b))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="+")
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--task", default="deblur")
    a = ap.parse_args()
    bank = degrade.PhotoBank(degrade.list_photos())
    for name in a.names:
        cfg = parse(name)
        model = mj.model_from_config(cfg)
        params = train.residual_zero_init(mj.init_params(model, 0))
        tx = optax.adam(1e-4)
        opt = tx.init(params)
        loss_fn = train.make_loss(model, 0.1)

        @jax.jit
        def step(p, o, x, y):
            (l, _), g = jax.value_and_grad(loss_fn, has_aux=True)(p, x, y)
            u, o = tx.update(g, o, p)
            return optax.apply_updates(p, u), o, l

        feeder = degrade.Prefetcher(bank, a.task, a.batch, a.crop, seed=0)
        x, y = feeder.next()
        t0 = time.time()
        params, opt, l = step(params, opt, jnp.asarray(x), jnp.asarray(y))
        l.block_until_ready()
        tc = time.time() - t0
        t0 = time.time()
        for _ in range(a.steps):
            x, y = feeder.next()
            params, opt, l = step(params, opt, jnp.asarray(x), jnp.asarray(y))
        l.block_until_ready()
        sps = a.steps / (time.time() - t0)
        feeder.close()
        fwd = jax.jit(lambda p, x: model.apply({"params": p}, x)[-1][-1])
        xt = jnp.asarray(x[:1])
        fwd(params, xt).block_until_ready()
        ts = []
        for _ in range(3):
            t0 = time.time()
            fwd(params, xt).block_until_ready()
            ts.append(time.time() - t0)
        print(f"| {name} | {a.crop} | {a.batch} | {tc:.0f} | {sps:.3f} | {sps * a.batch * 3600:.0f} | {min(ts):.3f} |", flush=True)


if __name__ == "__main__":
    main()
