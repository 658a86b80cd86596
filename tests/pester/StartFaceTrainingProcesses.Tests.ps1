BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:tiny = Get-TinyTrainingSet
    $script:tiny.frequent = 1

    function Find-Launcher([string] $Name) {
        Get-Command $Name -CommandType Application -ErrorAction Ignore | Select-Object -First 1 -ExpandProperty Source
    }

    # The processes whose environment holds INSIGHTFACE_TEST_TAG=$Tag: what a test started, mpiexec and workers included.
    function Get-TaggedProcess([string] $Tag) {
        foreach ($environ in Get-ChildItem /proc/[0-9]*/environ -ErrorAction Ignore) {
            $text = try { [IO.File]::ReadAllText($environ.FullName) } catch { '' }
            if ($text.Split([char]0) -contains "INSIGHTFACE_TEST_TAG=$Tag") { Split-Path -Leaf (Split-Path $environ.FullName) }
        }
    }

    # Runs Start-FaceTraining in a runspace of this process, so that its progress, information and warning records can
    # be read back; what it returns and the stream records come back in one object.
    function Invoke-Training([hashtable] $Parameters) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument((Get-ModuleUnderTest)).AddStatement()
            $null = $ps.AddCommand('Start-FaceTraining').AddParameters($Parameters)
            $output = $ps.Invoke()
            [pscustomobject]@{
                Output = @($output); Errors = @($ps.Streams.Error); Progress = @($ps.Streams.Progress)
                Information = @($ps.Streams.Information); Verbose = @($ps.Streams.Verbose)
            }
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Start-FaceTraining -Processes' {
    BeforeEach {
        $script:savedPath = $env:PATH
        $script:savedLauncher = $env:INSIGHTFACE_MPIEXEC
        $script:tag = [guid]::NewGuid().ToString('N')
        $env:INSIGHTFACE_TEST_TAG = $tag
    }
    AfterEach {
        $env:PATH = $savedPath
        $env:INSIGHTFACE_MPIEXEC = $savedLauncher
        Remove-Item Env:INSIGHTFACE_TEST_TAG -ErrorAction Ignore
    }

    It 'checks the run for the processes under -WhatIf, and for a bad config, and starts none' {
        # A launcher that only notes that it ran.
        $bin = New-Item -ItemType Directory (Join-Path $TestDrive 'bin')
        $marker = Join-Path $TestDrive 'launched'
        Set-Content (Join-Path $bin 'mpiexec.mpich') "#!/bin/sh`necho `"`$@`" >> '$marker'`n"
        chmod +x (Join-Path $bin 'mpiexec.mpich')
        $env:INSIGHTFACE_MPIEXEC = Join-Path $bin 'mpiexec.mpich'
        $run = Join-Path $TestDrive 'dry'

        Start-FaceTraining -Set $tiny -OutputPath $run -Processes 2 -WhatIf
        # 6 images fill a batch of one process, not the global batch of two: checked for 2 processes, that fails here.
        $bad = $tiny.Clone(); $bad.num_image = 6
        { Start-FaceTraining -Set $bad -OutputPath $run -Processes 2 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConfigValueInvalid,InsightFace.PowerShell.Commands.StartFaceTrainingCommand'

        $marker | Should -Not -Exist
        $run | Should -Not -Exist
    }

    It 'without MPI fails with MpiNotInstalled, naming the Debian packages, and writes nothing' {
        $env:INSIGHTFACE_MPIEXEC = $null
        $env:PATH = (New-Item -ItemType Directory (Join-Path $TestDrive 'nothing')).FullName
        $run = Join-Path $TestDrive 'no-mpi'
        $err = { Start-FaceTraining -Set $tiny -OutputPath $run -Processes 2 -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'MpiNotInstalled,InsightFace.PowerShell.Commands.StartFaceTrainingCommand'
        $err.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $err.Exception.Message | Should -Match 'sudo apt-get install mpich'
        $err.Exception.Message | Should -Match 'openmpi-bin'
        $run | Should -Not -Exist
    }

    It 'trains with 2 processes under <Name>, shows rank 0''s progress and metrics, and returns one checkpoint' -ForEach @(
        @{ Name = 'MPICH'; Launcher = 'mpiexec.mpich' }
        @{ Name = 'Open MPI'; Launcher = 'mpiexec.openmpi' }
    ) {
        if (-not (Find-Launcher $Launcher)) {
            Set-ItResult -Skipped -Because "$Launcher is not installed (sudo apt-get install $(if ($Launcher -like '*openmpi') { 'openmpi-bin' } else { 'mpich' }))"
        }
        $env:INSIGHTFACE_MPIEXEC = $Launcher
        $run = Join-Path $TestDrive "run-$Launcher"

        $result = Invoke-Training @{ Set = $tiny; OutputPath = $run; Processes = 2; ThreadsPerProcess = 1; Verbose = $true }

        $result.Errors | Should -BeNullOrEmpty
        $result.Output | Should -HaveCount 1
        $checkpoint = $result.Output[0]
        $checkpoint | Should -BeOfType ([InsightFace.FaceCheckpoint])
        $checkpoint.GlobalStep | Should -Be 3
        $checkpoint.Epoch | Should -Be 1
        $checkpoint.CheckpointPath | Should -Be (Join-Path $run 'checkpoints/epoch-0001')
        @($result.Progress | Where-Object { $_.Activity -eq 'Steps' -and $_.StatusDescription -like 'step 3/3 *' }).Count | Should -BeGreaterThan 0
        @($result.Information | Where-Object Tags -Contains 'InsightFace.Metrics').Count | Should -Be 3
        "$($result.Verbose)" | Should -Match 'in 2 processes started by'
        @(Get-ChildItem $run -Recurse -Filter 'training.log').Count | Should -Be 1
        (Get-FaceCheckpoint -Path $run).GlobalStep | Should -Be 3
        Get-TaggedProcess $tag | Should -BeNullOrEmpty -Because 'every worker has ended'
        # The checkpoint of several processes is used like any other: its model.pt is rank 0's backbone.
        $onnx = $checkpoint | Export-FaceOnnx -OutputPath (Join-Path $TestDrive "run-$Launcher.onnx") -Verify
        $onnx.EmbeddingSize | Should -Be 32
        $onnx.MaxAbsDiff | Should -BeLessOrEqual (1e-5 * $onnx.OutputScale)
        Get-ChildItem (Join-Path $run 'checkpoints/epoch-0001') -Name | Should -Contain 'head_rank1_of_2.pt'
    }

    It 'passes the call on to the workers as given: a piped dataset, -Set arrays, a relative path with a quote' {
        if (-not (Find-Launcher 'mpiexec.mpich')) { Set-ItResult -Skipped -Because 'mpiexec.mpich is not installed (sudo apt-get install mpich)' }
        $env:INSIGHTFACE_MPIEXEC = 'mpiexec.mpich'
        $set = $tiny.Clone(); $set.Remove('rec'); $set.margin_list = @(1.0, 0.4, 0.0)
        Push-Location $TestDrive
        try {
            $checkpoint = Get-FaceDataset -Synthetic -Classes 6 -ImagesPerClass 4 -Seed 7 |
                Start-FaceTraining -Set $set -OutputPath "it's here" -Processes 2 -ThreadsPerProcess 1
        }
        finally { Pop-Location }
        $checkpoint.CheckpointPath | Should -Be (Join-Path $TestDrive "it's here/checkpoints/epoch-0001")
        $checkpoint.Dataset | Should -Be 'synthetic:classes=6,images-per-class=4,seed=7'
        Get-Content (Join-Path $TestDrive "it's here/config.resolved.yaml") | Should -Contain 'margin_list: [1, 0.4, 0]'
    }

    It 'ends every process when a worker fails, with the worker''s error id and rank' {
        if (-not (Find-Launcher 'mpiexec.mpich')) { Set-ItResult -Skipped -Because 'mpiexec.mpich is not installed (sudo apt-get install mpich)' }
        $env:INSIGHTFACE_MPIEXEC = 'mpiexec.mpich'
        $diverge = $tiny.Clone(); $diverge.lr = 1e30; $diverge.num_epoch = 3
        $run = Join-Path $TestDrive 'diverged'
        $clock = [Diagnostics.Stopwatch]::StartNew()

        $err = { Start-FaceTraining -Set $diverge -OutputPath $run -Processes 2 -ThreadsPerProcess 1 -ErrorAction Stop } | Should -Throw -PassThru

        $err.FullyQualifiedErrorId | Should -Be 'LossNotFinite,InsightFace.PowerShell.Commands.StartFaceTrainingCommand'
        $err.Exception.Message | Should -Match '^Rank [01] of 2 failed: '
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 120
        Get-TaggedProcess $tag | Should -BeNullOrEmpty -Because 'no worker is left running'
    }

    It 'ends every process when a worker is killed, naming each rank''s process' {
        if (-not (Find-Launcher 'mpiexec.mpich')) { Set-ItResult -Skipped -Because 'mpiexec.mpich is not installed (sudo apt-get install mpich)' }
        # MPICH's note on a killed process names its PID only; the error says which rank that was.
        $env:INSIGHTFACE_MPIEXEC = 'mpiexec.mpich'
        $run = Join-Path $TestDrive 'killed'
        $long = $tiny.Clone(); $long.num_epoch = 1000
        $killer = Start-ThreadJob -ArgumentList $tag, (Join-Path $run 'metrics.jsonl') -ScriptBlock {
            param($Tag, $Metrics)
            $deadline = [DateTime]::UtcNow.AddMinutes(3)
            while (-not ((Test-Path $Metrics) -and (Get-Content $Metrics).Count -gt 0) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            $workers = foreach ($environ in Get-ChildItem /proc/[0-9]*/environ -ErrorAction Ignore) {
                $text = try { [IO.File]::ReadAllText($environ.FullName) } catch { '' }
                $id = [int](Split-Path -Leaf (Split-Path $environ.FullName))
                if ($text.Split([char]0) -contains "INSIGHTFACE_TEST_TAG=$Tag" -and (Get-Process -Id $id -ErrorAction Ignore).CommandLine -match '-EncodedCommand') { $id }
            }
            $victim = $workers | Sort-Object | Select-Object -Last 1
            & kill -9 $victim
            $victim
        }
        try {
            $err = { Start-FaceTraining -Set $long -OutputPath $run -Processes 2 -ThreadsPerProcess 1 -ErrorAction Stop } | Should -Throw -PassThru
            $victim = $killer | Wait-Job -Timeout 60 | Receive-Job
        }
        finally { $killer | Remove-Job -Force }

        $victim | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be 'WorkerFailed,InsightFace.PowerShell.Commands.StartFaceTrainingCommand'
        $err.Exception.Message | Should -Match "rank [01]: process $victim on "
        $err.Exception.Message | Should -Match "PID $victim"
        Get-TaggedProcess $tag | Should -BeNullOrEmpty -Because 'no worker is left running'
    }

    It 'Ctrl+C in a terminal stops every process after each saved its part of a resumable checkpoint (Open MPI)' {
        if (-not $IsLinux -or -not (Get-Command perl, kill -ErrorAction Ignore) -or -not (Find-Launcher 'mpiexec.openmpi')) {
            Set-ItResult -Skipped -Because 'it needs Linux, perl, kill and mpiexec.openmpi (sudo apt-get install openmpi-bin)'
        }
        # Open MPI's mpiexec kills its ranks a second after a SIGINT; a terminal sends one to the whole foreground group.
        $env:INSIGHTFACE_MPIEXEC = 'mpiexec.openmpi'
        $run = Join-Path $TestDrive 'stopped'
        $long = $tiny.Clone(); $long.num_epoch = 1000
        $set = ($long.GetEnumerator() | ForEach-Object { "$($_.Key) = $(if ($_.Value -is [array]) { '@()' } elseif ($_.Value -is [string]) { "'$($_.Value)'" } else { $_.Value })" }) -join '; '
        $script = Join-Path $TestDrive 'stopped.ps1'
        @"
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$(Get-ModuleUnderTest)'
Start-FaceTraining -Set @{ $set } -OutputPath '$run' -Processes 2 -ThreadsPerProcess 1
'not reached'
"@ | Set-Content $script
        # Started as a terminal starts a foreground command: in a process group of its own, SIGINT at its default.
        $start = [Diagnostics.ProcessStartInfo]::new('perl')
        foreach ($arg in '-e', 'setpgrp(0, 0); $SIG{INT} = "DEFAULT"; exec @ARGV or die "exec: $!"') { $start.ArgumentList.Add($arg) }
        $start.ArgumentList.Add([Environment]::ProcessPath)
        if ((Split-Path -Leaf ([Environment]::ProcessPath)) -like 'dotnet*') { $start.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($arg in '-NoProfile', '-File', $script) { $start.ArgumentList.Add($arg) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $child = [Diagnostics.Process]::Start($start)
        $out = $child.StandardOutput.ReadToEndAsync()
        $said = $child.StandardError.ReadToEndAsync()
        try {
            $metrics = Join-Path $run 'metrics.jsonl'
            $deadline = [DateTime]::UtcNow.AddMinutes(3)
            while (-not ((Test-Path $metrics) -and (Get-Content $metrics).Count -gt 0) -and -not $child.HasExited -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 200
            }
            $child.HasExited | Should -BeFalse -Because "it should still be training (reading its output now would wait for its end)"
            & kill -s INT -- "-$($child.Id)"
            $child.WaitForExit(180000) | Should -BeTrue -Because 'it should end once the checkpoint is saved'
        }
        finally {
            if (-not $child.HasExited) { $child.Kill($true) }
        }

        $child.ExitCode | Should -Be 130 -Because "it said: $($said.Result) $($out.Result)"
        $out.Result | Should -Not -Match 'not reached'
        $said.Result -match 'Start-FaceTraining was stopped: a resumable checkpoint of step (\d+) was saved in (\S+)\. Run the same command with -Resume to continue\.' |
            Should -BeTrue -Because "it said: $($said.Result)"
        $checkpoint = Get-FaceCheckpoint -Path $Matches[2]
        $checkpoint.GlobalStep | Should -Be ([long]$Matches[1])
        $checkpoint.Resumable | Should -BeTrue
        Get-TaggedProcess $tag | Should -BeNullOrEmpty -Because 'every worker has ended'
    }
}
