#!/usr/bin/env python3
"""Packs a release `maxim-video` with the shared libraries it loads, to run `bench`, `deblur` and `denoise` on a
host that lacks Debian 12's libraries (how docs/performance.md's AMX figures were taken: a lent machine with an
Ubuntu image, no package access and a 64 MiB upload limit).

The whole closure is ~330 MB; most of it is codecs and their dependencies that libavcodec/libavformat link but a
job never calls (AV1, x265, codec2, SVG, network protocols, VA-API...). Those are replaced by stubs that export the
symbols the FFmpeg libraries bind at load time (BIND_NOW), with their symbol versions; every stub function returns
0, except `gme_identify_header`, which a format probe dereferences (it returns an empty string). libopenblas is left
out where `--host-openblas` says the host has its own. Result: ~32 MB xz-compressed.

    tools/bench/portable_bundle.py .build/release/maxim-video /tmp/bundle.tar.xz [--host-openblas]
    # on the host, from the repository root (models/ found through MAXIM_VIDEO_HOME):
    mkdir /tmp/mv && tar -xJf bundle.tar.xz -C /tmp/mv
    LD_LIBRARY_PATH=/tmp/mv/lib MAXIM_VIDEO_HOME=$PWD /tmp/mv/maxim-video bench --variant S-3 --precision bf16

Python standard library only; needs readelf, nm, gcc, strip, tar and xz.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

# The FFmpeg libraries whose dependencies may be stubbed, and what the jobs do call.
FFMPEG = ["libavcodec.so.59", "libavformat.so.59", "libavutil.so.57", "libswscale.so.6", "libswresample.so.4"]
CALLED = {"libx264.so.164", "libz.so.1", "liblzma.so.5", "libbz2.so.1.0", "libOpenCL.so.1", "libsoxr.so.0"}
# The C library itself comes from the host (newer glibc runs older binaries).
HOST = {"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "libpthread.so.0", "libdl.so.2", "librt.so.1",
        "libresolv.so.2"}
OPENBLAS = {"libopenblas.so.0", "libgfortran.so.5", "libquadmath.so.0"}


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def needed(path):
    return re.findall(r"NEEDED.*\[(.+)\]", run("readelf", "-d", path))


def resolved(binary):
    """Soname → path of every library the binary loads here."""
    paths = {}
    for line in run("ldd", binary).splitlines():
        m = re.match(r"\s*(\S+) => (/\S+)", line)
        if m:
            paths[m.group(1)] = m.group(2)
    return paths


def make_stub(soname, real, wanted, workdir, out):
    """A library named `soname` defining the symbols of `real` that are in `wanted` (each `name` or `name@VER`)."""
    text, data, versions = [".text"], [".data", "__stub_zero:", ".zero 64"], set()
    for i, line in enumerate(run("nm", "-D", "--defined-only", "-S", real).splitlines()):
        parts = line.split()
        if len(parts) == 4:
            _, size, kind, name = parts
        elif len(parts) == 3:
            (_, kind, name), size = parts, "8"
        else:
            continue
        base, _, version = name.partition("@@")
        if kind == "A" or not (base in wanted or (version and f"{base}@{version}" in wanted)):
            continue
        symbol = f"__stub_{i}" if version else base
        if kind in "TtWi":
            body = ["lea __stub_zero(%rip),%rax"] if base == "gme_identify_header" else ["xor %eax,%eax"]
            text += [f".globl {symbol}", f".type {symbol},@function", f"{symbol}:"] + body + ["ret"]
        else:
            n = max(int(size, 16), 8)
            data += [f".globl {symbol}", f".type {symbol},@object", f".size {symbol},{n}", f"{symbol}:", f".zero {n}"]
        if version:
            versions.add(version)
            text.append(f".symver {symbol},{base}@@{version}")
    source = os.path.join(workdir, soname + ".s")
    with open(source, "w") as f:
        f.write("\n".join(text + data) + "\n")
    args = ["gcc", "-shared", "-nostdlib", "-o", os.path.join(out, soname), f"-Wl,-soname,{soname}", source]
    if versions:
        script = os.path.join(workdir, soname + ".map")
        with open(script, "w") as f:
            f.write("".join(f"{v} {{ }};\n" for v in sorted(versions)))
        args.append(f"-Wl,--version-script,{script}")
    run(*args)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("archive", help="the .tar.xz to write")
    parser.add_argument("--host-openblas", action="store_true", help="leave libopenblas (and libgfortran) out")
    args = parser.parse_args()

    paths = resolved(args.binary)
    wanted = set()
    for lib in FFMPEG:
        wanted |= {line.split()[-1] for line in run("nm", "-D", "--undefined-only", paths[lib]).splitlines()}
    stubbed = {dep for lib in FFMPEG for dep in needed(paths[lib])} - set(FFMPEG) - CALLED - HOST

    with tempfile.TemporaryDirectory() as work:
        lib = os.path.join(work, "pack", "lib")
        os.makedirs(lib)
        todo, seen = needed(args.binary), set()
        while todo:
            soname = todo.pop()
            if soname in seen or soname in HOST or (args.host_openblas and soname in OPENBLAS):
                continue
            seen.add(soname)
            if soname in stubbed:
                make_stub(soname, paths[soname], wanted, work, lib)
            else:
                shutil.copy(paths[soname], lib)
                run("strip", "--strip-unneeded", os.path.join(lib, soname))
                todo += needed(paths[soname])
        binary = os.path.join(work, "pack", "maxim-video")
        run("strip", "--strip-unneeded", "-o", binary, args.binary)
        subprocess.run(f"tar -C '{work}/pack' -cf - lib maxim-video | xz -9 -T2 > '{args.archive}'", shell=True,
                       check=True)
    print(f"{args.archive}: {len(seen)} libraries ({len(stubbed & seen)} stubbed), "
          f"{os.path.getsize(args.archive) / 2**20:.1f} MiB", file=sys.stderr)


if __name__ == "__main__":
    main()
