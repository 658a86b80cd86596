BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:tiny = Get-TinyTrainingSet
    $script:errorSuffix = ',InsightFace.PowerShell.Commands.StartFaceTrainingCommand'

    # Every folder and file under $Path, hidden ones too, files with their hash: equal output, byte-identical folder.
    function Get-FolderState([string] $Path) {
        Get-ChildItem -LiteralPath $Path -Recurse -Force | Sort-Object FullName | ForEach-Object {
            $relative = [IO.Path]::GetRelativePath($Path, $_.FullName)
            if ($_.PSIsContainer) { "$relative/" } else { "$relative $((Get-FileHash -LiteralPath $_.FullName).Hash)" }
        }
    }
}

Describe 'Start-FaceTraining and the run folder' {
    BeforeAll {
        $script:run = Join-Path $TestDrive 'run'
        $null = Start-FaceTraining -Set $tiny -OutputPath $run
        $script:before = Get-FolderState $run
    }

    It 'changes nothing under -WhatIf -Force' {
        Start-FaceTraining -Set $tiny -OutputPath $run -Force -WhatIf
        Get-FolderState $run | Should -Be $before
    }

    It 'changes nothing when -Force meets <Case>' -TestCases @(
        @{ Case = 'fp16 on the CPU'; Change = @{ fp16 = $true }; ErrorId = 'Fp16NotSupported'; Piped = $false }
        @{ Case = 'an unknown key'; Change = @{ embeding_size = 64 }; ErrorId = 'ConfigKeyUnknown'; Piped = $false }
        @{ Case = 'a device that is not there'; Change = @{ device = 'cuda:99' }; ErrorId = 'DeviceUnavailable'; Piped = $false }
        @{ Case = 'a dataset with more identities than classes'; Change = @{ num_classes = 4 }; ErrorId = 'DatasetIncompatible'; Piped = $true }
    ) {
        param($Case, $Change, $ErrorId, $Piped)
        $set = $tiny.Clone()
        foreach ($key in $Change.Keys) { $set[$key] = $Change[$key] }
        if ($Piped) {
            'rec', 'num_image' | ForEach-Object { $set.Remove($_) }
            $dataset = Get-FaceDataset -Synthetic -Classes 6 -ImagesPerClass 4 -Seed 3
            { $dataset | Start-FaceTraining -Set $set -OutputPath $run -Force -ErrorAction Stop } | Should -Throw -ErrorId "$ErrorId$errorSuffix"
        }
        else {
            { Start-FaceTraining -Set $set -OutputPath $run -Force -ErrorAction Stop } | Should -Throw -ErrorId "$ErrorId$errorSuffix"
        }
        Get-FolderState $run | Should -Be $before
    }

    It 'returns the finished run''s final checkpoint on -Resume, with a warning, and changes nothing' {
        $checkpoint = Start-FaceTraining -Set $tiny -OutputPath $run -Resume -WarningVariable warnings
        $checkpoint.GlobalStep | Should -Be 6
        $checkpoint.CheckpointPath | Should -BeLike (Join-Path $run 'checkpoints' 'epoch-0001')
        "$warnings" | Should -Match 'nothing to train'
        (Start-FaceTraining -Set $tiny -OutputPath $run -Resume -PassThru -WarningAction SilentlyContinue).GlobalStep | Should -Be 6
        Get-FolderState $run | Should -Be $before
    }

    It 'leaves no folder behind when a new run fails on <Case>' -TestCases @(
        @{ Case = 'a device that is not there'; Change = @{ device = 'cuda:99' } }
        @{ Case = 'fp16 on the CPU'; Change = @{ fp16 = $true } }
    ) {
        param($Case, $Change)
        $set = $tiny.Clone()
        foreach ($key in $Change.Keys) { $set[$key] = $Change[$key] }
        $fresh = Join-Path $TestDrive 'fresh'
        { Start-FaceTraining -Set $set -OutputPath $fresh -ErrorAction Stop } | Should -Throw
        $fresh | Should -Not -Exist
    }

    It 'warns, under -WhatIf too, when the piped dataset replaces the config file''s num_classes' {
        $yaml = Join-Path $TestDrive 'forty.yaml'
        "network: mbf`nembedding_size: 32`nbatch_size: 4`nnum_classes: 10`nnum_image: 40`nnum_epoch: 1`nval_targets: []`n" | Set-Content $yaml
        $dataset = Get-FaceDataset -Synthetic -Classes 6 -ImagesPerClass 4 -Seed 3
        $dataset | Start-FaceTraining -Config $yaml -OutputPath (Join-Path $TestDrive 'forty') -WhatIf -WarningVariable warnings
        ($warnings | ForEach-Object { "$_" }) | Should -Contain "${yaml}:4: num_classes 10 is replaced by the dataset's 6."
        Join-Path $TestDrive 'forty' | Should -Not -Exist
    }
}

Describe 'Two trainings into one run folder' {
    It 'refuses the second, naming the process that holds the folder, and leaves the first undisturbed' {
        $module = Get-ModuleUnderTest
        $busy = Join-Path $TestDrive 'busy'
        $long = $tiny.Clone(); $long.num_epoch = 40
        $job = Start-Job { Import-Module $using:module; Start-FaceTraining -Set $using:long -OutputPath $using:busy }
        try {
            $owner = Join-Path $busy '.training.lock.owner'
            $deadline = (Get-Date).AddMinutes(3)
            while (-not (Test-Path $owner) -and (Get-Date) -lt $deadline -and $job.State -eq 'Running') { Start-Sleep -Milliseconds 200 }
            $owner | Should -Exist
            $holder = (Get-Content $owner -Raw).Split(' ')[0]
            $holder | Should -Not -Be "$PID"

            $err = { Start-FaceTraining -Set $long -OutputPath $busy -Resume -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be "RunFolderLocked$errorSuffix"
            $err.Exception.Message | Should -Match "process id $holder"
            { Start-FaceTraining -Set $long -OutputPath $busy -Force -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId "RunFolderLocked$errorSuffix"
            $job.State | Should -Be 'Running'
        }
        finally {
            $job | Stop-Job
            $job | Remove-Job -Force
        }
    }
}
