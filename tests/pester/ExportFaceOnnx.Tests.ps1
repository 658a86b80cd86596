BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:fixtures = Get-FixturePath
    $script:checkpoint = New-FaceCheckpoint -Network mbf -EmbeddingSize 64 -OutputPath (Join-Path $TestDrive 'mbf') -Seed 7
    $script:id = 'InsightFace.PowerShell.Commands.ExportFaceOnnxCommand'
}

Describe 'Export-FaceOnnx' {
    It 'exports a checkpoint from the pipeline and verifies it in ONNX Runtime' {
        $path = Join-Path $TestDrive 'piped.onnx'
        $model = Get-FaceCheckpoint -Path $checkpoint.CheckpointPath | Export-FaceOnnx -OutputPath $path -Verify
        $model | Should -BeOfType ([InsightFace.FaceOnnxModel])
        $model.ModelPath | Should -Be $path
        $model.InputName | Should -Be 'data'
        $model.Opset | Should -Be 11
        $model.EmbeddingSize | Should -Be 64
        $model.Network | Should -Be 'mbf'
        $model.OutputScale | Should -BeGreaterThan 0
        # ONNX Runtime reproduces TorchSharp to about 1e-6 of the output scale (7e-7 here: float32 kernels summing in
        # other orders). 1e-5 leaves a margin of 10 and is 10 times tighter than the exporter's own failure threshold.
        $model.MaxAbsDiff | Should -BeLessOrEqual (1e-5 * $model.OutputScale)
        $path | Should -Exist
    }

    It 'binds CheckpointPath by property name and writes model.onnx beside the checkpoint by default' {
        $model = [pscustomobject]@{ CheckpointPath = $checkpoint.CheckpointPath } | Export-FaceOnnx -Opset 13 -FoldBatchNorm
        $model.ModelPath | Should -Be (Join-Path $checkpoint.CheckpointPath 'model.onnx')
        $model.Opset | Should -Be 13
        $model.FoldBatchNorm | Should -BeTrue
        $model.MaxAbsDiff | Should -BeNullOrEmpty
    }

    It 'binds a deserialised checkpoint (Export-Clixml, Start-Job) by its CheckpointPath' {
        $file = Join-Path $TestDrive 'checkpoint.xml'
        $checkpoint | Export-Clixml $file
        $model = Import-Clixml $file | Export-FaceOnnx -OutputPath (Join-Path $TestDrive 'deserialised.onnx')
        $model.CheckpointPath | Should -Be $checkpoint.CheckpointPath
    }

    It 'resolves -OutputPath against the PowerShell location' {
        Push-Location $TestDrive
        try { (Export-FaceOnnx -Checkpoint $checkpoint -OutputPath relative.onnx).ModelPath | Should -Be (Join-Path $TestDrive 'relative.onnx') }
        finally { Pop-Location }
    }

    It 'verifies on real face images' {
        $faces = Join-Path $fixtures 'orl-faces-112/s1/*.jpg'
        Skip-MissingFixture $faces
        $model = Export-FaceOnnx -Checkpoint $checkpoint -OutputPath (Join-Path $TestDrive 'faces.onnx') -VerifyImagePath $faces
        $model.OutputScale | Should -BeGreaterThan 0
        $model.MaxAbsDiff | Should -BeLessOrEqual (1e-5 * $model.OutputScale) -Because 'parity is about 1e-6 of the output scale'
    }

    It 'keeps an existing file without -Force and replaces it with -Force' {
        $path = Join-Path $TestDrive 'existing.onnx'
        Set-Content -Path $path -Value 'keep me'
        { Export-FaceOnnx -Checkpoint $checkpoint -OutputPath $path -ErrorAction Stop } | Should -Throw -ErrorId "OutputExists,$id"
        Get-Content $path | Should -Be 'keep me'
        @(Get-ChildItem $TestDrive -Filter '*.tmp').Count | Should -Be 0
        $null = Export-FaceOnnx -Checkpoint $checkpoint -OutputPath $path -Force
        (Get-Item $path).Length | Should -BeGreaterThan 100000
    }

    It 'writes nothing when a -VerifyImagePath file is not an image' {
        $bad = Join-Path $TestDrive 'not-a-face.jpg'
        Set-Content -Path $bad -Value 'text'
        $path = Join-Path $TestDrive 'bad-image.onnx'
        { Export-FaceOnnx -Checkpoint $checkpoint -OutputPath $path -VerifyImagePath $bad -ErrorAction Stop } | Should -Throw -ErrorId "ImageDecodeFailed,$id"
        $path | Should -Not -Exist
    }

    It 'creates a missing output folder, and removes it again when the export fails' {
        $path = Join-Path $TestDrive 'new-folder/deeper/m.onnx'
        (Export-FaceOnnx -Checkpoint $checkpoint -OutputPath $path).ModelPath | Should -Be $path
        $path | Should -Exist

        $bad = Join-Path $TestDrive 'not-a-face-either.jpg'
        Set-Content -Path $bad -Value 'text'
        { Export-FaceOnnx -Checkpoint $checkpoint -OutputPath (Join-Path $TestDrive 'never/m.onnx') -VerifyImagePath $bad -ErrorAction Stop } |
            Should -Throw -ErrorId "ImageDecodeFailed,$id"
        Join-Path $TestDrive 'never' | Should -Not -Exist
    }

    It 'refuses a path through a file with OutputPathUnusable before any work' {
        $file = Join-Path $TestDrive 'a-file'
        Set-Content -Path $file -Value 'mine'
        $output = Export-FaceOnnx -Checkpoint $checkpoint -OutputPath (Join-Path $file 'm.onnx') -Verify -Verbose -ErrorVariable problems -ErrorAction SilentlyContinue 4>&1
        $problems[0].FullyQualifiedErrorId | Should -Be "OutputPathUnusable,$id"
        $problems[0].CategoryInfo.Category | Should -Be 'WriteError'
        $problems[0].Exception.Message | Should -BeLike "*$file/m.onnx*"
        # The graph was never built, let alone verified.
        @($output | Where-Object { "$_" -like 'Wrote the*' }).Count | Should -Be 0
        Get-Content $file | Should -Be 'mine'
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $TestDrive 'whatif.onnx'
        Export-FaceOnnx -Checkpoint $checkpoint -OutputPath $path -WhatIf
        $path | Should -Not -Exist
    }

    It 'refuses an opset outside 11 to 17' {
        { Export-FaceOnnx -Checkpoint $checkpoint -OutputPath (Join-Path $TestDrive 'o.onnx') -Opset 18 } |
            Should -Throw -ErrorId "ParameterArgumentValidationError,$id"
    }

    It 'fails on a checkpoint path that does not exist' {
        { Export-FaceOnnx -CheckpointPath (Join-Path $TestDrive 'nowhere') -ErrorAction Stop } | Should -Throw -ErrorId "PathNotFound,$id"
    }

    It 'writes a CheckpointNotFound error for a folder that is no checkpoint and goes on' {
        $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'empty')
        $models = [pscustomobject]@{ CheckpointPath = $empty.FullName }, [pscustomobject]@{ CheckpointPath = $checkpoint.CheckpointPath } |
            Export-FaceOnnx -Force -ErrorVariable problems -ErrorAction SilentlyContinue
        @($models).Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "CheckpointNotFound,$id"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'survives ConvertTo-Json and Export-Clixml' {
        $model = Export-FaceOnnx -Checkpoint $checkpoint -OutputPath (Join-Path $TestDrive 'json.onnx')
        ($model | ConvertTo-Json | ConvertFrom-Json).ModelPath | Should -Be $model.ModelPath
        $file = Join-Path $TestDrive 'm.xml'
        $model | Export-Clixml $file
        (Import-Clixml $file).EmbeddingSize | Should -Be 64
    }
}
