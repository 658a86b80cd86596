<#
.SYNOPSIS
    The main job end to end on built-in data: dataset, OFRecord, training, verification, ONNX.
.DESCRIPTION
    Runs each stage that this version of the module provides and says which stages are not there yet.
.PARAMETER ModulePath
    The laid-out module folder (build.ps1 passes out/InsightFace).
.PARAMETER OutputPath
    Where the demo writes its files. Defaults to a new temporary folder.
.EXAMPLE
    ./examples/Invoke-Demo.ps1 -ModulePath ./out/InsightFace
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $OutputPath = (Join-Path ([IO.Path]::GetTempPath()) "insightface-demo-$PID")
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Import-Module $ModulePath

Write-Output '== Runtime'
Get-InsightFaceInfo | Format-List ModuleVersion, TorchSharpVersion, LibTorchVersion, LibTorchPath, Backend, CpuThreads, CudaDeviceCount

$stages = 'Get-FaceDataset', 'ConvertTo-OFRecord', 'Start-FaceTraining', 'Test-FaceVerification', 'Export-FaceOnnx'
$missing = @($stages | Where-Object { -not (Get-Command $_ -Module InsightFace -ErrorAction Ignore) })
if ($missing) {
    Write-Output "Stages not in this version yet: $($missing -join ', ')"
}
