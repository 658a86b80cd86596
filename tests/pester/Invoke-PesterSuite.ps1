<#
.SYNOPSIS
    Runs the Pester suite against the laid-out module and writes the counts for build.ps1.
.DESCRIPTION
    Reads INSIGHTFACE_PESTER (path of Pester.psd1), INSIGHTFACE_MODULE (the laid-out module folder) and
    INSIGHTFACE_TEST_RESULTS (where to write {Passed, Failed, Skipped, FailedNames} as JSON). build.ps1 -Task Test sets them.
.EXAMPLE
    ./tests/pester/Invoke-PesterSuite.ps1
#>
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Import-Module $env:INSIGHTFACE_PESTER -MinimumVersion 5.7

$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.Output.RenderMode = 'Plaintext'
$result = Invoke-Pester -Configuration $configuration

[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount + $result.NotRunCount
    FailedNames = @(@($result.Failed | ForEach-Object { $_.ExpandedPath }) +
        @($result.FailedBlocks | ForEach-Object { $_.ExpandedPath }) +
        @($result.FailedContainers | ForEach-Object { $_.Item }))
} | ConvertTo-Json | Set-Content -Path $env:INSIGHTFACE_TEST_RESULTS
exit ([int]($result.Result -ne 'Passed'))
