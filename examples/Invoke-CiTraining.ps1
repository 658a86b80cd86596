<#
.SYNOPSIS
    A CI job: trains with a config, fails unless the checkpoint reaches an accuracy, and exports it to ONNX.
.DESCRIPTION
    Meant for `pwsh -File` in a CI step whose output goes to a log (docs/usage/training.md, "Running in CI"):
    - the training's periodic log lines are shown as they come (-InformationAction Continue); without it, progress
      bars are all a training shows, and a log gets none of them, so it stays silent until the run ends;
    - tables are written as plain text ($PSStyle.OutputRendering): PowerShell's default rendering keeps its colour
      codes in what pwsh writes to a redirected stdout;
    - any error ends the script with exit code 1; a verification below -MinimumAccuracy does so after the table of
      every target's results, and nothing is exported.
    A re-run (a cancelled job, for example) continues the run in -OutputPath with -Resume; a finished run is not
    trained again.
.PARAMETER ModulePath
    The laid-out module folder (out/InsightFace), or the name of an installed module.
.PARAMETER Config
    The training config (YAML).
.PARAMETER Dataset
    The training data; the config's rec when not given.
.PARAMETER OutputPath
    The run folder.
.PARAMETER Target
    The verification sets (names or .bin paths); names are also looked up beside the training data.
.PARAMETER DataPath
    Folders to look for the verification sets in.
.PARAMETER MinimumAccuracy
    The job fails when a target's accuracy (0-1) is below this.
.PARAMETER OnnxPath
    Where the ONNX model is written (replaced if it exists).
.EXAMPLE
    pwsh -File examples/Invoke-CiTraining.ps1 -ModulePath out/InsightFace -Config job.yaml -OutputPath work_dirs/job -Target lfw -DataPath data -MinimumAccuracy 0.99 -OnnxPath job.onnx
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Config,
    [string] $Dataset,
    [Parameter(Mandatory)] [string] $OutputPath,
    [Parameter(Mandatory)] [string[]] $Target,
    [string[]] $DataPath = @(),
    [Parameter(Mandatory)] [double] $MinimumAccuracy,
    [Parameter(Mandatory)] [string] $OnnxPath
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
# Resolved first: Import-Module reads a relative path without ./ (out/InsightFace) as a module name and looks for it
# in PSModulePath.
Import-Module (Resolve-Path -LiteralPath $ModulePath).ProviderPath

$training = @{ Config = $Config; OutputPath = $OutputPath; Resume = (Test-Path (Join-Path $OutputPath 'checkpoints')) }
if ($Dataset) { $training.Dataset = $Dataset }
$checkpoint = Start-FaceTraining @training -InformationAction Continue
$checkpoint | Format-Table
# A target below the minimum is an error; the results are shown first, so that the log has every target's numbers.
$results = $checkpoint | Test-FaceVerification -Target $Target -DataPath $DataPath -MinimumAccuracy $MinimumAccuracy `
    -ErrorAction Continue -ErrorVariable failures
$results | Format-Table
if ($failures) { exit 1 }
$checkpoint | Export-FaceOnnx -OutputPath $OnnxPath -Verify -Force | Format-Table
