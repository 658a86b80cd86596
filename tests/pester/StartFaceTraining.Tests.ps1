BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:configs = Join-Path $PSScriptRoot '../../examples/configs'
    $script:tiny = Get-TinyTrainingSet
}

Describe 'Start-FaceTraining' {
    It 'trains, writes the run folder, and returns the final checkpoint' {
        $run = Join-Path $TestDrive 'run'
        $checkpoint = Start-FaceTraining -Set $tiny -OutputPath $run -InformationVariable metrics
        $checkpoint | Should -BeOfType ([InsightFace.FaceCheckpoint])
        $checkpoint.Network | Should -Be 'mbf'
        $checkpoint.GlobalStep | Should -Be 6
        $checkpoint.Epoch | Should -Be 1
        $checkpoint.Resumable | Should -BeTrue
        foreach ($file in 'training.log', 'metrics.jsonl', 'config.resolved.yaml', 'model.pt', 'checkpoint.json') {
            Join-Path $run $file | Should -Exist
        }
        $metrics.Count | Should -Be 3
        $metrics[0].Tags | Should -Contain 'InsightFace.Metrics'
        "$($metrics[0].MessageData)" | Should -Match '^Speed .* samples/sec   Loss .*   Global Step: 2 '
        (Get-FaceCheckpoint -Path $run).GlobalStep | Should -Be 6

        # Show-FaceTrainingCurve plots the same run, from the checkpoint object.
        $png = $checkpoint | Show-FaceTrainingCurve
        $png.FullName | Should -Be (Join-Path $run 'training_curve.png')
        $png.Length | Should -BeGreaterThan 1000
        $png | Out-String | Should -Be (Get-Item $png.FullName | Out-String) -Because 'its view shows Mode and Size, as Get-Item''s does'
        $checkpoint | Show-FaceTrainingCurve -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be 'PlotExists,InsightFace.PowerShell.Commands.ShowFaceTrainingCurveCommand'
        Show-FaceTrainingCurve -Path $run -OutputPath (Join-Path $TestDrive 'c.png') -WhatIf
        Join-Path $TestDrive 'c.png' | Should -Not -Exist
    }

    It 'refuses an existing run without -Resume or -Force, and continues it with -Resume' {
        $run = Join-Path $TestDrive 'again'
        $null = Start-FaceTraining -Set $tiny -OutputPath $run
        { Start-FaceTraining -Set $tiny -OutputPath $run -ErrorAction Stop } |
            Should -Throw -ErrorId 'RunExists,InsightFace.PowerShell.Commands.StartFaceTrainingCommand'
        $more = $tiny.Clone(); $more.num_epoch = 2
        (Start-FaceTraining -Set $more -OutputPath $run -Resume).GlobalStep | Should -Be 12
        (Start-FaceTraining -Set $tiny -OutputPath $run -Force).GlobalStep | Should -Be 6
    }

    It 'writes every checkpoint with -PassThru' {
        $two = $tiny.Clone(); $two.num_epoch = 2
        (Start-FaceTraining -Set $two -OutputPath (Join-Path $TestDrive 'passthru') -PassThru).Epoch | Should -Be @(1, 2)
    }

    It 'validates without training under -WhatIf' {
        $run = Join-Path $TestDrive 'dry'
        Start-FaceTraining -Config (Join-Path $configs 'synthetic_mbf.yaml') -OutputPath $run -WhatIf
        $run | Should -Not -Exist
    }

    It 'stops on an unknown key with a did-you-mean, before any work' {
        $bad = $tiny.Clone(); $bad.embeding_size = 64
        $run = Join-Path $TestDrive 'typo'
        $err = { Start-FaceTraining -Set $bad -OutputPath $run -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'ConfigKeyUnknown,InsightFace.PowerShell.Commands.StartFaceTrainingCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match "Did you mean 'embedding_size'"
        $run | Should -Not -Exist
    }

    It 'suggests the keys an unknown -Set name most likely meant, as for a YAML key' {
        $err = { Start-FaceTraining -Set @{ epochs = 2 } -OutputPath (Join-Path $TestDrive 'epochs') -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'ConfigKeyUnknown,InsightFace.PowerShell.Commands.StartFaceTrainingCommand'
        $err.Exception.Message | Should -BeExactly "-Set: unknown key 'epochs'. Did you mean 'num_epoch' or 'warmup_epoch'?"
        Join-Path $TestDrive 'epochs' | Should -Not -Exist
    }

    It 'stops when num_classes is smaller than the dataset''s identities' {
        $bad = $tiny.Clone(); $bad.num_classes = 4; $bad.num_image = 16
        $dataset = Join-Path $TestDrive 'faces'
        Copy-Item -Recurse (Join-Path $PSScriptRoot '../../../shared/fixtures/orl-faces-112') $dataset
        { Start-FaceTraining -Dataset $dataset -Set $bad -OutputPath (Join-Path $TestDrive 'small') -ErrorAction Stop } |
            Should -Throw -ErrorId 'DatasetIncompatible,InsightFace.PowerShell.Commands.StartFaceTrainingCommand'
    }

    It 'refuses a synthetic set with fewer images than identities as ConfigValueInvalid, creating nothing' {
        $run = Join-Path $TestDrive 'too-few-images'
        $set = $tiny.Clone(); $set.num_classes = 100; $set.num_image = 40
        $err = { Start-FaceTraining -Set $set -OutputPath $run -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'ConfigValueInvalid,InsightFace.PowerShell.Commands.StartFaceTrainingCommand'
        $err.Exception.Message | Should -Match 'num_image 40 is less than num_classes 100'
        $run | Should -Not -Exist
    }

    It 'refuses fp16 on the CPU instead of ignoring it' {
        $half = $tiny.Clone(); $half.fp16 = $true
        { Start-FaceTraining -Set $half -OutputPath (Join-Path $TestDrive 'fp16') -ErrorAction Stop } | Should -Throw -ErrorId '*,InsightFace.PowerShell.Commands.StartFaceTrainingCommand' -ExpectedMessage '*fp16*'
    }

    It 'never falls back to the CPU when CUDA is asked for' {
        Skip-WhereCudaIsPresent
        { Start-FaceTraining -Set $tiny -OutputPath (Join-Path $TestDrive 'cuda') -Device cuda -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeviceUnavailable,InsightFace.PowerShell.Commands.StartFaceTrainingCommand'
    }

    It 'reports a device string that is not a device as DeviceInvalid, not as a bare ArgumentException' {
        $err = { Start-FaceTraining -Set $tiny -OutputPath (Join-Path $TestDrive 'gpu') -Device gpu -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'DeviceInvalid,InsightFace.PowerShell.Commands.StartFaceTrainingCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'reports a broken verification set with its id, as every cmdlet reports engine errors' {
        $held = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'broken')
        $dataset = Get-FaceDataset -Synthetic -Classes 6 -ImagesPerClass 4 -Seed 3 -VerificationPairs 20 -OutputPath (Join-Path $held 'unseen.bin')
        Set-Content (Join-Path $held 'unseen.bin') 'not a pickle'
        $set = $tiny.Clone(); 'rec', 'num_classes', 'num_image' | ForEach-Object { $set.Remove($_) }; $set.val_targets = @('unseen')
        $err = { $dataset | Start-FaceTraining -Set $set -OutputPath (Join-Path $TestDrive 'broken-run') -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'VerificationBinNotPickle,InsightFace.PowerShell.Commands.StartFaceTrainingCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'records its dataset, so Test-FaceVerification finds a target by name beside the training data' {
        $held = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'held')
        $dataset = Get-FaceDataset -Synthetic -Classes 6 -ImagesPerClass 4 -Seed 3 -VerificationPairs 20 -OutputPath (Join-Path $held 'unseen.bin')
        $set = $tiny.Clone(); 'rec', 'num_classes', 'num_image' | ForEach-Object { $set.Remove($_) } # the piped dataset gives them
        $checkpoint = $dataset | Start-FaceTraining -Set $set -OutputPath (Join-Path $TestDrive 'beside')
        $checkpoint.Dataset | Should -Be $dataset.DatasetPath
        (Get-Content (Join-Path $checkpoint.CheckpointPath 'checkpoint.json') -Raw | ConvertFrom-Json).data_folders | Should -Be @($held.FullName)

        # From somewhere else, with no -DataPath: the name is found where the training data's .bin files were.
        Push-Location $TestDrive
        try { $result = $checkpoint | Test-FaceVerification -Target unseen }
        finally { Pop-Location }
        $result.Target | Should -Be 'unseen'
        $result.Pairs | Should -Be 20

        # A name that is nowhere says where it looked, the training data's folder included.
        $checkpoint | Test-FaceVerification -Target lfw -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be 'VerificationTargetNotFound,InsightFace.PowerShell.Commands.TestFaceVerificationCommand'
        $problems[0].Exception.Message | Should -BeLike "*looked in*$($held.FullName)*"
    }

    It 'runs in Start-Job, and its deserialized result pipes on by property name' {
        $module = Get-ModuleUnderTest
        $run = Join-Path $TestDrive 'job'
        $result = Start-Job { Import-Module $using:module; Start-FaceTraining -Set $using:tiny -OutputPath $using:run } |
            Receive-Job -Wait -AutoRemoveJob
        $result.PSObject.TypeNames[0] | Should -Be 'Deserialized.InsightFace.FaceCheckpoint'
        $result.GlobalStep | Should -Be 6
        ($result | Get-FaceCheckpoint).CheckpointPath | Should -Be $result.CheckpointPath
    }

    It 'makes pwsh -c exit non-zero when it fails, as CI scripts expect' {
        $module = Get-ModuleUnderTest
        # The usual CI script: with $ErrorActionPreference = 'Stop' the failure ends the script with exit code 1.
        $output = Invoke-FreshPwsh "`$ErrorActionPreference = 'Stop'; Import-Module '$module'; Start-FaceTraining -Set @{ embeding_size = 1 }; 'not reached'"
        $global:FreshPwshExitCode | Should -Be 1
        ($output -join ' ') | Should -Match 'embedding_size'
        ($output -join ' ') | Should -Not -Match 'not reached'
        # As the last command of pwsh -c it sets the exit code on its own.
        $null = Invoke-FreshPwsh "Import-Module '$module'; Start-FaceTraining -Set @{ embeding_size = 1 }"
        $global:FreshPwshExitCode | Should -Be 1
    }

    It 'stops on a dataset that does not exist, before any work' {
        $run = Join-Path $TestDrive 'nodata'
        { Start-FaceTraining -Dataset (Join-Path $TestDrive 'no-such-dataset') -Set $tiny -OutputPath $run -ErrorAction Stop } |
            Should -Throw -ErrorId 'PathNotFound,InsightFace.PowerShell.Commands.StartFaceTrainingCommand'
        $run | Should -Not -Exist
    }

    It 'runs in Start-ThreadJob, in this process' {
        $module = Get-ModuleUnderTest
        $run = Join-Path $TestDrive 'threadjob'
        $result = Start-ThreadJob { Import-Module $using:module; Start-FaceTraining -Set $using:tiny -OutputPath $using:run } |
            Receive-Job -Wait -AutoRemoveJob
        $result.GlobalStep | Should -Be 6
        (Get-FaceCheckpoint -Path $run).GlobalStep | Should -Be 6
    }
}
