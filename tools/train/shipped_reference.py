"""Reference outputs of the shipped models, for the engine's conformance test on them.

The golden fixtures pin the engine to google-research/maxim on one small configuration; the shipped
models use others (e.g. several bottleneck blocks, one stage). This writes, for each model, what
the training code's forward (itself golden-conformant, test_golden.py) computes on a real crop, so
`Tests/MaximModelTests/ShippedModelConformanceTests` can check the engine on exactly the weights
users run. Rerun it whenever a file in models/ changes; the test names the model's sha256.

Usage: tools/train/.venv/bin/python tools/train/shipped_reference.py
Writes Tests/Fixtures/shipped/<model>/{input.npy,outputs.npz,model.sha256}.
"""
import hashlib
import os

import jax.numpy as jnp
import numpy as np
from PIL import Image

import maxim_jax as mj

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
# (model, degraded fixture frame): a 64x128 crop of a real degraded frame of the model's own task
CASES = [("deblur-small", "Tests/Fixtures/deblur/blurry/0001.png"),
         ("denoise-small", "Tests/Fixtures/denoise/noisy/0001.png")]
CROP = (slice(40, 104), slice(64, 192))


def main():
    for name, frame in CASES:
        model_path = os.path.join(ROOT, "models", name + ".npz")
        flat = mj.flatten_params(mj.load_npz_params(model_path))
        arch = mj.config_from_params(flat)
        rgb = np.asarray(Image.open(os.path.join(ROOT, frame)).convert("RGB"), np.float32) / 255
        x = rgb[CROP][None]
        outs = mj.model_from_config(arch).apply({"params": mj.unflatten_params(flat)}, jnp.asarray(x))
        out_dir = os.path.join(ROOT, "Tests", "Fixtures", "shipped", name)
        os.makedirs(out_dir, exist_ok=True)
        np.save(os.path.join(out_dir, "input.npy"), x)
        np.savez(os.path.join(out_dir, "outputs.npz"),
                 **{f"stage_{s}/scale_{k}": np.asarray(o, np.float32)
                    for s, stage in enumerate(outs) for k, o in enumerate(stage)})
        with open(model_path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        with open(os.path.join(out_dir, "model.sha256"), "w") as f:
            f.write(f"{digest}  models/{name}.npz\n")
        print(f"{name}: {arch} -> {os.path.relpath(out_dir, ROOT)} ({len(outs)} stage(s), {len(outs[-1])} scales)")


if __name__ == "__main__":
    main()
