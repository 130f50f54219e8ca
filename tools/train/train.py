"""Train a small MAXIM-family model for maxim-video (CPU, JAX), resumable, official .npz export.

Example (the recommended deblur model, see README.md):
  tools/train/.venv/bin/python tools/train/train.py --task deblur --out runs/deblur-small \
      --features 12 --depth 3 --stages 1 --crop 256 --batch 4 --steps 6000 --lr 1e-3

Loss (MAXIM paper, Tu et al. 2022): sum over stages s and supervision scales n of
  Charbonnier(R_sn, T_n) + lambda * L1(FFT(R_sn) - FFT(T_n)),  eps = 1e-3, lambda = --freq-weight
where T_n is the target resized like the model's own multi-scale inputs (nearest, offset f/2).
Optimiser: Adam (b1 0.9, b2 0.999) + global-norm clipping, warmup + cosine decay to --lr-min.

Every --ckpt-every steps (and on SIGINT/SIGTERM, and at --max-minutes) the full training state
(params, optimiser state, step) is written atomically to OUT/checkpoint.msgpack together with
OUT/config.json; re-running the same command resumes from it.  At the end (or with --export-only)
the params are exported to OUT/model.npz with keys opt/target/<flax path>, float32.
A validation PSNR on a fixed set of crops synthesised from the same photos (NOT a true held-out
set: the evaluation clips are rendered from photos in ../shared/data/photos) is printed every
--val-every steps.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time

import numpy as np

import jax
import jax.numpy as jnp
import optax
from flax import serialization

import degrade
import maxim_jax as mj

ARCH_KEYS = ("features", "depth", "num_stages", "num_groups", "num_bottleneck_blocks",
             "num_supervision_scales", "high_res_stages", "block_size_hr", "grid_size_hr",
             "block_size_lr", "grid_size_lr")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", choices=("deblur", "denoise"), required=True)
    ap.add_argument("--out", required=True, help="run directory (checkpoint, config, model.npz)")
    a = ap.add_argument_group("architecture (official MAXIM constructor arguments)")
    a.add_argument("--features", type=int, default=12)
    a.add_argument("--depth", type=int, default=3)
    a.add_argument("--stages", type=int, default=1, help="num_stages")
    a.add_argument("--groups", type=int, default=1, help="num_groups")
    a.add_argument("--bottleneck-blocks", type=int, default=1)
    a.add_argument("--scales", type=int, default=None, help="num_supervision_scales (default min(3, depth))")
    a.add_argument("--high-res-stages", type=int, default=2, help="levels using the *_hr sizes")
    a.add_argument("--block-hr", type=int, default=8, help="square block size at high-res levels")
    a.add_argument("--grid-hr", type=int, default=8, help="square grid size at high-res levels")
    a.add_argument("--block-lr", type=int, default=8,
                   help="square block AND grid size at low-res levels + bottleneck (reference quirk)")
    t = ap.add_argument_group("training")
    t.add_argument("--crop", type=int, default=256, help="training crop = the tile size used at inference")
    t.add_argument("--batch", type=int, default=4)
    t.add_argument("--steps", type=int, default=6000)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--lr-min", type=float, default=1e-6)
    t.add_argument("--warmup", type=int, default=200)
    t.add_argument("--clip", type=float, default=1.0, help="global gradient-norm clip (0 = off)")
    t.add_argument("--freq-weight", type=float, default=0.1, help="lambda of the FFT L1 loss (0 = off)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--data", nargs="*", default=None,
                   help="photo folders (default: ../shared/data/photos and ../shared/data/train)")
    t.add_argument("--max-side", type=int, default=None, help="downscale photos to this long side on load")
    t.add_argument("--ckpt-every", type=int, default=200)
    t.add_argument("--val-every", type=int, default=500)
    t.add_argument("--val-count", type=int, default=16)
    t.add_argument("--log-every", type=int, default=20)
    t.add_argument("--max-minutes", type=float, default=0, help="checkpoint and stop after this long (0 = no limit)")
    t.add_argument("--minutes", type=float, default=0,
                   help="time-based schedule: the cosine decay runs over this many minutes of training "
                        "(compilation excluded) instead of --steps, then the run ends and exports; "
                        "for a lent accelerator with a fixed time budget")
    t.add_argument("--workers", type=int, default=1,
                   help="data-synthesis processes (1 = one background thread)")
    t.add_argument("--linear-blend-share", type=float, default=degrade.LINEAR_BLEND_SHARE,
                   help="deblur: share of blurs averaged in linear light (GoPro 'blur_gamma'); the rest "
                        "average sRGB values. A blind model learns to darken by ~2.2 codes times this")
    t.add_argument("--reuse", type=int, default=1,
                   help="with --workers > 1: serve each synthesized batch this many times, each view "
                        "differently flipped/turned (1-8; for accelerators that outrun the synthesis)")
    t.add_argument("--init", default=None,
                   help="start from these weights (official-format .npz, e.g. a phase-1 model.npz) "
                        "with a fresh optimiser; ignored when OUT already has a checkpoint")
    t.add_argument("--export-only", action="store_true", help="export OUT/checkpoint.msgpack to OUT/model.npz and exit")
    t.add_argument("--export", default=None, help="also copy the exported npz here")
    args = ap.parse_args(argv)
    if not 1 <= args.reuse <= 8:
        ap.error(f"--reuse {args.reuse}: a square has 8 flips/turns; use 1 to 8")
    return args


def arch_from_args(args) -> dict:
    return dict(features=args.features, depth=args.depth, num_stages=args.stages,
                num_groups=args.groups, num_bottleneck_blocks=args.bottleneck_blocks,
                num_supervision_scales=args.scales if args.scales else min(3, args.depth),
                high_res_stages=args.high_res_stages,
                block_size_hr=[args.block_hr] * 2, grid_size_hr=[args.grid_hr] * 2,
                block_size_lr=[args.block_lr] * 2, grid_size_lr=[args.block_lr] * 2)


def check_crop(arch, crop):
    d = arch["depth"]
    for lvl in range(d + 1):
        n = crop // 2 ** lvl
        hr = lvl < arch["high_res_stages"] and lvl < d
        b = arch["block_size_hr"][0] if hr else arch["block_size_lr"][0]
        g = arch["grid_size_hr"][0] if hr else arch["block_size_lr"][0]
        if crop % 2 ** lvl or n % b or n % g:
            raise SystemExit(f"crop {crop} not divisible at level {lvl} (size {n}, block {b}, grid {g})")


# ------------------------------------------------------------------------------------------
# loss
# ------------------------------------------------------------------------------------------
def nearest_down(x, f):
    n, h, w, c = x.shape
    return jax.image.resize(x, (n, h // f, w // f, c), "nearest")


def charbonnier(a, b, eps=1e-3):
    return jnp.mean(jnp.sqrt((a - b) ** 2 + eps * eps))


def freq_l1(a, b):
    # orthonormal FFT (Parseval): the term has the scale of a pixel-domain L1, so lambda = 0.1
    # is a modest frequency term, not one that outweighs the Charbonnier term by ~sqrt(H*W)
    fa = jnp.fft.fft2(a, axes=(1, 2), norm="ortho")
    fb = jnp.fft.fft2(b, axes=(1, 2), norm="ortho")
    d = fa - fb
    return jnp.mean(jnp.abs(d.real) + jnp.abs(d.imag))


def make_loss(model, freq_weight):
    def loss_fn(params, x, y):
        outs = model.apply({"params": params}, x)
        total = 0.0
        for stage in outs:
            ns = len(stage)
            for k, o in enumerate(stage):  # k = 0 coarsest .. ns-1 full resolution
                f = 2 ** (ns - 1 - k)
                t = y if f == 1 else nearest_down(y, f)
                total = total + charbonnier(o, t)
                if freq_weight:
                    total = total + freq_weight * freq_l1(o, t)
        return total, outs[-1][-1]
    return loss_fn


# ------------------------------------------------------------------------------------------
# initialisation
# ------------------------------------------------------------------------------------------
ZERO_INIT_SUFFIXES = ("out_project/kernel", "out_project_x/kernel", "out_project_y/kernel",
                      "conv2/kernel", "channel_mixing/Dense_1/kernel")


def residual_zero_init(params):
    """Zero the last layer of every residual branch and the image-output convolutions, so an
    untrained model is the identity (output = input) and activations do not blow up through the
    residual stacks (flax default init gives outputs of +-100 for a 2-stage model).  Gradients
    still reach every layer.  Training-only choice: the checkpoint format is unaffected."""
    flat = mj.flatten_params(params)
    for k in list(flat):
        top = k.split("/")[0]
        if (k.endswith(ZERO_INIT_SUFFIXES)
                or ("_output_conv_" in top and k.endswith("kernel"))
                or ("_supervised_attention_module_" in top and k.endswith("Conv_1/kernel"))):
            flat[k] = jnp.zeros_like(flat[k])
        if ("_output_conv_" in top or "_supervised_attention_module_" in top and "Conv_1" in k) and k.endswith("bias"):
            flat[k] = jnp.zeros_like(flat[k])
    return mj.unflatten_params(flat)


# ------------------------------------------------------------------------------------------
# state io
# ------------------------------------------------------------------------------------------
def save_state(path, state):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(serialization.to_bytes(state))
    os.replace(tmp, path)


def load_state(path, template):
    with open(path, "rb") as f:
        return serialization.from_bytes(template, f.read())


def export_npz(params, path):
    tmp = path + ".tmp.npz"
    mj.save_npz_params(tmp, params)
    os.replace(tmp, path)
    with np.load(path) as z:
        n = sum(int(np.prod(z[k].shape)) for k in z.files)
        nk = len(z.files)
    print(f"exported {path}: {nk} arrays, {n:,} float32 values, {os.path.getsize(path) / 1e6:.2f} MB", flush=True)


def psnr_batch(pred, y):
    mse = np.mean((np.clip(pred, 0, 1) - y) ** 2, axis=(1, 2, 3))
    return 10 * np.log10(1.0 / np.maximum(mse, 1e-12))


# ------------------------------------------------------------------------------------------
def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    cfg_path = os.path.join(args.out, "config.json")
    ckpt_path = os.path.join(args.out, "checkpoint.msgpack")
    npz_path = os.path.join(args.out, "model.npz")

    arch = arch_from_args(args)
    if os.path.exists(cfg_path):  # resuming: architecture and task come from the run directory
        saved = json.load(open(cfg_path))
        if saved["arch"] != arch or saved["task"] != args.task:
            print(f"note: {cfg_path} has task={saved['task']} arch={saved['arch']}; using it", flush=True)
        arch, args.task = saved["arch"], saved["task"]
    else:
        json.dump({"task": args.task, "arch": arch, "args": vars(args),
                   "versions": {"jax": jax.__version__, "numpy": np.__version__}},
                  open(cfg_path, "w"), indent=1)
    check_crop(arch, args.crop)
    model = mj.model_from_config(arch)

    sched = optax.warmup_cosine_decay_schedule(0.0, args.lr, max(1, args.warmup), max(args.steps, args.warmup + 1),
                                               end_value=args.lr_min)

    def learning_rate(step, trained_s):
        """Step-based warmup + cosine (--steps), or the same cosine over wall time (--minutes)."""
        if not args.minutes:
            return float(sched(step))
        f = min(1.0, trained_s / (60 * args.minutes))
        warm = min(1.0, step / max(1, args.warmup))
        return warm * (args.lr_min + (args.lr - args.lr_min) * 0.5 * (1 + np.cos(np.pi * f)))

    # Adam without a baked-in schedule: the learning rate is an argument of the step, so the
    # same optimiser state serves step- and time-based schedules.
    tx = optax.chain(optax.clip_by_global_norm(args.clip) if args.clip > 0 else optax.identity(),
                     optax.scale_by_adam(b1=0.9, b2=0.999))
    params = residual_zero_init(mj.init_params(model, args.seed))
    if args.init and not os.path.exists(ckpt_path):
        loaded = mj.load_npz_params(args.init)
        want = {k: v.shape for k, v in mj.flatten_params(params).items()}
        got = {k: v.shape for k, v in mj.flatten_params(loaded).items()}
        if want != got:
            raise SystemExit(f"--init {args.init}: keys/shapes differ from the architecture")
        params = loaded
        print(f"initialised from {args.init}", flush=True)
    state = {"step": 0, "params": params, "opt": tx.init(params), "wall_s": 0.0}
    if os.path.exists(ckpt_path):
        state = load_state(ckpt_path, state)
        print(f"resumed {ckpt_path} at step {int(state['step'])}", flush=True)
    state["params"] = jax.tree_util.tree_map(jnp.asarray, state["params"])
    nparam = sum(int(np.prod(v.shape)) for v in jax.tree_util.tree_leaves(state["params"]))
    print(f"task {args.task}  arch {json.dumps(arch)}  params {nparam:,}", flush=True)

    if args.export_only:
        export_npz(state["params"], npz_path)
        return {}

    files = degrade.list_photos(args.data)
    t0 = time.time()
    bank = degrade.PhotoBank(files, max_side=args.max_side)
    print(f"{len(files)} photos loaded ({len(bank.levels)} pyramid levels) in {time.time() - t0:.1f}s", flush=True)

    # fixed validation crops (own seed; independent of the training stream)
    vrng = np.random.default_rng(10_000 + args.seed)
    vx, vy = degrade.make_batch(vrng, bank, args.task, args.val_count, args.crop, args.linear_blend_share)
    print(f"validation: {args.val_count} crops, input PSNR {psnr_batch(vx, vy).mean():.2f} dB "
          f"(same photos as training: not a true held-out set)", flush=True)

    loss_fn = make_loss(model, args.freq_weight)

    @jax.jit
    def train_step(params, opt, x, y, lr):
        (loss, _), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, x, y)
        upd, opt = tx.update(grads, opt, params)
        upd = jax.tree_util.tree_map(lambda u: -lr * u, upd)
        return optax.apply_updates(params, upd), opt, loss

    @jax.jit
    def predict(params, x):
        return model.apply({"params": params}, x)[-1][-1]

    def validate(params):
        preds = []
        for i in range(0, len(vx), args.batch):
            preds.append(np.asarray(predict(params, jnp.asarray(vx[i:i + args.batch]))))
        return float(psnr_batch(np.concatenate(preds), vy).mean())

    stop = {"flag": False}

    def on_signal(sig, frm):
        print(f"signal {sig}: checkpointing and stopping", flush=True)
        stop["flag"] = True
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    step = int(state["step"])
    params, opt = state["params"], state["opt"]
    stats = {"start_step": step, "losses": [], "val_psnr_start": validate(params)}
    print(f"step {step:6d}  val PSNR {stats['val_psnr_start']:.2f} dB (start)", flush=True)
    wall0 = float(state["wall_s"])
    # data stream seeded by (seed, step) so a resumed run does not replay the same batches
    if args.workers > 1:
        feeder = degrade.ProcessPrefetcher(files, args.max_side, args.task, args.batch, args.crop,
                                           seed=[args.seed, step], workers=args.workers,
                                           reuse=args.reuse, linear_share=args.linear_blend_share)
    else:
        feeder = degrade.Prefetcher(bank, args.task, args.batch, args.crop, seed=[args.seed, step],
                                    linear_share=args.linear_blend_share)
    t_start = None  # set after the first step: compilation is not training time
    t_log, losses, wait = time.time(), [], 0.0

    def trained_s():
        return wall0 + (time.time() - t_start if t_start else 0.0)

    def finished():
        return trained_s() >= 60 * args.minutes if args.minutes else step >= args.steps

    def checkpoint():
        save_state(ckpt_path, {"step": step, "params": params, "opt": opt, "wall_s": trained_s()})

    while not finished() and not stop["flag"]:
        t_wait = time.time()
        x, y = feeder.next()
        wait += time.time() - t_wait
        lr = learning_rate(step, trained_s())
        params, opt, loss = train_step(params, opt, jnp.asarray(x), jnp.asarray(y), jnp.float32(lr))
        step += 1
        losses.append(loss)  # device scalars: converting each one would stall the pipeline
        if t_start is None:
            loss.block_until_ready()
            t_start = time.time()
        if step % args.log_every == 0 or step == 1:
            dt = time.time() - t_log
            n = 1 if step == 1 else args.log_every
            values = [float(v) for v in losses]
            stats["losses"] += values
            print(f"step {step:6d}  loss {np.mean(values):.5f}  lr {lr:.2e}  "
                  f"{n / max(dt, 1e-9):.3f} steps/s  data wait {100 * wait / max(dt, 1e-9):.0f} %", flush=True)
            t_log, losses, wait = time.time(), [], 0.0
        if step % args.ckpt_every == 0:
            checkpoint()
        if args.val_every and step % args.val_every == 0:
            print(f"step {step:6d}  val PSNR {validate(params):.2f} dB", flush=True)
        if args.max_minutes and t_start and time.time() - t_start > 60 * args.max_minutes:
            print("time budget reached", flush=True)
            break
    stats["losses"] += [float(v) for v in losses]
    feeder.close()
    checkpoint()
    print(f"checkpoint at step {step} ({trained_s():.0f} s of training in total)", flush=True)
    stats["end_step"] = step
    stats["train_s"] = trained_s() - wall0
    if finished():
        stats["val_psnr_final"] = validate(params)
        print(f"final val PSNR {stats['val_psnr_final']:.2f} dB", flush=True)
        export_npz(params, npz_path)
        if args.export:
            export_npz(params, args.export)
    return stats


if __name__ == "__main__":
    main()
    sys.exit(0)
