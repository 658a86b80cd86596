# Shared by the Pester suites: where the laid-out module is, and a way to run script in a fresh pwsh.

function Get-ModuleUnderTest {
    <# The laid-out module folder (out/InsightFace), from INSIGHTFACE_MODULE or the default build output. #>
    if ($env:INSIGHTFACE_MODULE) { return $env:INSIGHTFACE_MODULE }
    Join-Path $PSScriptRoot '../../out/InsightFace' | Resolve-Path | Select-Object -ExpandProperty Path
}

function Invoke-FreshPwsh {
    <#
    Runs $Script in a new pwsh process and returns its output lines; what it writes as JSON comes back as text.
    -CrashAt names a commit step (INSIGHTFACE_TEST_CRASH_AT) at which the child kills itself, as kill -9 would.
    #>
    param([Parameter(Mandatory)] [string] $Script, [string] $CrashAt)
    $processPath = [Environment]::ProcessPath
    [string[]] $prefix = if ((Split-Path -Leaf $processPath) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' } else { @() }
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes("`$PSStyle.OutputRendering = 'PlainText'`n$Script"))
    if ($CrashAt) { $env:INSIGHTFACE_TEST_CRASH_AT = $CrashAt }
    try { & $processPath @prefix -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" } }
    finally { Remove-Item Env:INSIGHTFACE_TEST_CRASH_AT -ErrorAction Ignore }
    # Pester runs tests in scopes of its own, so the child's exit code is handed over explicitly.
    $global:FreshPwshExitCode = $LASTEXITCODE
}

function Get-FixturePath {
    <# The shared fixtures folder (INSIGHTFACE_FIXTURES, or ../shared/fixtures beside the clone), or $Path inside it. #>
    param([string] $Path)
    $root = if ($env:INSIGHTFACE_FIXTURES) { $env:INSIGHTFACE_FIXTURES } else { Join-Path $PSScriptRoot '../../../shared/fixtures' }
    if ($Path) { Join-Path $root $Path } else { $root }
}

function Skip-MissingFixture {
    <#
    In an It block: skips the test, saying why, when the fixture $Path (wildcards allowed) is missing; where fixtures
    are required (INSIGHTFACE_REQUIRE_FIXTURES=1, as .ci/run sets) a missing fixture fails the test instead.
    #>
    param([Parameter(Mandatory)] [string] $Path)
    if (Test-Path $Path) { return }
    if ($env:INSIGHTFACE_REQUIRE_FIXTURES -eq '1') { throw "Fixture $Path is missing, and INSIGHTFACE_REQUIRE_FIXTURES=1 requires it." }
    Set-ItResult -Skipped -Because "fixture $Path is not present (INSIGHTFACE_REQUIRE_FIXTURES=1 makes this a failure)"
}

function Skip-WhereCudaIsPresent {
    <# In an It block about machines without CUDA: skips the test, saying why, where libtorch sees a CUDA device. #>
    if ((Get-InsightFaceInfo).CudaDeviceCount -gt 0) {
        Set-ItResult -Skipped -Because 'this machine has a CUDA device, and the test is about machines without one'
    }
}

function Get-TinyTrainingSet {
    <# Six synthetic identities, a MobileFaceNet at embedding 32, batch 4: one epoch of 6 steps takes seconds. A new table each call. #>
    @{
        rec = 'synthetic'; num_classes = 6; num_image = 24; network = 'mbf'; embedding_size = 32; batch_size = 4
        num_epoch = 1; num_workers = 1; frequent = 2; val_targets = @(); lr = 0.05
    }
}

Export-ModuleMember -Function Get-ModuleUnderTest, Invoke-FreshPwsh, Get-FixturePath, Skip-MissingFixture, Skip-WhereCudaIsPresent, Get-TinyTrainingSet
