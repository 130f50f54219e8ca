#!/usr/bin/env bash
# Offline: the shipped models' acceptance numbers (models/MODEL_CARD.md), measured in one run with the release
# binary: mean PSNR/SSIM gains on the shared evaluation clips, FFmpeg's best denoisers on the same noisy clip, seconds
# per frame, and side-by-side previews of the real inputs (no ground truth) for docs/previews/.
#
# Usage: tools/eval/acceptance.sh SHARED_DATA_DIR OUT_DIR [denoise|deblur|all]
#   e.g. tools/eval/acceptance.sh ../shared/data /tmp/acceptance all
# Needs: swift build -c release, the ffmpeg CLI (scripts/setup installs it).
set -euo pipefail
data=$(cd "$1" && pwd) out=$2 what=${3:-all}
repo="$(cd "$(dirname "$0")/../.." && pwd)"
mv="$repo/.build/release/maxim-video"
mkdir -p "$out" "$repo/docs/previews"
ff() { ffmpeg -nostdin -v error -y "$@"; }
mean() {  # eval arguments… → "PSNR SSIM"
    "$mv" eval --json "$@" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.3f %.4f" % (r["mean_psnr"], r["mean_ssim"]))'
}
timed() {  # command… → prints wall seconds
    local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null 2>"$out/last.log" || { cat "$out/last.log" >&2; return 1; }
    t1=$(date +%s.%N); python3 -c "print(f'{$t1 - $t0:.2f}')"
}
# input | output side by side (cropped to a region), for clips without ground truth.
pair() {  # IN OUT PNG [crop]
    local crop=${4:-iw:ih:0:0}
    ff -i "$1" -i "$2" -filter_complex "[0:v]crop=$crop,format=rgb24[a];[1:v]crop=$crop,format=rgb24[b];[a][b]hstack" \
        -frames:v 1 "$3"
}

if [ "$what" = denoise ] || [ "$what" = all ]; then
    n01="$data/clips/n01_fig_360p"
    frames=$(ls "$n01/noisy_png" | wc -l)
    rm -rf "$out/n01"; mkdir -p "$out/n01/ours"
    secs=$(timed "$mv" denoise "$n01/noisy_png/%04d.png" -o "$out/n01/ours/%04d.png" --overwrite)
    echo "denoise n01_fig_360p ($frames frames 640x360): $secs s"
    echo "  noisy input: $(mean --reference "$n01/clean_png/%04d.png" --restored "$n01/noisy_png/%04d.png") (PSNR dB, SSIM)"
    echo "  maxim-video denoise: $(mean --reference "$n01/clean_png/%04d.png" --restored "$out/n01/ours/%04d.png")"
    # FFmpeg's denoisers at the best strength of docs/ffmpeg-denoise-baselines-n01.csv, in this same run.
    while IFS='|' read -r name graph; do
        mkdir -p "$out/n01/$name"
        ff -i "$n01/noisy_png/%04d.png" -vf "$graph,format=rgb24" "$out/n01/$name/%04d.png"
        echo "  ffmpeg $name ($graph): $(mean --reference "$n01/clean_png/%04d.png" --restored "$out/n01/$name/%04d.png")"
    done <<'EOF'
hqdn3d|hqdn3d=24:24:36:36
vaguedenoiser|vaguedenoiser=threshold=60:nsteps=6
nlmeans|nlmeans=s=18:p=7:r=15
bm3d|format=gbrp,bm3d=sigma=100:block=4:bstep=4:group=1:estim=basic
EOF
    "$mv" eval --reference "$n01/clean_png/%04d.png" --restored "$out/n01/ours/%04d.png" \
        --input "$n01/noisy_png/%04d.png" --preview "$repo/docs/previews/denoise-n01.png" \
        --preview-region 160,60,320,240 > /dev/null
    for f in "$data"/real/maxim_sidd_*.png; do
        name=$(basename "$f" .png)
        "$mv" denoise "$f" -o "$out/$name-denoised.png" --overwrite 2>/dev/null
        pair "$f" "$out/$name-denoised.png" "$repo/docs/previews/denoise-$name.png"
    done
    # 1280x720 for the speed figure: the first GoPro frame with σ = 25 noise made by ffmpeg, 12 frames of 8-bit
    # H.264 in and the default H.264 out, as a user's clip would be (a 16-bit ffv1 round trip alone costs ~0.7 s
    # per 720p frame here, which would swamp the model's share).
    ff -loop 1 -i "$data/real/maxim_gopro_1fromGOPR0950.png" -vf noise=alls=25:allf=t,format=yuv420p -frames:v 12 \
        -c:v libx264 -crf 12 "$out/720p-noisy.mp4"
    secs=$(timed "$mv" process "$out/720p-noisy.mp4" -o "$out/720p-identity.mp4" --stage identity --overwrite)
    echo "identity (decode + encode only) 1280x720: 12 frames in $secs s"
    secs=$(timed "$mv" denoise "$out/720p-noisy.mp4" -o "$out/720p-denoised.mp4" --overwrite)
    echo "denoise 1280x720: 12 frames in $secs s"
fi

if [ "$what" = deblur ] || [ "$what" = all ]; then
    for clip in c01_meadow_720p c02_cups_360p; do
        c="$data/clips/$clip"
        frames=$("$mv" probe "$c/blurry.mp4" --json | python3 -c 'import json,sys; print([s for s in json.load(sys.stdin)["streams"] if s["type"]=="video"][0]["frameCount"])')
        secs=$(timed "$mv" deblur "$c/blurry.mp4" -o "$out/$clip-deblurred.mkv" --codec ffv1 --overwrite)
        echo "deblur $clip ($frames frames): $secs s"
        echo "  blurry input: $(mean --reference "$c/sharp.mkv" --restored "$c/blurry.mp4")"
        echo "  maxim-video deblur: $(mean --reference "$c/sharp.mkv" --restored "$out/$clip-deblurred.mkv")"
        "$mv" eval --reference "$c/sharp.mkv" --restored "$out/$clip-deblurred.mkv" --input "$c/blurry.mp4" \
            --preview "$repo/docs/previews/deblur-$clip.png" > /dev/null
    done
    for f in "$data"/real/maxim_gopro_1fromGOPR0950.png "$data"/real/maxim_gopro_109fromGOPR1096.png; do
        name=$(basename "$f" .png)
        "$mv" deblur "$f" -o "$out/$name-deblurred.png" --overwrite 2>/dev/null
        pair "$f" "$out/$name-deblurred.png" "$repo/docs/previews/deblur-$name.png" 480:360:400:180
    done
fi
