<#
.SYNOPSIS
    Start-FaceTraining in a child process (the default on Linux) against -InProcess, on the same synthetic job.
.DESCRIPTION
    Each measurement is a fresh pwsh that imports the laid-out module and trains <Network> at <Batch> on synthetic
    identities for <Steps> steps, logging every step; its speed is the mean of the samples/s that arcface_torch's log
    line reports, leaving out the first two steps (warm-up). The two ways alternate, <Rounds> times each, and the
    ratio is child / in-process over all their steps. Run it alone on the machine: it prints the load average.

        dotnet tool run pwsh -NoProfile -File bench/ChildProcessBench/run.ps1 [-Network mbf] [-Batch 64] [-Steps 10] [-Rounds 2]
#>
param([string]$Network = 'mbf', [int]$Batch = 64, [int]$Steps = 10, [int]$Rounds = 2,
      [string]$Module = (Join-Path $PSScriptRoot '../../out/InsightFace'))
$ErrorActionPreference = 'Stop'
$module = (Resolve-Path $Module).Path
$images = $Batch * $Steps
$set = "@{ rec = 'synthetic'; network = '$Network'; num_classes = $([int]($images / 4)); num_image = $images; batch_size = $Batch; num_epoch = 1; frequent = 1; verbose = 1000000; val_targets = @(); warmup_epoch = 0 }"
function Get-LoadAverage { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' }

Write-Output "Start-FaceTraining, $Network at batch $Batch, $Steps steps; $([Environment]::ProcessorCount) CPUs, load average $(Get-LoadAverage)"
$speeds = @{ child = [Collections.Generic.List[double]]::new(); 'in-process' = [Collections.Generic.List[double]]::new() }
for ($round = 1; $round -le $Rounds; $round++) {
    foreach ($way in 'child', 'in-process') {
        $run = Join-Path ([IO.Path]::GetTempPath()) "childprocessbench-$way"
        $switch = if ($way -eq 'in-process') { '-InProcess' } else { '' }
        $script = "Import-Module '$module'; `$null = Start-FaceTraining -Set $set -OutputPath '$run' -Force $switch -InformationVariable m; `$m | ForEach-Object { `"`$(`$_.MessageData)`" }"
        $lines = & ([Environment]::ProcessPath) @(if ((Split-Path -Leaf ([Environment]::ProcessPath)) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' }) -NoProfile -Command $script
        $perStep = @($lines | ForEach-Object { if ($_ -match '^Speed ([0-9.]+) samples/sec') { [double]$Matches[1] } })
        $kept = $perStep | Select-Object -Skip 2
        $kept | ForEach-Object { $speeds[$way].Add($_) }
        $shown = ($perStep | ForEach-Object { $_.ToString('F1') }) -join ' '
        Write-Output ("round {0} {1,-10} samples/s per step: {2}   mean of steps 3+: {3:F2}" -f $round, $way, $shown, ($kept | Measure-Object -Average).Average)
        Remove-Item -Recurse -Force $run -ErrorAction Ignore
    }
}
$child = ($speeds.child | Measure-Object -Average).Average
$here = ($speeds['in-process'] | Measure-Object -Average).Average
Write-Output ("{0} batch {1}: child {2:F2} samples/s, in-process {3:F2}: ratio {4:F2}x ({5} rounds); load average at the end {6}" -f $Network, $Batch, $child, $here, ($child / $here), $Rounds, (Get-LoadAverage))
