BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:tiny = Get-TinyTrainingSet
    $script:tiny.num_epoch = 1000

    # Starts `pwsh -File` training into $Run the way a terminal starts a foreground command: in a process group of its
    # own (the group's id is the child's pid), with SIGINT at its default action (a non-interactive parent may have
    # started this test with SIGINT ignored, and children inherit that).
    function Start-TrainingProcess([string] $Run) {
        $script = Join-Path $TestDrive "$(Split-Path -Leaf $Run).ps1"
        $set = ($tiny.GetEnumerator() | ForEach-Object { "$($_.Key) = $(if ($_.Value -is [array]) { '@()' } elseif ($_.Value -is [string]) { "'$($_.Value)'" } else { $_.Value })" }) -join '; '
        @"
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$(Get-ModuleUnderTest)'
Start-FaceTraining -Set @{ $set } -OutputPath '$Run'
'not reached'
"@ | Set-Content $script
        $start = [Diagnostics.ProcessStartInfo]::new('perl')
        foreach ($arg in '-e', 'setpgrp(0, 0); $SIG{INT} = "DEFAULT"; exec @ARGV or die "exec: $!"') { $start.ArgumentList.Add($arg) }
        $start.ArgumentList.Add([Environment]::ProcessPath)
        if ((Split-Path -Leaf ([Environment]::ProcessPath)) -like 'dotnet*') { $start.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($arg in '-NoProfile', '-File', $script) { $start.ArgumentList.Add($arg) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [Diagnostics.Process]::Start($start)
        # Read both pipes as the child writes, so that it never blocks on a full one.
        $process | Add-Member -NotePropertyName Out -NotePropertyValue $process.StandardOutput.ReadToEndAsync()
        $process | Add-Member -NotePropertyName Err -NotePropertyValue $process.StandardError.ReadToEndAsync()
        $process
    }
}

Describe 'Stopping Start-FaceTraining with a signal' {
    It 'SIG<Signal> saves a resumable checkpoint, says so, and ends pwsh -File with exit code <ExitCode>' -ForEach @(
        @{ Signal = 'INT'; ExitCode = 130; By = '' }             # Ctrl+C in a terminal: SIGINT to the foreground process group
        @{ Signal = 'TERM'; ExitCode = 143; By = ' by SIGTERM' } # what CI systems send to cancel a job
    ) {
        if (-not $IsLinux -or -not (Get-Command perl, kill -ErrorAction SilentlyContinue)) {
            Set-ItResult -Skipped -Because 'the signals are sent with kill, to a child started through perl (Linux)'
        }
        $run = Join-Path $TestDrive "stopped-$Signal"
        $child = Start-TrainingProcess $run
        try {
            # Wait until it trains (its first log line), then send the signal to its whole group, as a terminal does.
            $metrics = Join-Path $run 'metrics.jsonl'
            $deadline = [DateTime]::UtcNow.AddMinutes(3)
            while (-not ((Test-Path $metrics) -and (Get-Content $metrics).Count -gt 0) -and -not $child.HasExited -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 200
            }
            $child.HasExited | Should -BeFalse -Because 'the child should still be training (see its error output)'
            & kill -s $Signal -- "-$($child.Id)"
            $child.WaitForExit(180000) | Should -BeTrue -Because 'the child should end once its checkpoint is saved'
        }
        finally {
            if (-not $child.HasExited) { $child.Kill($true) }
        }

        $child.ExitCode | Should -Be $ExitCode
        $child.Out.Result | Should -Not -Match 'not reached'
        $said = $child.Err.Result
        $said -match "Start-FaceTraining was stopped${By}: a resumable checkpoint of step (\d+) was saved in (\S+)\. Run the same command with -Resume to continue\." |
            Should -BeTrue -Because "the child said: $said"
        $step = [long]$Matches[1]
        $folder = $Matches[2]
        $folder | Should -BeLike (Join-Path $run 'checkpoints/step-*')

        $checkpoint = Get-FaceCheckpoint -Path $folder
        $checkpoint.GlobalStep | Should -Be $step
        $checkpoint.Resumable | Should -BeTrue
        (Get-FaceCheckpoint -Path $run).GlobalStep | Should -Be $step -Because 'it is the run''s newest checkpoint'

        # Resumable: finish the epoch it was stopped in.
        $finish = $tiny.Clone(); $finish.num_epoch = $checkpoint.Epoch + 1
        $resumed = Start-FaceTraining -Set $finish -OutputPath $run -Resume
        $resumed.GlobalStep | Should -Be (6 * ($checkpoint.Epoch + 1))
        $resumed.GlobalStep | Should -BeGreaterThan $step
    }
}
