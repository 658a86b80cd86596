<#
.SYNOPSIS
    The main job end to end on built-in data: dataset, OFRecord, training, verification, ONNX.
.DESCRIPTION
    1. Makes 40 synthetic identities (30 images each) and a .bin of 300 pairs of 50 other, unseen identities.
    2. Converts them to OneFlow OFRecord parts (the .bin is copied beside the parts).
    3. Trains a MobileFaceNet on the parts with examples/configs/synthetic_mbf.yaml (a few minutes on 2 cores).
    4. Verifies the checkpoint on the unseen pairs with the InsightFace protocol.
    5. Exports it to ONNX and checks ONNX Runtime against TorchSharp.
    6. Verifies the ONNX file too.
    7. Plots the training curves.
    Progress bars are off (they would flood a log); instead each stage ends with a line that gives its time, and a
    table of the stage times and the total comes last.
.PARAMETER ModulePath
    The laid-out module folder (build.ps1 passes out/InsightFace).
.PARAMETER OutputPath
    Where the demo writes its files. Defaults to out/demo beside the module; replaced on every run.
.PARAMETER Quick
    A tiny run (4 identities, 20 pairs, 4 training steps) that goes through every stage in about a minute, to check
    that the demo works; its accuracy means nothing.
.EXAMPLE
    ./examples/Invoke-Demo.ps1 -ModulePath ./out/InsightFace
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $OutputPath = (Join-Path (Split-Path -Parent $ModulePath) 'demo'),
    [switch] $Quick
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
$ProgressPreference = 'SilentlyContinue'

# Each stage ends with Complete-Stage, which prints the stage's time (from the end of the previous stage) and keeps it
# for the table at the end.
$stages = [System.Collections.Generic.List[object]]::new()
$clock = [System.Diagnostics.Stopwatch]::StartNew()
function Format-Duration([TimeSpan] $Time) { '{0}:{1:mm\:ss\.f}' -f [int][Math]::Floor($Time.TotalHours), $Time }
function Complete-Stage([string] $Name) {
    $end = $clock.Elapsed
    $time = $end - $(if ($stages.Count) { $stages[-1].End } else { [TimeSpan]::Zero })
    $stages.Add([pscustomobject]@{ Stage = $Name; Time = $time; End = $end })
    Write-Output "-- $Name took $(Format-Duration $time)"
}

$size = if ($Quick) { @{ Classes = 4; ImagesPerClass = 4; Pairs = 20; Parts = 2; Set = @{ num_classes = 4; num_image = 16; num_epoch = 1; batch_size = 4; warmup_epoch = 0; frequent = 2; embedding_size = 16 } } }
        else { @{ Classes = 40; ImagesPerClass = 30; Pairs = 300; Parts = 4; Set = @{} } }

Write-Output '== Runtime'
# Resolved first: Import-Module reads a relative path without ./ (out/InsightFace) as a module name and looks for it
# in PSModulePath.
Import-Module (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$configs = Join-Path $PSScriptRoot 'configs'
if (Test-Path $OutputPath) { Remove-Item -Recurse -Force $OutputPath }
$null = New-Item -ItemType Directory -Path $OutputPath
Get-InsightFaceInfo | Format-List ModuleVersion, TorchSharpVersion, LibTorchVersion, Backend, CpuThreads
Complete-Stage 'Runtime (import)'

Write-Output '== 1. Dataset: synthetic identities, and a .bin of unseen ones'
$dataset = Get-FaceDataset -Synthetic -Classes $size.Classes -ImagesPerClass $size.ImagesPerClass -Seed 2048 `
    -VerificationPairs $size.Pairs -OutputPath (Join-Path $OutputPath 'synthetic_pairs.bin')
$dataset | Format-Table
Complete-Stage '1. Dataset'

Write-Output '== 2. OFRecord'
$ofrecord = $dataset | ConvertTo-OFRecord -OutputPath (Join-Path $OutputPath 'ofrecord') -Parts $size.Parts
$ofrecord | Format-Table
Complete-Stage '2. OFRecord'

Write-Output '== 3. Training (examples/configs/synthetic_mbf.yaml)'
$checkpoint = $ofrecord | Start-FaceTraining -Config (Join-Path $configs 'synthetic_mbf.yaml') -Set $size.Set `
    -OutputPath (Join-Path $OutputPath 'run')
$checkpoint | Format-Table
Complete-Stage '3. Training'

Write-Output '== 4. Verification on identities the model never saw'
$checkpoint | Test-FaceVerification -Target synthetic_pairs | Format-Table   # found beside the training data
Complete-Stage '4. Verification'

Write-Output '== 5. ONNX export'
$onnx = $checkpoint | Export-FaceOnnx -OutputPath (Join-Path $OutputPath 'synthetic_mbf.onnx') -Verify
$onnx | Format-Table
Complete-Stage '5. ONNX export'

Write-Output '== 6. Verification of the ONNX file'
Test-FaceVerification -ModelPath $onnx.ModelPath -Target synthetic_pairs -DataPath $ofrecord.DatasetPath | Format-Table
Complete-Stage '6. ONNX verification'

Write-Output '== 7. Training curves'
($checkpoint | Show-FaceTrainingCurve).FullName
Complete-Stage '7. Training curves'

Write-Output '== Stage times'
$total = [pscustomobject]@{ Stage = 'Total'; Time = $clock.Elapsed }
@($stages) + $total | Format-Table Stage, @{ Name = 'Time'; Expression = { Format-Duration $_.Time }; Alignment = 'Right' },
    @{ Name = 'Share'; Expression = { '{0:0} %' -f (100 * $_.Time.Ticks / $total.Time.Ticks) }; Alignment = 'Right' }
Write-Output "Done: everything is in $OutputPath"
