#!/usr/bin/env bash
# Two trainings on one machine: each one's speed beside the other, as a ratio to a training alone, with libtorch's
# threads fixed at the machine's cores (-ThreadsPerProcess, the old default) and chosen from the free cores (the
# default now, ThreadBudget). All four measurements in one run, on a synthetic MobileFaceNet training (mbf, batch 16,
# 60 steps); speeds are the mean of the logged samples/s after the first two logs.
#
#   bash bench/SharedCpuBench/run.sh        (after build.ps1 -Task Layout; run it alone on the machine)
set -euo pipefail
cd "$(dirname "$0")/../.."
cores=$(nproc)
logs=$(mktemp -d)

train() { # $1: log file, $2: extra Start-FaceTraining arguments
  dotnet tool run pwsh -NoProfile -c "
    Import-Module ./out/InsightFace
    \$set = @{ rec = 'synthetic'; num_classes = 120; num_image = 960; network = 'mbf'; embedding_size = 128; batch_size = 16
              num_epoch = 1; num_workers = 1; frequent = 10; val_targets = @(); lr = 0.05 }
    Start-FaceTraining -Set \$set -OutputPath (Join-Path '$logs' ([guid]::NewGuid())) $2 -InformationAction Continue |
      Out-Null" > "$1" 2>&1
}
speed() { grep -o 'Speed [0-9.]*' "$1" | tail -n +3 | awk '{ s += $2; n++ } END { printf "%.2f", s / n }'; }

echo "load average: $(cat /proc/loadavg); $cores cores"
printf '%-28s %12s %12s %12s\n' threads 'alone s/s' 'pair s/s' 'pair/alone'
for mode in fixed free; do
  extra=$([ $mode = fixed ] && echo "-ThreadsPerProcess $cores" || echo "")
  train "$logs/$mode-alone" "$extra"
  train "$logs/$mode-a" "$extra" & train "$logs/$mode-b" "$extra"; wait
  alone=$(speed "$logs/$mode-alone"); a=$(speed "$logs/$mode-a"); b=$(speed "$logs/$mode-b")
  label=$([ $mode = fixed ] && echo "fixed at $cores" || echo "from free cores (default)")
  printf '%-28s %12s %12s %12s\n' "$label" "$alone" "$a, $b" "$(awk -v a=$a -v b=$b -v s=$alone 'BEGIN { printf "%.2f, %.2f", a / s, b / s }')"
done
echo "load average: $(cat /proc/loadavg)"
rm -rf "$logs"
