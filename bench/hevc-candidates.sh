#!/usr/bin/env bash
# Candidates for the HEVC path (issue 15, point 2), measured side by side in one run on the bench's
# 1080p HEVC source (bench/media.ts makes it: BENCH_MEDIA_SECONDS, default 30 here): the light
# 480p rendition alone, the 720p one alone, both from one decode (split), and the light one with the
# 720p one after it or alongside it at nice 19 (`BENCH_HEVC_ONLY_PAIRS=1`: only these). Prints a TSV table:
# candidate, seconds, seconds / duration, output kbit/s.
#   BENCH_MEDIA_SECONDS=30 bash bench/hevc-candidates.sh
set -euo pipefail
S=${BENCH_MEDIA_SECONDS:-30}
SRC=${SRC:-${TMPDIR:-/tmp}/media-bench/hevc-1080p30-${S}s.mov}
[ -f "$SRC" ] || { echo "no $SRC: run BENCH_MEDIA_SECONDS=$S npx tsx bench/first-playable.ts first" >&2; exit 1; }
OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT
FIT480="scale=w='min(iw,854)':h='min(ih,480)':force_original_aspect_ratio=decrease:force_divisible_by=2"
FIT720="scale=w='min(iw,1280)':h='min(ih,720)':force_original_aspect_ratio=decrease:force_divisible_by=2"
LIGHT=(-c:v libx264 -b:v 600k -maxrate 700k -bufsize 1400k -profile:v main -pix_fmt yuv420p -c:a aac -b:a 64k -movflags +faststart)
HIGH=(-c:v libx264 -preset veryfast -crf 23 -profile:v high -pix_fmt yuv420p -c:a aac -b:a 128k -movflags +faststart)
run() { # name, then ffmpeg args
	local name=$1; shift
	local t0=$(date +%s.%N)
	ffmpeg -v error -hide_banner -nostdin -y "$@"
	local t=$(echo "$(date +%s.%N) - $t0" | bc)
	local kb=$(du -b "$OUT"/$name*.mp4 2>/dev/null | awk -v s=$S '{k=k" "int($1*8/s/1000)} END {print k}')
	printf '%s\t%.1f\t%.3f\t%s\t(load %s)\n' "$name" "$t" "$(echo "$t / $S" | bc -l)" "$kb" "$(cut -d' ' -f1 /proc/loadavg)"
}
if [ "${BENCH_HEVC_ONLY_PAIRS:-0}" != 1 ]; then
printf 'candidate\tsec\tratio\tkbit/s\n'
run light_veryfast -threads 0 -i "$SRC" -vf "$FIT480,format=yuv420p" -preset veryfast "${LIGHT[@]}" "$OUT/light_veryfast.mp4"
run light_superfast_skiplf -threads 0 -skip_loop_filter all -i "$SRC" -vf "$FIT480,format=yuv420p" -preset superfast "${LIGHT[@]}" "$OUT/light_superfast_skiplf.mp4"
run light_superfast_skiplf_fastbilinear -threads 0 -skip_loop_filter all -i "$SRC" -vf "$FIT480:flags=fast_bilinear,format=yuv420p" -preset superfast "${LIGHT[@]}" "$OUT/light_superfast_skiplf_fastbilinear.mp4"
run light_superfast_skiplf_bilinear -threads 0 -skip_loop_filter all -i "$SRC" -vf "$FIT480:flags=bilinear,format=yuv420p" -preset superfast "${LIGHT[@]}" "$OUT/light_superfast_skiplf_bilinear.mp4"
run light_superfast_skiplf_fastdecode -threads 0 -skip_loop_filter all -i "$SRC" -vf "$FIT480,format=yuv420p" -preset superfast -tune fastdecode "${LIGHT[@]}" "$OUT/light_superfast_skiplf_fastdecode.mp4"
run light_ultrafast_skiplf -threads 0 -skip_loop_filter all -i "$SRC" -vf "$FIT480,format=yuv420p" -preset ultrafast "${LIGHT[@]}" "$OUT/light_ultrafast_skiplf.mp4"
run high_veryfast -threads 0 -i "$SRC" -vf "$FIT720,format=yuv420p" "${HIGH[@]}" "$OUT/high_veryfast.mp4"
run both_split -threads 0 -i "$SRC" -filter_complex "[0:v]$FIT720,format=yuv420p,split=2[h][l0];[l0]$FIT480[l]" \
	-map '[l]' -map 0:a:0 -preset superfast "${LIGHT[@]}" "$OUT/both_split_light.mp4" \
	-map '[h]' -map 0:a:0 "${HIGH[@]}" "$OUT/both_split_high.mp4"
fi
# The chosen light rendition, then the 720p one after it (what the pipeline does) against the 720p
# one started alongside it by a second ffmpeg at nice 19 (a candidate, rejected: see the README):
# first playable = the light one's end, all = both ends. BENCH_HEVC_ROUNDS rounds (default 2), alternating.
LIGHT_NOW=(-threads 0 -skip_loop_filter all -i "$SRC" -vf "$FIT480:flags=bilinear,format=yuv420p" -preset superfast "${LIGHT[@]}")
pair() { # name, then the command prefix of the 720p ffmpeg ('' = after the light one)
	local name=$1 nice=$2 t0 t1 t2 hp
	t0=$(date +%s.%N)
	if [ -n "$nice" ]; then nice -n "$nice" ffmpeg -v error -hide_banner -nostdin -y -threads 0 -i "$SRC" -vf "$FIT720,format=yuv420p" "${HIGH[@]}" "$OUT/pair_high.mp4" & hp=$!; fi
	ffmpeg -v error -hide_banner -nostdin -y "${LIGHT_NOW[@]}" "$OUT/pair_light.mp4"
	t1=$(date +%s.%N)
	if [ -n "$nice" ]; then wait "$hp"; else ffmpeg -v error -hide_banner -nostdin -y -threads 0 -i "$SRC" -vf "$FIT720,format=yuv420p" "${HIGH[@]}" "$OUT/pair_high.mp4"; fi
	t2=$(date +%s.%N)
	printf '%s\tfirst %.1f (%.3f)\tall %.1f (%.3f)\t(load %s)\n' "$name" "$(echo "$t1 - $t0" | bc)" "$(echo "($t1 - $t0) / $S" | bc -l)" "$(echo "$t2 - $t0" | bc)" "$(echo "($t2 - $t0) / $S" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)"
}
for _ in $(seq "${BENCH_HEVC_ROUNDS:-2}"); do
	pair light_then_high ''
	pair high_alongside_nice19 19
done
