# examples/Invoke-CiTraining.ps1, the CI job of docs/usage/training.md ("Running in CI"), run as CI runs it:
# pwsh -File with its output going to a log (here, a pipe), in a terminal type that supports colour.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:job = Join-Path $PSScriptRoot '../../examples/Invoke-CiTraining.ps1' | Resolve-Path | ForEach-Object Path

    # Runs a script file in a new pwsh whose stdout and stderr are redirected; returns every line it wrote.
    function Invoke-RedirectedPwsh([string] $File, [string[]] $Arguments) {
        $processPath = [Environment]::ProcessPath
        [string[]] $prefix = if ((Split-Path -Leaf $processPath) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' } else { @() }
        $saved = $env:TERM, $env:NO_COLOR
        $env:TERM = 'xterm-256color'; $env:NO_COLOR = $null
        try { & $processPath @prefix -NoProfile -NonInteractive -File $File @Arguments 2>&1 | ForEach-Object { "$_" } }
        finally { $env:TERM, $env:NO_COLOR = $saved }
        $global:RedirectedExitCode = $LASTEXITCODE
    }

    # A tiny job: 4 synthetic identities in OFRecord, with 20 held-out pairs beside them; 4 steps of a small network.
    $data = Join-Path $TestDrive 'data'
    $script:ofrecord = Get-FaceDataset -Synthetic -Classes 4 -ImagesPerClass 4 -VerificationPairs 20 -OutputPath (Join-Path $data 'pairs.bin') |
        ConvertTo-OFRecord -OutputPath (Join-Path $data 'ofrecord') -Parts 1
    $script:config = Join-Path $TestDrive 'job.yaml'
    Set-Content -Path $config -Value @(
        'network: mbf', 'embedding_size: 16', 'batch_size: 4', 'num_classes: 4', 'num_image: 16', 'num_epoch: 1',
        'warmup_epoch: 0', 'frequent: 2', 'num_workers: 1', 'val_targets: []')
    $script:arguments = @('-ModulePath', (Get-ModuleUnderTest), '-Config', $config, '-Dataset', $ofrecord.DatasetPath,
        '-OutputPath', (Join-Path $TestDrive 'run'), '-Target', 'pairs', '-OnnxPath', (Join-Path $TestDrive 'job.onnx'))
}

Describe 'The CI example (Invoke-CiTraining.ps1) under pwsh -File with its output redirected' {
    BeforeAll {
        $script:log = Invoke-RedirectedPwsh $job ($arguments + @('-MinimumAccuracy', '0.1'))
        $script:exitCode = $RedirectedExitCode
    }

    It 'trains, verifies and exports, and exits with 0' {
        $exitCode | Should -Be 0 -Because ($log -join "`n")
        Join-Path $TestDrive 'job.onnx' | Should -Exist
        ($log -join "`n") | Should -Match '(?m)^pairs +20 '
    }

    It 'logs the training''s periodic lines, before the results' {
        $speed = @($log | Where-Object { $_ -match '^Speed .* samples/sec .* Global Step: [24] ' })
        $speed | Should -HaveCount 2
        [array]::IndexOf($log, $speed[-1]) | Should -BeLessThan ([array]::IndexOf($log, ($log | Where-Object { $_ -match '^Network +Embedding' })))
    }

    It 'writes no colour codes into the log' {
        @($log | Where-Object { $_.Contains([char]27) }) | Should -BeNullOrEmpty
        ($log -join "`n") | Should -Match '(?m)^Network +Embedding +Epoch'
    }

    It 'fails the job with exit code 1 when the accuracy is below the minimum, after the results, without training again or exporting' {
        Remove-Item (Join-Path $TestDrive 'job.onnx')
        $failed = Invoke-RedirectedPwsh $job ($arguments + @('-MinimumAccuracy', '0.99'))
        $RedirectedExitCode | Should -Be 1
        ($failed -join "`n") | Should -Match "'pairs': accuracy [\d.]+ is below the minimum 0.99000"
        ($failed -join "`n") | Should -Match '(?m)^pairs +20 '
        Join-Path $TestDrive 'job.onnx' | Should -Not -Exist
        @($failed | Where-Object { $_ -match '^Speed ' }) | Should -BeNullOrEmpty
        @($failed | Where-Object { $_.Contains([char]27) }) | Should -BeNullOrEmpty
    }
}

Describe 'Why the example sets $PSStyle.OutputRendering' {
    It 'a table that pwsh -File writes to a redirected stdout keeps its colour codes under the default rendering' {
        $script = Join-Path $TestDrive 'table.ps1'
        Set-Content -Path $script -Value "Import-Module '$(Get-ModuleUnderTest)'; `$PSStyle.OutputRendering; Get-FaceBackbone mbf | Format-Table"
        $lines = Invoke-RedirectedPwsh $script @()
        $lines[0] | Should -Be 'Host'
        @($lines | Where-Object { $_.Contains([char]27) }) | Should -Not -BeNullOrEmpty
    }
}
