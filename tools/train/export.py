"""Export a training run to an official-format MAXIM checkpoint.

  python export.py RUN_DIR [OUT.npz]      (default OUT = RUN_DIR/model.npz)

Reads RUN_DIR/config.json and RUN_DIR/checkpoint.msgpack (written by train.py), writes a
stored (uncompressed) .npz whose keys are opt/target/<flax path> in float32, then re-loads it
and checks: exactly the model's key set and shapes, and the same forward output on a test tile.
Prints the architecture, parameter count and file size (for models/MODEL_CARD.md).
"""
import json
import os
import sys

import numpy as np
import jax
import jax.numpy as jnp
from flax import serialization

import maxim_jax as mj
import train


def export(run_dir, out=None):
    cfg = json.load(open(os.path.join(run_dir, "config.json")))
    arch = cfg["arch"]
    model = mj.model_from_config(arch)
    params = mj.init_params(model)  # template only
    a = cfg["args"]
    with open(os.path.join(run_dir, "checkpoint.msgpack"), "rb") as f:
        state = serialization.msgpack_restore(f.read())  # raw dicts; only params are needed
    params = serialization.from_state_dict(params, state["params"])
    params = jax.tree_util.tree_map(jnp.asarray, params)
    out = out or os.path.join(run_dir, "model.npz")
    train.export_npz(params, out)

    with np.load(out) as z:
        got = {k: z[k] for k in z.files}
    want = {mj.PREFIX + k: v for k, v in mj.flatten_params(params).items()}
    assert set(got) == set(want), "key mismatch"
    assert all(got[k].shape == want[k].shape and got[k].dtype == np.float32 for k in want)
    tile = int(a.get("crop", 256))
    xt = jax.random.uniform(jax.random.PRNGKey(1), (1, tile, tile, 3))
    y0 = model.apply({"params": params}, xt)[-1][-1]
    y1 = model.apply({"params": mj.load_npz_params(out)}, xt)[-1][-1]
    assert float(jnp.max(jnp.abs(y0 - y1))) == 0.0
    n = sum(int(np.prod(v.shape)) for v in got.values())
    print(json.dumps({"task": cfg["task"], "arch": arch, "trained_tile": tile,
                      "step": int(state["step"]), "train_wall_s": round(float(state["wall_s"])),
                      "params": n, "bytes": os.path.getsize(out), "npz": out}, indent=1))
    return out


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    export(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
