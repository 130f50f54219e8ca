"""MAXIM forward pass in Flax (linen), written for maxim-video's training recipe.

Written from ../shared/MAXIM-SEMANTICS.md. Module names, auto-numbering and parameter layouts
are those of the official MAXIM checkpoints, so that

    flatten(params, sep="/")  ==  keys of an official .npz without the "opt/target/" prefix

and a checkpoint trained here runs unchanged in the Swift engine (which infers the configuration
from keys and shapes). Conformance with the reference is checked by test_golden.py.

Configuration knobs (all with the reference defaults): features, depth, num_stages, num_groups,
num_bottleneck_blocks, num_supervision_scales, block/grid sizes per resolution class,
high_res_stages, gMLP expansion factors, channel reduction.  One quirk of the reference is kept
on purpose: at low-resolution levels (level >= high_res_stages) and in the bottleneck the GRID
size is `block_size_lr` (`grid_size_lr` is accepted but never used), because that is what the
official format encodes.  Use square sizes: the engine derives (gh, gw) from the square root of
the spatial Dense size.
"""
from __future__ import annotations

from typing import Any, Sequence, Tuple

import jax
import jax.numpy as jnp
import flax.linen as nn

Size2 = Tuple[int, int]


# --------------------------------------------------------------------------------------------
# layout helpers
# --------------------------------------------------------------------------------------------
def to_patches(x: jax.Array, fh: int, fw: int) -> jax.Array:
    """(n, gh*fh, gw*fw, c) -> (n, gh*gw, fh*fw, c); patch index = gy*gw+gx, pixel = py*fw+px."""
    n, h, w, c = x.shape
    gh, gw = h // fh, w // fw
    x = x.reshape(n, gh, fh, gw, fw, c)
    x = x.transpose(0, 1, 3, 2, 4, 5)
    return x.reshape(n, gh * gw, fh * fw, c)


def from_patches(x: jax.Array, h: int, w: int, fh: int, fw: int) -> jax.Array:
    """Inverse of to_patches."""
    n, _, _, c = x.shape
    gh, gw = h // fh, w // fw
    x = x.reshape(n, gh, gw, fh, fw, c)
    x = x.transpose(0, 1, 3, 2, 4, 5)
    return x.reshape(n, h, w, c)


def conv(features: int, k: int, stride: int = 1, name: str | None = None, use_bias: bool = True):
    return nn.Conv(features, kernel_size=(k, k), strides=(stride, stride), padding="SAME",
                   use_bias=use_bias, name=name)


def conv_up(features: int, use_bias: bool = True):
    # 2x2 stride-2 transposed conv, flax layout [2, 2, in, out] (spatially flipped vs PyTorch).
    return nn.ConvTranspose(features, kernel_size=(2, 2), strides=(2, 2), padding="SAME",
                            use_bias=use_bias)


def dense(features: int, name: str | None = None, use_bias: bool = True, bias_init=None):
    kw = {}
    if bias_init is not None:
        kw["bias_init"] = bias_init
    return nn.Dense(features, use_bias=use_bias, name=name,
                    kernel_init=nn.initializers.normal(stddev=2e-2), **kw)


def gelu(x):
    return nn.gelu(x, approximate=True)


def split2(x):
    c = x.shape[-1] // 2
    return x[..., :c], x[..., c:]


# --------------------------------------------------------------------------------------------
# gMLP pieces
# --------------------------------------------------------------------------------------------
class GridGatingUnit(nn.Module):
    """u * (1 + Dense_over_patches(LN(v))); spatial mixing across the patches (axis -3)."""
    use_bias: bool = True

    @nn.compact
    def __call__(self, x):
        u, v = split2(x)
        v = nn.LayerNorm(name="intermediate_layernorm")(v)
        g = x.shape[-3]
        v = jnp.swapaxes(v, -1, -3)
        v = dense(g, use_bias=self.use_bias)(v)  # Dense_0, kernel [g, g]
        v = jnp.swapaxes(v, -1, -3)
        return u * (v + 1.0)


class BlockGatingUnit(nn.Module):
    """u * (1 + Dense_over_pixels_in_block(LN(v))); local mixing inside a block (axis -2)."""
    use_bias: bool = True

    @nn.compact
    def __call__(self, x):
        u, v = split2(x)
        v = nn.LayerNorm(name="intermediate_layernorm")(v)
        p = x.shape[-2]
        v = jnp.swapaxes(v, -1, -2)
        v = dense(p, use_bias=self.use_bias)(v)  # Dense_0, kernel [p, p]
        v = jnp.swapaxes(v, -1, -2)
        return u * (v + 1.0)


class GridGmlpLayer(nn.Module):
    grid_size: Size2
    factor: int = 2
    use_bias: bool = True

    @nn.compact
    def __call__(self, x):
        n, h, w, c = x.shape
        gh, gw = self.grid_size
        fh, fw = h // gh, w // gw
        x = to_patches(x, fh, fw)
        y = nn.LayerNorm(name="LayerNorm")(x)
        y = gelu(dense(c * self.factor, name="in_project", use_bias=self.use_bias)(y))
        y = GridGatingUnit(use_bias=self.use_bias, name="GridGatingUnit")(y)
        y = dense(c, name="out_project", use_bias=self.use_bias)(y)
        return from_patches(x + y, h, w, fh, fw)


class BlockGmlpLayer(nn.Module):
    block_size: Size2
    factor: int = 2
    use_bias: bool = True

    @nn.compact
    def __call__(self, x):
        n, h, w, c = x.shape
        fh, fw = self.block_size
        x = to_patches(x, fh, fw)
        y = nn.LayerNorm(name="LayerNorm")(x)
        y = gelu(dense(c * self.factor, name="in_project", use_bias=self.use_bias)(y))
        y = BlockGatingUnit(use_bias=self.use_bias, name="BlockGatingUnit")(y)
        y = dense(c, name="out_project", use_bias=self.use_bias)(y)
        return from_patches(x + y, h, w, fh, fw)


class ResidualSplitHeadMultiAxisGmlpLayer(nn.Module):
    """Multi-axis gMLP: half the channels through the grid branch, half through the block one."""
    block_size: Size2
    grid_size: Size2
    block_gmlp_factor: int = 2
    grid_gmlp_factor: int = 2
    input_proj_factor: int = 2
    use_bias: bool = True

    @nn.compact
    def __call__(self, x):
        shortcut = x
        c = x.shape[-1]
        x = nn.LayerNorm(name="LayerNorm_in")(x)
        x = gelu(dense(c * self.input_proj_factor, name="in_project", use_bias=self.use_bias)(x))
        u, v = split2(x)
        u = GridGmlpLayer(self.grid_size, self.grid_gmlp_factor, self.use_bias,
                          name="GridGmlpLayer")(u)
        v = BlockGmlpLayer(self.block_size, self.block_gmlp_factor, self.use_bias,
                           name="BlockGmlpLayer")(v)
        x = jnp.concatenate([u, v], axis=-1)
        x = dense(c, name="out_project", use_bias=self.use_bias)(x)
        return x + shortcut


# --------------------------------------------------------------------------------------------
# channel attention blocks
# --------------------------------------------------------------------------------------------
class CALayer(nn.Module):
    features: int
    reduction: int = 4
    use_bias: bool = True

    @nn.compact
    def __call__(self, x):
        y = jnp.mean(x, axis=(1, 2), keepdims=True)
        y = nn.relu(conv(self.features // self.reduction, 1, use_bias=self.use_bias)(y))
        y = nn.sigmoid(conv(self.features, 1, use_bias=self.use_bias)(y))
        return x * y


class RCAB(nn.Module):
    """Residual channel-attention block (convolutional)."""
    features: int
    reduction: int = 4
    lrelu_slope: float = 0.2
    use_bias: bool = True

    @nn.compact
    def __call__(self, x):
        y = nn.LayerNorm(name="LayerNorm")(x)
        y = conv(self.features, 3, name="conv1", use_bias=self.use_bias)(y)
        y = nn.leaky_relu(y, negative_slope=self.lrelu_slope)
        y = conv(self.features, 3, name="conv2", use_bias=self.use_bias)(y)
        y = CALayer(self.features, self.reduction, self.use_bias, name="channel_attention")(y)
        return x + y


class MlpBlock(nn.Module):
    mlp_dim: int
    use_bias: bool = True

    @nn.compact
    def __call__(self, x):
        c = x.shape[-1]
        x = gelu(dense(self.mlp_dim, use_bias=self.use_bias)(x))
        return dense(c, use_bias=self.use_bias)(x)


class RDCAB(nn.Module):
    """Residual dense channel-attention block (bottleneck)."""
    features: int
    reduction: int = 4
    use_bias: bool = True

    @nn.compact
    def __call__(self, x):
        y = nn.LayerNorm(name="LayerNorm")(x)
        y = MlpBlock(self.features, self.use_bias, name="channel_mixing")(y)
        y = CALayer(self.features, self.reduction, self.use_bias, name="channel_attention")(y)
        return x + y


# --------------------------------------------------------------------------------------------
# U-Net blocks
# --------------------------------------------------------------------------------------------
class GetSpatialGatingWeights(nn.Module):
    features: int
    block_size: Size2
    grid_size: Size2
    input_proj_factor: int = 2
    use_bias: bool = True

    @nn.compact
    def __call__(self, x):
        n, h, w, c = x.shape
        x = nn.LayerNorm(name="LayerNorm_in")(x)
        x = gelu(dense(c * self.input_proj_factor, name="in_project", use_bias=self.use_bias)(x))
        u, v = split2(x)
        ones = nn.initializers.ones
        # grid branch: mix across patches (axis -3)
        gh, gw = self.grid_size
        fh, fw = h // gh, w // gw
        u = to_patches(u, fh, fw)
        u = jnp.swapaxes(u, -1, -3)
        u = dense(u.shape[-1], use_bias=self.use_bias, bias_init=ones)(u)  # Dense_0
        u = from_patches(jnp.swapaxes(u, -1, -3), h, w, fh, fw)
        # block branch: mix inside each block (axis -2)
        fh, fw = self.block_size
        v = to_patches(v, fh, fw)
        v = jnp.swapaxes(v, -1, -2)
        v = dense(v.shape[-1], use_bias=self.use_bias, bias_init=ones)(v)  # Dense_1
        v = from_patches(jnp.swapaxes(v, -1, -2), h, w, fh, fw)
        x = jnp.concatenate([u, v], axis=-1)
        return dense(c, name="out_project", use_bias=self.use_bias)(x)


class CrossGatingBlock(nn.Module):
    features: int
    block_size: Size2
    grid_size: Size2
    input_proj_factor: int = 2
    upsample_y: bool = True
    use_bias: bool = True

    @nn.compact
    def __call__(self, x, y):
        if self.upsample_y:
            y = conv_up(self.features, self.use_bias)(y)  # ConvTranspose_0
        x = conv(self.features, 1, use_bias=self.use_bias)(x)  # Conv_0
        c = x.shape[-1]
        y = conv(c, 1, use_bias=self.use_bias)(y)  # Conv_1
        sx, sy = x, y
        x = nn.LayerNorm(name="LayerNorm_x")(x)
        x = gelu(dense(c, name="in_project_x", use_bias=self.use_bias)(x))
        gx = GetSpatialGatingWeights(c, self.block_size, self.grid_size, self.input_proj_factor,
                                     self.use_bias, name="SplitHeadMultiAxisGating_x")(x)
        y = nn.LayerNorm(name="LayerNorm_y")(y)
        y = gelu(dense(c, name="in_project_y", use_bias=self.use_bias)(y))
        gy = GetSpatialGatingWeights(c, self.block_size, self.grid_size, self.input_proj_factor,
                                     self.use_bias, name="SplitHeadMultiAxisGating_y")(y)
        y = dense(c, name="out_project_y", use_bias=self.use_bias)(y * gx) + sy
        x = dense(c, name="out_project_x", use_bias=self.use_bias)(x * gy) + y + sx
        return x, y


class _BlockCfg(nn.Module):
    """Shared attributes of encoder/decoder/bottleneck blocks."""
    features: int
    block_size: Size2
    grid_size: Size2
    num_groups: int = 1
    lrelu_slope: float = 0.2
    block_gmlp_factor: int = 2
    grid_gmlp_factor: int = 2
    input_proj_factor: int = 2
    channels_reduction: int = 4
    use_bias: bool = True

    def _mab(self, i):
        return ResidualSplitHeadMultiAxisGmlpLayer(
            self.block_size, self.grid_size, self.block_gmlp_factor, self.grid_gmlp_factor,
            self.input_proj_factor, self.use_bias, name=f"SplitHeadMultiAxisGmlpLayer_{i}")


class UNetEncoderBlock(_BlockCfg):
    downsample: bool = True
    use_global_mlp: bool = True

    @nn.compact
    def __call__(self, x, skip=None, enc=None, dec=None):
        if skip is not None:
            x = jnp.concatenate([x, skip], axis=-1)
        x = conv(self.features, 1, use_bias=self.use_bias)(x)  # Conv_0
        shortcut = x
        for i in range(self.num_groups):
            if self.use_global_mlp:
                x = self._mab(i)(x)
            x = RCAB(self.features, self.channels_reduction, self.lrelu_slope, self.use_bias,
                     name=f"channel_attention_block_1{i}")(x)
        x = x + shortcut
        if enc is not None and dec is not None:
            x, _ = CrossGatingBlock(self.features, self.block_size, self.grid_size,
                                    self.input_proj_factor, upsample_y=False,
                                    use_bias=self.use_bias, name="cross_gating_block")(x, enc + dec)
        if self.downsample:
            return conv(self.features, 4, 2, use_bias=self.use_bias)(x), x  # Conv_1
        return x


class UNetDecoderBlock(_BlockCfg):
    use_global_mlp: bool = True

    @nn.compact
    def __call__(self, x, bridge=None):
        x = conv_up(self.features, self.use_bias)(x)  # ConvTranspose_0
        return UNetEncoderBlock(
            self.features, self.block_size, self.grid_size, self.num_groups, self.lrelu_slope,
            self.block_gmlp_factor, self.grid_gmlp_factor, self.input_proj_factor,
            self.channels_reduction, self.use_bias, downsample=False,
            use_global_mlp=self.use_global_mlp)(x, skip=bridge)  # UNetEncoderBlock_0


class BottleneckBlock(_BlockCfg):
    @nn.compact
    def __call__(self, x):
        x = conv(self.features, 1, name="input_proj", use_bias=self.use_bias)(x)
        shortcut = x
        for i in range(self.num_groups):
            x = self._mab(i)(x)
            x = RDCAB(self.features, self.channels_reduction, self.use_bias,
                      name=f"channel_attention_block_1_{i}")(x)
        return x + shortcut


class UpSampleRatio(nn.Module):
    """Antialiased bilinear resize by `ratio` (skipped when 1) followed by a 1x1 conv."""
    features: int
    ratio: float
    use_bias: bool = True

    @nn.compact
    def __call__(self, x):
        n, h, w, c = x.shape
        oh, ow = int(h * self.ratio), int(w * self.ratio)
        if (oh, ow) != (h, w):
            x = jax.image.resize(x, (n, oh, ow, c), method="bilinear", antialias=True)
        return conv(self.features, 1, use_bias=self.use_bias)(x)  # Conv_0


class SAM(nn.Module):
    """Supervised attention module between stages."""
    features: int
    output_channels: int = 3
    use_bias: bool = True

    @nn.compact
    def __call__(self, x, x_image):
        x1 = conv(self.features, 3, use_bias=self.use_bias)(x)  # Conv_0
        image = conv(self.output_channels, 3, use_bias=self.use_bias)(x)  # Conv_1
        if self.output_channels == 3:
            image = image + x_image
        x2 = nn.sigmoid(conv(self.features, 3, use_bias=self.use_bias)(image))  # Conv_2
        return x1 * x2 + x, image


# --------------------------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------------------------
class MAXIM(nn.Module):
    features: int = 64
    depth: int = 3
    num_stages: int = 2
    num_groups: int = 1
    use_bias: bool = True
    num_supervision_scales: int = 1
    lrelu_slope: float = 0.2
    use_global_mlp: bool = True
    use_cross_gating: bool = True
    high_res_stages: int = 2
    block_size_hr: Size2 = (16, 16)
    block_size_lr: Size2 = (8, 8)
    grid_size_hr: Size2 = (16, 16)
    grid_size_lr: Size2 = (8, 8)  # never used (reference behaviour, see module docstring)
    num_bottleneck_blocks: int = 1
    block_gmlp_factor: int = 2
    grid_gmlp_factor: int = 2
    input_proj_factor: int = 2
    channels_reduction: int = 4
    num_outputs: int = 3

    def _sizes(self, level: int):
        if level < self.high_res_stages:
            return tuple(self.block_size_hr), tuple(self.grid_size_hr)
        return tuple(self.block_size_lr), tuple(self.block_size_lr)

    def _blk(self, level: int):
        bs, gs = self._sizes(level)
        return dict(features=(2 ** level) * self.features, block_size=bs, grid_size=gs,
                    num_groups=self.num_groups, lrelu_slope=self.lrelu_slope,
                    block_gmlp_factor=self.block_gmlp_factor,
                    grid_gmlp_factor=self.grid_gmlp_factor,
                    input_proj_factor=self.input_proj_factor,
                    channels_reduction=self.channels_reduction, use_bias=self.use_bias)

    @nn.compact
    def __call__(self, x):
        if not self.use_cross_gating:
            raise NotImplementedError("only the cross-gating variant (official format) is built")
        n, h, w, c = x.shape
        F, D, ub = self.features, self.depth, self.use_bias
        shortcuts = [x]
        for i in range(1, self.num_supervision_scales):
            shortcuts.append(jax.image.resize(x, (n, h // 2 ** i, w // 2 ** i, c), "nearest"))

        outputs_all = []
        sam_feats, encs_prev, decs_prev = [], [], []
        for s in range(self.num_stages):
            x_scales = []
            for i in range(self.num_supervision_scales):
                xs = conv((2 ** i) * F, 3, name=f"stage_{s}_input_conv_{i}", use_bias=ub)(shortcuts[i])
                if s > 0:
                    bs, gs = self._sizes(i)
                    xs, _ = CrossGatingBlock((2 ** i) * F, bs, gs, self.input_proj_factor,
                                             upsample_y=False, use_bias=ub,
                                             name=f"stage_{s}_input_fuse_sam_{i}")(xs, sam_feats.pop())
                x_scales.append(xs)

            encs = []
            x = x_scales[0]
            for i in range(D):
                skip = x_scales[i] if i < self.num_supervision_scales else None
                enc_prev = encs_prev.pop() if s > 0 else None
                dec_prev = decs_prev.pop() if s > 0 else None
                x, bridge = UNetEncoderBlock(**self._blk(i), downsample=True,
                                             use_global_mlp=self.use_global_mlp,
                                             name=f"stage_{s}_encoder_block_{i}")(
                    x, skip=skip, enc=enc_prev, dec=dec_prev)
                encs.append(bridge)

            for i in range(self.num_bottleneck_blocks):
                cfg = self._blk(D - 1)
                cfg["block_size"] = cfg["grid_size"] = tuple(self.block_size_lr)
                x = BottleneckBlock(**cfg, name=f"stage_{s}_global_block_{i}")(x)
            g = x

            skips = []
            for i in reversed(range(D)):
                bs, gs = self._sizes(i)
                signal = jnp.concatenate(
                    [UpSampleRatio((2 ** i) * F, 2.0 ** (j - i), ub)(e) for j, e in enumerate(encs)],
                    axis=-1)
                sk, g = CrossGatingBlock((2 ** i) * F, bs, gs, self.input_proj_factor,
                                         upsample_y=True, use_bias=ub,
                                         name=f"stage_{s}_cross_gating_block_{i}")(signal, g)
                skips.append(sk)

            outputs, decs, sam_feats = [], [], []
            for i in reversed(range(D)):
                signal = jnp.concatenate(
                    [UpSampleRatio((2 ** i) * F, 2.0 ** (D - j - 1 - i), ub)(sk)
                     for j, sk in enumerate(skips)], axis=-1)
                x = UNetDecoderBlock(**self._blk(i), use_global_mlp=self.use_global_mlp,
                                     name=f"stage_{s}_decoder_block_{i}")(x, bridge=signal)
                decs.append(x)
                if i < self.num_supervision_scales:
                    if s < self.num_stages - 1:
                        sam, out = SAM((2 ** i) * F, self.num_outputs, ub,
                                       name=f"stage_{s}_supervised_attention_module_{i}")(x, shortcuts[i])
                        sam_feats.append(sam)
                    else:
                        out = conv(self.num_outputs, 3, name=f"stage_{s}_output_conv_{i}",
                                   use_bias=ub)(x) + shortcuts[i]
                    outputs.append(out)
            encs_prev = encs[::-1]
            decs_prev = decs
            outputs_all.append(outputs)
        return outputs_all


# --------------------------------------------------------------------------------------------
# checkpoint helpers (official .npz layout)
# --------------------------------------------------------------------------------------------
PREFIX = "opt/target/"


def flatten_params(params) -> dict:
    """Nested flax params -> {'a/b/kernel': array}."""
    out = {}

    def rec(d, path):
        for k, v in d.items():
            p = f"{path}/{k}" if path else k
            if isinstance(v, dict) or hasattr(v, "items"):
                rec(v, p)
            else:
                out[p] = v
    rec(params, "")
    return out


def unflatten_params(flat: dict) -> dict:
    tree: dict = {}
    for key, v in flat.items():
        parts = key.split("/")
        d = tree
        for p in parts[:-1]:
            d = d.setdefault(p, {})
        d[parts[-1]] = v
    return tree


def load_npz_params(path: str) -> dict:
    import numpy as np
    with np.load(path) as z:
        flat = {(k[len(PREFIX):] if k.startswith(PREFIX) else k): jnp.asarray(z[k]) for k in z.files}
    return unflatten_params(flat)


def save_npz_params(path: str, params) -> None:
    """Writes an official-format checkpoint: keys opt/target/<flax path>, float32, stored zip."""
    import numpy as np
    flat = {PREFIX + k: np.asarray(v, dtype=np.float32) for k, v in flatten_params(params).items()}
    np.savez(path, **flat)


def config_from_params(flat: dict) -> dict:
    """The constructor arguments of a single-stage checkpoint, read from its parameter names and shapes.
    `high_res_stages` is taken as the recipe's 2 (the level sizes do not show it where block and grid
    sizes agree); for a checkpoint made otherwise the returned model's parameter shapes differ from the file's."""
    def count(fmt):
        n = 0
        while any(k.startswith(fmt.format(n) + "/") for k in flat):
            n += 1
        return n
    if any(k.startswith("stage_1_") for k in flat):
        raise ValueError("multi-stage checkpoints are not supported here")
    depth = count("stage_0_encoder_block_{}")
    features = flat["stage_0_encoder_block_0/Conv_0/kernel"].shape[-1]
    groups = count("stage_0_encoder_block_0/SplitHeadMultiAxisGmlpLayer_{}")
    scales = count("stage_0_output_conv_{}")
    gmlp = "stage_0_encoder_block_0/SplitHeadMultiAxisGmlpLayer_0"
    block = int(round(flat[f"{gmlp}/BlockGmlpLayer/BlockGatingUnit/Dense_0/kernel"].shape[0] ** 0.5))
    grid = int(round(flat[f"{gmlp}/GridGmlpLayer/GridGatingUnit/Dense_0/kernel"].shape[0] ** 0.5))
    lr = "stage_0_global_block_0/SplitHeadMultiAxisGmlpLayer_0/BlockGmlpLayer/BlockGatingUnit/Dense_0/kernel"
    block_lr = int(round(flat[lr].shape[0] ** 0.5))
    return dict(features=int(features), depth=depth, num_stages=1, num_groups=groups,
                num_bottleneck_blocks=count("stage_0_global_block_{}"), num_supervision_scales=scales,
                high_res_stages=2, block_size_hr=[block] * 2, grid_size_hr=[grid] * 2,
                block_size_lr=[block_lr] * 2, grid_size_lr=[block_lr] * 2)


def model_from_config(cfg: dict) -> MAXIM:
    kw = dict(cfg)
    for k in ("block_size_hr", "block_size_lr", "grid_size_hr", "grid_size_lr"):
        if k in kw:
            kw[k] = tuple(kw[k])
    return MAXIM(**kw)


def init_params(model: MAXIM, seed: int = 0, sample_hw: int = 64) -> dict:
    """Fresh parameters without compiling or running the model (jitting `model.init` of a MAXIM
    costs 10-40 s of XLA compile on CPU).  Shapes come from an abstract trace; values follow the
    reference's initialisers: Conv / ConvTranspose kernels lecun-normal (truncated normal,
    variance 1/fan_in), Dense kernels N(0, 0.02^2), biases 0 except the spatial gating Dense
    layers of GetSpatialGatingWeights (bias 1), LayerNorm scale 1 / bias 0."""
    import numpy as np
    x = jax.ShapeDtypeStruct((1, sample_hw, sample_hw, 3), jnp.float32)
    shapes = flatten_params(jax.eval_shape(lambda x: model.init(jax.random.PRNGKey(0), x), x)["params"])
    rng = np.random.default_rng(seed)
    out = {}
    for k in sorted(shapes):
        shp = tuple(shapes[k].shape)
        parts = k.split("/")
        if parts[-1] == "kernel" and len(shp) == 4:
            fan_in = shp[0] * shp[1] * shp[2]
            # flax lecun_normal: truncated normal in [-2, 2] rescaled to unit variance
            z = rng.standard_normal(shp)
            while np.any(np.abs(z) > 2):
                bad = np.abs(z) > 2
                z[bad] = rng.standard_normal(int(bad.sum()))
            v = z / 0.87962566103423978 * np.sqrt(1.0 / fan_in)
        elif parts[-1] == "kernel":
            v = rng.normal(0.0, 0.02, shp)
        elif parts[-1] == "scale":
            v = np.ones(shp)
        elif (parts[-1] == "bias" and len(parts) >= 3 and parts[-2] in ("Dense_0", "Dense_1")
              and parts[-3].startswith("SplitHeadMultiAxisGating")):
            v = np.ones(shp)
        else:
            v = np.zeros(shp)
        out[k] = jnp.asarray(v, jnp.float32)
    return unflatten_params(out)
