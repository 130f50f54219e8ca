#!/usr/bin/env bash
# Offline: mean PSNR (RGB, 8-bit) of FFmpeg's own denoisers on a noisy/clean PNG sequence, over a grid of
# strengths, so the shipped denoise model can be compared with the best of them (issue: default models).
# Usage: tools/eval/ffmpeg_denoise_baselines.sh NOISY_DIR CLEAN_DIR   (each holding %04d.png)
set -euo pipefail
noisy=$1 clean=$2
psnr() {  # filter graph → mean PSNR over frames, computed in RGB24 by ffmpeg's psnr filter
    ffmpeg -v error -i "$noisy/%04d.png" -i "$clean/%04d.png" -lavfi \
        "[0:v]$1,format=rgb24[a];[1:v]format=rgb24[b];[a][b]psnr=stats_file=-" -f null - 2>/dev/null |
        awk '{for(i=1;i<=NF;i++) if ($i ~ /^psnr_avg:/) {split($i,a,":"); s+=a[2]; n++}} END {printf "%.3f", s/n}'
}
echo "filter,setting,mean_psnr_db"
echo "none,,$(psnr null)"
for s in 10 16 24 32 48; do echo "hqdn3d,luma_spatial=$s,$(psnr "hqdn3d=$s:$s:$((s*3/2)):$((s*3/2))")"; done
for s in 10 14 18 24; do echo "nlmeans,s=$s,$(psnr "nlmeans=s=$s:p=7:r=15")"; done
for t in 30 45 60 80; do echo "vaguedenoiser,threshold=$t,$(psnr "vaguedenoiser=threshold=$t:nsteps=6")"; done
# bm3d needs planar input; `block` is log2 of the patch size; its sigma is not on the 0–255 noise scale
# (σ = 25 noise is best served near sigma = 100 here), hence the wide grid.
for s in 75 100 125 150; do echo "bm3d,sigma=$s group=1,$(psnr "format=gbrp,bm3d=sigma=$s:block=4:bstep=4:group=1:estim=basic")"; done
for s in 100 125; do echo "bm3d,sigma=$s group=8,$(psnr "format=gbrp,bm3d=sigma=$s:block=4:bstep=4:group=8:estim=basic")"; done
