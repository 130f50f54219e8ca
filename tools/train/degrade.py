"""On-the-fly training pairs for maxim-video's default models (numpy, vectorised).

Data: ONLY ../shared/data/photos and ../shared/data/train (other photographs from the same Debian
packages are reserved for held-out evaluation).  Note that the evaluation clips are themselves
rendered from photos in ../shared/data/photos, so a validation set cut from these photos is not a
true held-out set.

deblur (GoPro-style, Nah et al. 2017, as ../shared/data/clips/*/meta.json describes):
  * a virtual camera moves smoothly over a still photo (pan with velocity + acceleration,
    hand shake = a few random sinusoids, slight zoom and roll about a random centre);
    sub-frames at a high rate (one sub-frame = 1/480 s, as the clips);
  * blurry = mean of N consecutive sub-frames (N in [5, 15]); in 8-bit sRGB values ("blur") or,
    for a tenth of samples, in linear light with gamma 2.2 ("blur_gamma"). A share is rendered
    by warping every sub-frame (spatially varying); the rest, where roll/zoom are negligible
    over one exposure, as an FFT convolution with the splatted path (fast; also used for a
    "continuous exposure" variant that samples the path densely, so long blurs do not ghost);
  * target = the centre sub-frame (the unwarped photo crop, so targets stay crisp);
  * then H.264-like coding noise: RGB -> BT.709 limited-range YCbCr, chroma 4:2:0 (2x2 mean),
    8x8 / 4x4 blockwise DCT, dead-zone scalar quantisation at a random QP-like step, inverse,
    8-bit rounding of the planes, chroma upsampling, back to RGB.
denoise (one blind model):
  * additive white Gaussian noise with sigma ~ U[5, 50] (0..255 scale), or (a share)
    signal-dependent Poisson-Gaussian noise var = a*x + b, sometimes spatially correlated
    (demosaic-like 3x3 smoothing, renormalised); then clip + 8-bit rounding, as the test clip.
Both: random crops from a 3-level image pyramid (scales 1, 0.75, 0.5), flips and 90 degree turns.
"""
from __future__ import annotations

import glob
import os
import threading
import queue

import numpy as np
from PIL import Image

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_DIRS = [os.path.join(REPO, "..", "shared", "data", "photos"),
                os.path.join(REPO, "..", "shared", "data", "train")]
PYRAMID = (1.0, 0.75, 0.5)


# --------------------------------------------------------------------------------------------
# photos
# --------------------------------------------------------------------------------------------
def list_photos(dirs=None):
    files = []
    for d in dirs or DEFAULT_DIRS:
        for ext in ("*.jpg", "*.jpeg", "*.png"):
            files += glob.glob(os.path.join(d, ext))
    files = sorted(files)
    if not files:
        raise FileNotFoundError(f"no photos under {dirs or DEFAULT_DIRS}")
    return files


class PhotoBank:
    """All training photos in memory as uint8 HxWx3, each at several scales (Lanczos)."""

    def __init__(self, files, scales=PYRAMID, max_side=None):
        self.files = list(files)
        self.levels = []  # list of (file_index, scale, array)
        for fi, f in enumerate(self.files):
            im = Image.open(f).convert("RGB")
            if max_side and max(im.size) > max_side:
                r = max_side / max(im.size)
                im = im.resize((max(1, round(im.width * r)), max(1, round(im.height * r))), Image.LANCZOS)
            for s in scales:
                if s == 1.0:
                    a = im
                else:
                    a = im.resize((max(1, round(im.width * s)), max(1, round(im.height * s))), Image.LANCZOS)
                self.levels.append((fi, s, np.asarray(a, dtype=np.uint8)))

    def random_crop(self, rng, size, margin=0, levels=None):
        """uint8 crop of (size + 2*margin)^2 from a random image/scale (reflect-padded if small)."""
        idx = levels if levels is not None else range(len(self.levels))
        idx = list(idx)
        _, _, a = self.levels[idx[rng.integers(len(idx))]]
        full = size + 2 * margin
        h, w, _ = a.shape
        if h < full or w < full:
            py, px = max(0, full - h), max(0, full - w)
            a = np.pad(a, ((py // 2 + 1, py - py // 2 + 1), (px // 2 + 1, px - px // 2 + 1), (0, 0)), mode="reflect")
            h, w, _ = a.shape
        y = rng.integers(0, h - full + 1)
        x = rng.integers(0, w - full + 1)
        return a[y:y + full, x:x + full]


def augment(rng, imgs):
    """Same random flip / 90-degree turn for a tuple of HxWxC arrays."""
    k = int(rng.integers(4))
    flip = bool(rng.integers(2))
    out = []
    for im in imgs:
        im = np.rot90(im, k, axes=(0, 1))
        if flip:
            im = im[:, ::-1]
        out.append(np.ascontiguousarray(im))
    return out


# --------------------------------------------------------------------------------------------
# camera-motion blur
# --------------------------------------------------------------------------------------------
def camera_path(rng, n, size):
    """Per-sub-frame (dy, dx, roll_rad, zoom) relative to the centre sub-frame, shape (n, 4).

    Extent of the path over the exposure is drawn log-uniformly (about 0.5 .. 40 px), with a
    share of nearly static frames, matching the 2-36 px range of the evaluation clips.
    """
    t = (np.arange(n) - (n - 1) / 2.0) / max(1.0, (n - 1) / 2.0)  # -1 .. 1 over the exposure
    if rng.random() < 0.08:
        extent = rng.uniform(0.0, 1.0)
    else:
        extent = float(np.exp(rng.uniform(np.log(1.0), np.log(40.0))))
    ang = rng.uniform(0, 2 * np.pi)
    v = np.array([np.sin(ang), np.cos(ang)])
    # smooth path: linear pan + curvature + hand shake (random sinusoids, 1-3 periods/exposure)
    curv = rng.normal(0, 0.35, size=2)
    path = t[:, None] * v[None, :] + (t[:, None] ** 2 - np.mean(t ** 2)) * curv[None, :]
    for _ in range(int(rng.integers(0, 3))):
        f = rng.uniform(0.5, 3.0)
        ph = rng.uniform(0, 2 * np.pi)
        amp = rng.normal(0, 0.25, size=2)
        path = path + np.sin(np.pi * f * t + ph)[:, None] * amp[None, :]
    path = path - path[(n - 1) // 2]  # centre sub-frame = identity
    seg = np.sqrt(np.sum(np.diff(path, axis=0) ** 2, axis=1)).sum()
    path = path * (extent / max(seg, 1e-6))
    roll = t * np.deg2rad(rng.uniform(-0.6, 0.6)) * (extent / 40.0 + 0.2)
    roll = roll - roll[(n - 1) // 2]
    zoom = 1.0 + t * rng.uniform(-0.01, 0.01)
    zoom = zoom / zoom[(n - 1) // 2]
    return np.concatenate([path, roll[:, None], zoom[:, None]], axis=1)


def render_subframes(src, size, margin, motion, rng):
    """Bilinear render of n warped size x size views of src ((size+2m)^2 x 3 float32).

    motion: (n, 4) = dy, dx, roll, zoom. Rotation/zoom act about a random centre near the crop
    (spatially varying blur). Returns (n, size, size, 3) float32.
    """
    n = motion.shape[0]
    full = src.shape[0]
    yy, xx = np.meshgrid(np.arange(size, dtype=np.float32), np.arange(size, dtype=np.float32), indexing="ij")
    cy, cx = rng.uniform(-size, 2 * size, size=2).astype(np.float32)
    qy, qx = yy - cy, xx - cx
    dy, dx, rl, zm = [motion[:, i].astype(np.float32)[:, None, None] for i in range(4)]
    cos, sin = np.cos(rl), np.sin(rl)
    sy = zm * (cos * qy - sin * qx) + cy + dy + margin
    sx = zm * (sin * qy + cos * qx) + cx + dx + margin
    sy = np.clip(sy, 0, full - 1.001)
    sx = np.clip(sx, 0, full - 1.001)
    y0 = np.floor(sy).astype(np.int32)
    x0 = np.floor(sx).astype(np.int32)
    wy = (sy - y0)[..., None]
    wx = (sx - x0)[..., None]
    flat = src.reshape(-1, src.shape[2])
    i00 = y0 * full + x0
    a = flat[i00]
    b = flat[i00 + 1]
    c = flat[i00 + full]
    d = flat[i00 + full + 1]
    return (a * (1 - wx) + b * wx) * (1 - wy) + (c * (1 - wx) + d * wx) * wy


def _splat_kernel(points, full):
    """Correlation kernel of mean_k img(p + d_k) (bilinear taps), laid out for a full x full
    circular convolution: weight of offset d sits at index (-d) mod full."""
    k = np.zeros((full, full), np.float32)
    w = 1.0 / len(points)
    for dy, dx in points:
        y, x = -dy, -dx
        y0, x0 = int(np.floor(y)), int(np.floor(x))
        fy, fx = y - y0, x - x0
        for oy, wy in ((0, 1 - fy), (1, fy)):
            for ox, wx in ((0, 1 - fx), (1, fx)):
                k[(y0 + oy) % full, (x0 + ox) % full] += w * wy * wx
    return k


LINEAR_BLEND_SHARE = 0.1


def motion_blur_pair(rng, bank, size, gamma_prob=LINEAR_BLEND_SHARE, warp_prob=0.25, dense_prob=0.4):
    """Returns (blurry, sharp) float32 in [0,1], size x size x 3, before coding noise.

    N in [5, 15] sub-frames at 480 fps (10..31 ms).  Three renderers:
      * warp_prob: every sub-frame is a bilinear warp (pan + roll + zoom about a random centre:
        spatially varying blur), sub-frames rounded to 8 bits in the 'srgb' blend, like the clips;
      * otherwise the (tiny) roll/zoom is dropped and the blur is the photo convolved (FFT) with
        the splatted camera path: the N discrete sub-frame positions (GoPro-like, may ghost on long
        paths) or, with dense_prob, the path sampled every ~0.5 px (a continuous exposure).
    Blend in 8-bit sRGB values or (gamma_prob) in linear light with gamma 2.2.  A linear-light
    blur is ~2.2 codes brighter than its sharp frame on average, and a blind model learns to take
    gamma_prob of that off every blurry input: trained at 0.3, the shipped model darkens
    sRGB-blended clips (the evaluation clips, GoPro 'blur') by 0.1-1 code, so the default is 0.1.
    """
    n = int(rng.integers(5, 16))
    motion = camera_path(rng, n, size)
    gamma = rng.random() < gamma_prob
    if rng.random() < warp_prob:
        reach = np.abs(motion[:, :2]).max() + 3 * size * (np.abs(motion[:, 2]).max() + np.abs(motion[:, 3] - 1).max())
        margin = min(int(np.ceil(reach)) + 2, 2 * size)
        src = bank.random_crop(rng, size, margin).astype(np.float32) / 255.0
        sharp = src[margin:margin + size, margin:margin + size]
        frames = render_subframes(src, size, margin, motion, rng)
        frames[(n - 1) // 2] = sharp
        if gamma:
            blurry = np.mean(frames ** 2.2, axis=0) ** (1 / 2.2)
        else:
            blurry = np.mean(np.round(frames * 255.0), axis=0) / 255.0
        return blurry.astype(np.float32), np.ascontiguousarray(sharp, dtype=np.float32)
    pts = motion[:, :2]
    if rng.random() < dense_prob:  # continuous exposure: resample the path finely
        seg = np.sqrt(np.sum(np.diff(pts, axis=0) ** 2, axis=1))
        m = int(min(200, max(n, np.ceil(seg.sum() / 0.5))))
        s = np.concatenate([[0.0], np.cumsum(seg)])
        u = np.linspace(0, s[-1], m) if s[-1] > 0 else np.zeros(m)
        pts = np.stack([np.interp(u, s, pts[:, 0]), np.interp(u, s, pts[:, 1])], axis=1)
    margin = int(np.ceil(np.abs(pts).max())) + 4
    src = bank.random_crop(rng, size, margin).astype(np.float32) / 255.0
    full = size + 2 * margin
    sharp = src[margin:margin + size, margin:margin + size]
    kf = np.fft.rfft2(_splat_kernel(pts, full))
    lin = src ** 2.2 if gamma else src
    bl = np.fft.irfft2(np.fft.rfft2(lin, axes=(0, 1)) * kf[..., None], s=(full, full), axes=(0, 1))
    bl = np.clip(bl[margin:margin + size, margin:margin + size], 0, None)
    blurry = bl ** (1 / 2.2) if gamma else bl
    return blurry.astype(np.float32), np.ascontiguousarray(sharp, dtype=np.float32)


# --------------------------------------------------------------------------------------------
# H.264-like coding noise
# --------------------------------------------------------------------------------------------
_KR, _KB = 0.2126, 0.0722  # BT.709


def _dct_matrix(n):
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    m = np.cos(np.pi * (2 * i + 1) * k / (2 * n)) * np.sqrt(2.0 / n)
    m[0] /= np.sqrt(2.0)
    return m.astype(np.float32)


_DCT = {4: _dct_matrix(4), 8: _dct_matrix(8)}


def _blockwise_quant(plane, q, bs, deadzone):
    """plane (B, H, W) in 8-bit units; orthonormal bs x bs DCT, dead-zone quantiser of step q (B,)."""
    B, H, W = plane.shape
    D = _DCT[bs]
    x = plane.reshape(B, H // bs, bs, W // bs, bs).transpose(0, 1, 3, 2, 4)  # (B, gy, gx, bs, bs)
    mean = x.mean(axis=(3, 4), keepdims=True)  # DC predicted well (intra/inter prediction)
    c = D @ (x - mean) @ D.T
    qq = q.reshape(B, 1, 1, 1, 1)
    c = np.floor(np.abs(c) / qq + deadzone) * np.sign(c) * qq
    y = (D.T @ c @ D + mean).transpose(0, 1, 3, 2, 4)
    return y.reshape(B, H, W)


def h264_like(rng, rgb, p_skip=0.15, round_rgb_prob=0.5):
    """Coding noise for a batch (B, H, W, 3) float32 in [0,1] (H, W multiples of 16)."""
    B, H, W, _ = rgb.shape
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = _KR * r + (1 - _KR - _KB) * g + _KB * b
    cb = (b - y) / (2 * (1 - _KB))
    cr = (r - y) / (2 * (1 - _KR))
    Y = 16 + 219 * y
    Cb = 128 + 224 * cb
    Cr = 128 + 224 * cr
    # chroma 4:2:0 (2x2 mean, as a decimating encoder front end)
    Cb = Cb.reshape(B, H // 2, 2, W // 2, 2).mean(axis=(2, 4))
    Cr = Cr.reshape(B, H // 2, 2, W // 2, 2).mean(axis=(2, 4))
    # QP-like step (8-bit units): log-uniform 0.7 .. 10 (crf ~14 .. ~30 on smooth content)
    q = np.exp(rng.uniform(np.log(0.7), np.log(10.0), size=B)).astype(np.float32)
    skip = rng.random(B) < p_skip
    bs = 8 if rng.random() < 0.6 else 4
    dz = float(rng.uniform(1 / 6, 1 / 2))  # inter-like 1/6 .. round-to-nearest 1/2
    Yq = _blockwise_quant(Y, q, bs, dz)
    Cbq = _blockwise_quant(Cb, q * 1.3, bs, dz)
    Crq = _blockwise_quant(Cr, q * 1.3, bs, dz)
    Y = np.where(skip[:, None, None], Y, Yq)
    Cb = np.where(skip[:, None, None], Cb, Cbq)
    Cr = np.where(skip[:, None, None], Cr, Crq)
    Y, Cb, Cr = [np.clip(np.round(p), 0, 255) for p in (Y, Cb, Cr)]
    # chroma upsampling (bilinear, centre-aligned, edge clamp), as a decoder + swscale would
    Cb, Cr = _up2(Cb), _up2(Cr)
    y = (Y - 16) / 219
    cb = (Cb - 128) / 224
    cr = (Cr - 128) / 224
    r = y + 2 * (1 - _KR) * cr
    b = y + 2 * (1 - _KB) * cb
    g = (y - _KR * r - _KB * b) / (1 - _KR - _KB)
    out = np.stack([r, g, b], axis=-1)
    if rng.random() < round_rgb_prob:
        out = np.round(out * 255) / 255
    return np.clip(out, 0, 1).astype(np.float32)


def _up2(p):
    """(B, h, w) -> (B, 2h, 2w), bilinear with half-pixel centres and edge clamp."""
    def up_axis(a, ax):
        prev = np.concatenate([np.take(a, [0], axis=ax), np.take(a, np.arange(a.shape[ax] - 1), axis=ax)], axis=ax)
        nxt = np.concatenate([np.take(a, np.arange(1, a.shape[ax]), axis=ax), np.take(a, [a.shape[ax] - 1], axis=ax)], axis=ax)
        even = 0.25 * prev + 0.75 * a
        odd = 0.75 * a + 0.25 * nxt
        st = np.stack([even, odd], axis=ax + 1)
        shp = list(a.shape)
        shp[ax] *= 2
        return st.reshape(shp)
    return up_axis(up_axis(p, 1), 2)


# --------------------------------------------------------------------------------------------
# noise
# --------------------------------------------------------------------------------------------
def add_noise(rng, clean, pg_prob=0.3, corr_prob=0.3):
    """Blind denoising input for a batch (B, H, W, 3) float32 in [0,1]."""
    B = clean.shape[0]
    n = rng.standard_normal(clean.shape).astype(np.float32)
    out = np.empty_like(clean)
    for i in range(B):
        if rng.random() < pg_prob:
            # Poisson-Gaussian (heteroscedastic) noise: var = a*x + b on the 0..1 scale
            a = float(np.exp(rng.uniform(np.log(2e-4), np.log(2e-2))))
            sr = rng.uniform(1.0, 12.0) / 255.0
            ni = n[i]
            if rng.random() < corr_prob:  # demosaic-like spatial correlation, renormalised
                k = np.array([0.25, 0.5, 0.25], np.float32)
                ni = k[0] * np.roll(ni, 1, 0) + k[1] * ni + k[2] * np.roll(ni, -1, 0)
                ni = k[0] * np.roll(ni, 1, 1) + k[1] * ni + k[2] * np.roll(ni, -1, 1)
                ni = ni / np.sqrt(np.sum(np.outer(k, k) ** 2))
            out[i] = clean[i] + np.sqrt(a * clean[i] + sr * sr) * ni
        else:
            sigma = rng.uniform(5.0, 50.0) / 255.0
            out[i] = clean[i] + sigma * n[i]
    return np.clip(np.round(out * 255.0), 0, 255).astype(np.float32) / 255.0


# --------------------------------------------------------------------------------------------
# batches
# --------------------------------------------------------------------------------------------
def make_batch(rng, bank, task, batch, size, linear_share=LINEAR_BLEND_SHARE):
    """(inputs, targets) float32 (batch, size, size, 3) in [0, 1]; `linear_share` of the deblur
    pairs blended in linear light."""
    if task == "deblur":
        xs, ys = [], []
        for _ in range(batch):
            bl, sh = motion_blur_pair(rng, bank, size, gamma_prob=linear_share)
            bl, sh = augment(rng, (bl, sh))
            xs.append(bl)
            ys.append(sh)
        x = h264_like(rng, np.stack(xs))
        return x, np.stack(ys)
    if task == "denoise":
        ys = [augment(rng, (bank.random_crop(rng, size).astype(np.float32) / 255.0,))[0]
              for _ in range(batch)]
        y = np.stack(ys)
        return add_noise(rng, y), y
    raise ValueError(f"unknown task {task!r}")


def dihedral_views(x, y, count):
    """`count` views of one (inputs, targets) batch, each a different flip/90-degree turn of the
    whole batch (the first is the batch itself).  A turned blur pair is still a valid blur pair,
    so a synthesis-bound accelerator can take each costly pair several times."""
    views = []
    for v in range(count):
        k, flip = v % 4, (v // 4) % 2 == 1
        def turn(a):
            a = np.rot90(a, k, axes=(1, 2))
            return np.ascontiguousarray(a[:, :, ::-1] if flip else a)
        views.append((turn(x), turn(y)))
    return views


def _worker_loop(files, max_side, task, batch, size, seed, reuse, linear_share, q, stop):
    """One data process: its own photo bank and random stream, batches into q until stop."""
    q.cancel_join_thread()  # let the process exit at close() with batches still buffered
    bank = PhotoBank(files, max_side=max_side)
    rng = np.random.default_rng(seed)
    while not stop.is_set():
        for item in dihedral_views(*make_batch(rng, bank, task, batch, size, linear_share), reuse):
            while not stop.is_set():
                try:
                    q.put(item, timeout=0.5)
                    break
                except queue.Full:
                    pass


class ProcessPrefetcher:
    """Generates batches in `workers` processes, for machines whose accelerator outruns one
    synthesis thread (deblur pairs cost ~70 ms each on one core).  Spawned, not forked: the
    parent has already started JAX's threads.  Each worker's stream is seeded from (seed, i),
    so runs are reproducible in distribution but batch order depends on scheduling."""

    def __init__(self, files, max_side, task, batch, size, seed, workers, depth=None, reuse=1,
                 linear_share=LINEAR_BLEND_SHARE):
        import multiprocessing as mp
        ctx = mp.get_context("spawn")
        self.q = ctx.Queue(maxsize=depth or 2 * workers)
        self.stop = ctx.Event()
        seeds = np.random.SeedSequence(seed).spawn(workers)
        self.procs = [ctx.Process(target=_worker_loop, daemon=True,
                                  args=(files, max_side, task, batch, size, s, reuse, linear_share,
                                        self.q, self.stop))
                      for s in seeds]
        for p in self.procs:
            p.start()

    def next(self):
        return self.q.get()

    def close(self):
        self.stop.set()
        for p in self.procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()


class Prefetcher:
    """Generates batches in a background thread (numpy releases the GIL in its big kernels)."""

    def __init__(self, bank, task, batch, size, seed, depth=3, linear_share=LINEAR_BLEND_SHARE):
        self.q: queue.Queue = queue.Queue(maxsize=depth)
        self.rng = np.random.default_rng(seed)
        self.args = (bank, task, batch, size, linear_share)
        self._stop = False
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        while not self._stop:
            self.q.put(make_batch(self.rng, *self.args))

    def next(self):
        return self.q.get()

    def close(self):
        self._stop = True
        try:
            while True:
                self.q.get_nowait()
        except queue.Empty:
            pass


def psnr(a, b):
    mse = float(np.mean((np.clip(a, 0, 1) - b) ** 2))
    return 10 * np.log10(1.0 / max(mse, 1e-12))


if __name__ == "__main__":  # quick look: python degrade.py OUT_DIR [task] [n]
    import sys
    out = sys.argv[1]
    task = sys.argv[2] if len(sys.argv) > 2 else "deblur"
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    import time
    t0 = time.time()
    bank = PhotoBank(list_photos())
    t1 = time.time()
    x, y = make_batch(rng, bank, task, n, 256)
    t2 = time.time()
    print(f"load {t1 - t0:.1f}s, batch of {n} at 256: {t2 - t1:.2f}s")
    for i in range(n):
        print(i, f"input PSNR {psnr(x[i], y[i]):.2f} dB")
        Image.fromarray(np.uint8(np.round(np.concatenate([x[i], y[i]], 1) * 255))).save(os.path.join(out, f"{task}_{i}.png"))
