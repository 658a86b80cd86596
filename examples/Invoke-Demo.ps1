<#
.SYNOPSIS
    The main job end to end on built-in data: dataset, OFRecord, training, verification, ONNX.
.DESCRIPTION
    1. Makes 40 synthetic identities (40 images each) and a .bin of 600 pairs of 50 other, unseen identities.
    2. Converts them to OneFlow OFRecord parts (the .bin is copied beside the parts).
    3. Trains a MobileFaceNet on the parts with examples/configs/synthetic_mbf.yaml (a few minutes on 2 cores).
    4. Verifies the checkpoint on the unseen pairs with the InsightFace protocol.
    5. Exports it to ONNX, checks ONNX Runtime against TorchSharp, and verifies the ONNX file too.
    6. Plots the training curves.
.PARAMETER ModulePath
    The laid-out module folder (build.ps1 passes out/InsightFace).
.PARAMETER OutputPath
    Where the demo writes its files. Defaults to out/demo beside the module; replaced on every run.
.EXAMPLE
    ./examples/Invoke-Demo.ps1 -ModulePath ./out/InsightFace
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $OutputPath = (Join-Path (Split-Path -Parent $ModulePath) 'demo')
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$configs = Join-Path $PSScriptRoot 'configs'
if (Test-Path $OutputPath) { Remove-Item -Recurse -Force $OutputPath }
$null = New-Item -ItemType Directory -Path $OutputPath

Write-Output '== Runtime'
Get-InsightFaceInfo | Format-List ModuleVersion, TorchSharpVersion, LibTorchVersion, Backend, CpuThreads

Write-Output '== 1. Dataset: synthetic identities, and a .bin of unseen ones'
$dataset = Get-FaceDataset -Synthetic -Classes 40 -ImagesPerClass 40 -Seed 2048 -VerificationPairs 600 `
    -OutputPath (Join-Path $OutputPath 'synthetic_pairs.bin')
$dataset | Format-Table

Write-Output '== 2. OFRecord'
$ofrecord = $dataset | ConvertTo-OFRecord -OutputPath (Join-Path $OutputPath 'ofrecord') -Parts 4
$ofrecord | Format-Table

Write-Output '== 3. Training (examples/configs/synthetic_mbf.yaml)'
$checkpoint = $ofrecord | Start-FaceTraining -Config (Join-Path $configs 'synthetic_mbf.yaml') -OutputPath (Join-Path $OutputPath 'run')
$checkpoint | Format-Table

Write-Output '== 4. Verification on identities the model never saw'
$checkpoint | Test-FaceVerification -Target synthetic_pairs | Format-Table   # found beside the training data

Write-Output '== 5. ONNX'
$onnx = $checkpoint | Export-FaceOnnx -OutputPath (Join-Path $OutputPath 'synthetic_mbf.onnx') -Verify
$onnx | Format-Table
Test-FaceVerification -ModelPath $onnx.ModelPath -Target synthetic_pairs -DataPath $ofrecord.DatasetPath | Format-Table

Write-Output '== 6. Training curves'
($checkpoint | Show-FaceTrainingCurve).FullName
Write-Output "Done: everything is in $OutputPath"
