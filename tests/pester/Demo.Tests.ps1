# examples/Invoke-Demo.ps1 -Quick: every stage of the demo on a tiny run, with its time and the final table of times.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:demo = Join-Path $PSScriptRoot '../../examples/Invoke-Demo.ps1' | Resolve-Path | ForEach-Object Path
    $script:stageNames = @('Runtime (import)', '1. Dataset', '2. OFRecord', '3. Training', '4. Verification', '5. ONNX export',
        '6. ONNX verification', '7. Training curves')
}

Describe 'Invoke-Demo.ps1 -Quick' {
    BeforeAll {
        $out = Join-Path $TestDrive 'demo'
        # As the README writes it: a module path relative to the working folder, without ./ (out/InsightFace).
        $module = Get-Item (Get-ModuleUnderTest)
        $relative = Join-Path $module.Parent.Name $module.Name
        $script:lines = Invoke-FreshPwsh "Set-Location '$($module.Parent.Parent.FullName)'; & '$demo' -ModulePath '$relative' -OutputPath '$out' -Quick"
        $script:exitCode = $FreshPwshExitCode
    }

    It 'runs every stage and ends with success' {
        $exitCode | Should -Be 0 -Because ($lines -join "`n")
        $lines[-1] | Should -Be "Done: everything is in $out"
        Join-Path $out 'synthetic_mbf.onnx' | Should -Exist
        Join-Path $out 'run/training_curve.png' | Should -Exist
    }

    It 'prints one line per stage, in order, with its time, as the stage ends' {
        $timed = @($lines | Where-Object { $_ -like '-- *' })
        $timed | Should -HaveCount $stageNames.Count
        for ($i = 0; $i -lt $stageNames.Count; $i++) {
            $timed[$i] | Should -Match "^-- $([regex]::Escape($stageNames[$i])) took \d+:\d\d:\d\d\.\d$"
        }
        # A stage's line comes after its output: training's line follows the checkpoint's table.
        $lines.IndexOf(($lines | Where-Object { $_ -like '-- 3. Training took *' })) |
            Should -BeGreaterThan $lines.IndexOf(($lines | Where-Object { $_ -match '^mbf +16 +1 +4 ' }))
    }

    It 'ends with a table of every stage time, the total, and each one''s share of it' {
        $table = $lines[$lines.IndexOf('== Stage times')..($lines.Count - 1)]
        $rows = foreach ($name in $stageNames + 'Total') {
            $row = $table | Where-Object { $_ -match "^$([regex]::Escape($name)) +(\d+):(\d\d):(\d\d\.\d) +(\d+) %$" }
            $row | Should -HaveCount 1 -Because "the table has a row for $name"
            [pscustomobject]@{ Seconds = 3600 * [int]$Matches[1] + 60 * [int]$Matches[2] + [double]$Matches[3]; Share = [int]$Matches[4] }
        }
        $rows[-1].Share | Should -Be 100
        # The stages cover the whole run; each time is truncated to a tenth of a second.
        ($rows[0..($rows.Count - 2)].Seconds | Measure-Object -Sum).Sum | Should -BeGreaterThan ($rows[-1].Seconds - 0.1 * $stageNames.Count)
        ($rows[0..($rows.Count - 2)].Seconds | Measure-Object -Sum).Sum | Should -BeLessOrEqual ($rows[-1].Seconds + 0.1)
    }
}
