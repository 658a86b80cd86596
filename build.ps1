<#
.SYNOPSIS
    Builds, lays out, tests, packages and demonstrates the InsightFace module.
.DESCRIPTION
    Needs only the .NET SDK and the pwsh local tool (dotnet tool restore). Tasks:
      Build    compile the solution.
      Layout   lay the module out as users install it: out/InsightFace/<version>/ with the manifest, the cmdlet
               assembly, format data, help, and Dependencies/ holding the engine and every managed and native
               dependency (libtorch included, with the Debian 12 libstdc++ fix applied by the build).
      Test     Layout, then the xunit engine tests and the Pester module tests; prints one 'N passed, N failed' line.
      Package  Layout, then out/InsightFace-<version>-linux-x64.tar.gz.
      Demo     Layout, then examples/Invoke-Demo.ps1: the main job end to end on built-in data.
      Clean    remove out/ and the projects' bin/obj folders.
.PARAMETER Task
    One or more tasks, run in order.
.PARAMETER Configuration
    Release (default) or Debug.
.PARAMETER TorchBackend
    cpu (default) or cuda. cuda references TorchSharp-cuda-linux, which is not restorable on the project's CI.
.EXAMPLE
    dotnet tool run pwsh -NoProfile -File build.ps1 -Task Test
.EXAMPLE
    dotnet tool run pwsh -NoProfile -File build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Layout', 'Test', 'Package', 'Demo', 'Clean')]
    [string[]] $Task = @('Layout'),
    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',
    [ValidateSet('cpu', 'cuda')]
    [string] $TorchBackend = 'cpu'
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'

$root = $PSScriptRoot
$out = Join-Path $root 'out'
$version = ([xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))).Project.PropertyGroup.ModuleVersion |
    Where-Object { $_ } | Select-Object -First 1
$moduleRoot = Join-Path $out 'InsightFace'
$moduleDir = Join-Path $moduleRoot $version
$dotnetArgs = @('-c', $Configuration, "-p:TorchBackend=$TorchBackend", '-nologo', '-v', 'quiet')

# Files the native packages carry that nothing loads: Windows binaries, libtorch's Python and test libraries.
$notShipped = @('*.dll.so', 'onnxruntime.dll', 'onnxruntime_providers_shared.dll', 'libtorch_python.so', '*_test.so',
    'libbackend_with_compiler.so', 'libaoti_custom_ops.so', 'libnnapi_backend.so')

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

# A child pwsh of the same installation. Under the local tool this process is `dotnet pwsh.dll`; started that way
# the child needs no NuGet cache, which the Pester step replaces with an empty one.
function Invoke-Pwsh([string] $File, [string[]] $Arguments = @()) {
    $host_ = [Environment]::ProcessPath
    [string[]] $prefix = if ((Split-Path -Leaf $host_) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' } else { @() }
    & $host_ @prefix -NoProfile -NonInteractive -File $File @Arguments | Out-Host
    return $LASTEXITCODE
}

function Invoke-Build {
    Invoke-Dotnet build (Join-Path $root 'InsightFace.sln') @dotnetArgs
}

function Invoke-Layout {
    $dependencies = Join-Path $moduleDir 'Dependencies'
    Invoke-Dotnet publish (Join-Path $root 'src/InsightFace.Engine') @dotnetArgs -o $dependencies
    Invoke-Dotnet build (Join-Path $root 'src/InsightFace.PowerShell') @dotnetArgs
    foreach ($pattern in $notShipped) { Get-ChildItem -Path $dependencies -Filter $pattern | Remove-Item }

    $cmdlets = Join-Path $root "src/InsightFace.PowerShell/bin/$Configuration/net8.0"
    Copy-Item (Join-Path $cmdlets 'InsightFace.PowerShell.dll'), (Join-Path $cmdlets 'InsightFace.PowerShell.pdb') $moduleDir
    $formats = New-Item -ItemType Directory -Force -Path (Join-Path $moduleDir 'Formats')
    Copy-Item (Join-Path $root 'src/InsightFace.PowerShell/Formats/*.format.ps1xml') $formats
    $help = New-Item -ItemType Directory -Force -Path (Join-Path $moduleDir 'en-US')
    Copy-Item (Join-Path $root 'src/InsightFace.PowerShell/en-US/*.txt') $help
    (Get-Content -Raw (Join-Path $root 'InsightFace.psd1')).Replace('{{ModuleVersion}}', $version) |
        Set-Content -NoNewline -Path (Join-Path $moduleDir 'InsightFace.psd1')

    # Help is generated in a separate pwsh so that this process never loads the module it is building.
    $code = Invoke-Pwsh (Join-Path $root 'build/Write-ModuleHelp.ps1') @(
        '-ModuleDirectory', $moduleDir, '-XmlDocPath', (Join-Path $cmdlets 'InsightFace.PowerShell.xml'))
    if ($code -ne 0) { throw "help generation failed with exit code $code" }
    Write-Host "Module laid out in $moduleDir"
}

function Get-NuGetCache {
    $line = & dotnet nuget locals global-packages --list
    ($line -replace '^global-packages:\s*', '').Trim()
}

function Invoke-Test {
    Invoke-Layout
    Invoke-Dotnet restore (Join-Path $root 'build/tools/BuildTools.csproj') -nologo -v quiet
    $results = Join-Path $out 'test-results'
    Remove-Item -Recurse -Force $results -ErrorAction Ignore
    $null = New-Item -ItemType Directory -Path $results

    & dotnet test (Join-Path $root 'tests/InsightFace.Engine.Tests') @dotnetArgs --results-directory $results `
        --logger 'trx;LogFileName=engine.trx' --logger 'console;verbosity=normal'
    $counters = ([xml](Get-Content -Raw (Join-Path $results 'engine.trx'))).TestRun.ResultSummary.Counters
    $xunit = [pscustomobject]@{
        Passed = [int]$counters.passed
        Failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        # The trx logger counts a skipped test in neither notExecuted nor executed: only the difference shows it.
        Skipped = [int]$counters.total - [int]$counters.executed
    }

    # Pester runs in a child pwsh against the laid-out module, with an empty NuGet cache so that TorchSharp's
    # fall-back copy from the cache cannot hide a broken layout.
    $cache = Get-NuGetCache
    $emptyCache = Join-Path $out 'empty-nuget-cache'
    $null = New-Item -ItemType Directory -Force -Path $emptyCache
    $env:INSIGHTFACE_MODULE = $moduleRoot
    $env:INSIGHTFACE_PESTER = Join-Path $cache 'pester/5.7.1/tools/Pester.psd1'
    $env:INSIGHTFACE_OTHER_YAMLDOTNET = Join-Path $cache 'yamldotnet/16.3.0/lib/net8.0/YamlDotNet.dll'
    $env:INSIGHTFACE_PRISTINE_LIBTORCHSHARP = Join-Path $cache 'torchsharp/0.107.0/runtimes/linux-x64/native/libLibTorchSharp.so'
    $env:INSIGHTFACE_TEST_RESULTS = Join-Path $results 'pester.json'
    $savedCache = $env:NUGET_PACKAGES
    $env:NUGET_PACKAGES = $emptyCache
    try {
        $null = Invoke-Pwsh (Join-Path $root 'tests/pester/Invoke-PesterSuite.ps1')
    }
    finally {
        $env:NUGET_PACKAGES = $savedCache
    }
    $pester = if (Test-Path $env:INSIGHTFACE_TEST_RESULTS) { Get-Content -Raw $env:INSIGHTFACE_TEST_RESULTS | ConvertFrom-Json }
              else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }

    # The failures' names and first message lines come last, where a CI log's tail shows them.
    $trx = [xml](Get-Content -Raw (Join-Path $results 'engine.trx'))
    foreach ($result in $trx.TestRun.Results.UnitTestResult | Where-Object outcome -ne 'Passed' | Where-Object outcome -ne 'NotExecuted') {
        $message = $result.SelectSingleNode('*[local-name()="Output"]/*[local-name()="ErrorInfo"]/*[local-name()="Message"]')
        $first = if ($message) { ($message.InnerText -split "`n" | Select-Object -First 3) -join ' | ' } else { '' }
        Write-Host "FAILED (xunit): $($result.testName): $first"
    }
    if ($pester.PSObject.Properties['FailedNames']) {
        foreach ($name in $pester.FailedNames) { Write-Host "FAILED (Pester): $name" }
    }
    Write-Host "xunit:  $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped"
    Write-Host "Pester: $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped"
    $failed = $xunit.Failed + $pester.Failed
    Write-Host "$($xunit.Passed + $pester.Passed) passed, $failed failed, $($xunit.Skipped + $pester.Skipped) skipped"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Package {
    Invoke-Layout
    $archive = Join-Path $out "InsightFace-$version-linux-x64.tar.gz"
    & tar -czf $archive -C $out InsightFace
    if ($LASTEXITCODE -ne 0) { throw "tar failed with exit code $LASTEXITCODE" }
    Write-Host "Package written to $archive"
}

function Invoke-Demo {
    Invoke-Layout
    $code = Invoke-Pwsh (Join-Path $root 'examples/Invoke-Demo.ps1') @('-ModulePath', $moduleRoot)
    if ($code -ne 0) { exit $code }
}

function Invoke-Clean {
    Remove-Item -Recurse -Force $out -ErrorAction Ignore
    Get-ChildItem -Path (Join-Path $root 'src'), (Join-Path $root 'tests'), (Join-Path $root 'build') -Directory -Recurse -Include bin, obj |
        Remove-Item -Recurse -Force
}

foreach ($step in $Task) { & "Invoke-$step" }
