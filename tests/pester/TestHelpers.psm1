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

Export-ModuleMember -Function Get-ModuleUnderTest, Invoke-FreshPwsh
