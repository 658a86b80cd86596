BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:fixtures = Get-FixturePath
    # A checkpoint's model.pt is an arcface_torch state dict, which is what users bring from PyTorch.
    $script:source = Join-Path (New-FaceCheckpoint -Network mbf -EmbeddingSize 64 -OutputPath (Join-Path $TestDrive 'source') -Seed 3).CheckpointPath 'model.pt'
    $script:id = 'InsightFace.PowerShell.Commands.ImportFaceModelCommand'
}

Describe 'Import-FaceModel' {
    It 'imports a PyTorch state dict, and Export-FaceOnnx works on the result' {
        $imported = Import-FaceModel -Path $source -Network mbf -OutputPath (Join-Path $TestDrive 'imported')
        $imported | Should -BeOfType ([InsightFace.FaceCheckpoint])
        $imported.Network | Should -Be 'mbf'
        $imported.EmbeddingSize | Should -Be 64
        $imported.Reason | Should -Be 'import'
        $model = $imported | Export-FaceOnnx -OutputPath (Join-Path $TestDrive 'imported.onnx') -Verify
        $model.MaxAbsDiff | Should -BeLessOrEqual (1e-4 * [Math]::Max(1, $model.OutputScale))
    }

    It 'needs -Network for a PyTorch file' {
        $output = Join-Path $TestDrive 'no-network'
        { Import-FaceModel -Path $source -OutputPath $output -ErrorAction Stop } | Should -Throw -ErrorId "NetworkRequired,$id"
        $output | Should -Not -Exist
    }

    It 'names the networks it can build when -Network is not one of them' {
        $output = Join-Path $TestDrive 'r999'
        $e = { Import-FaceModel -Path $source -Network r999 -OutputPath $output -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be "UnknownBackbone,$id"
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -Match 'mbf_large'
        $output | Should -Not -Exist
    }

    It 'lists the keys that do not fit and writes nothing; -Strict:$false loads the rest with a warning' {
        $output = Join-Path $TestDrive 'resized'
        $e = { Import-FaceModel -Path $source -Network mbf -EmbeddingSize 32 -OutputPath $output -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be "StateDictMismatch,$id"
        $e.Exception.Message | Should -Match 'shape differs: features\.layers\.2\.weight: file \[64, 512\], model \[32, 512\]'
        $output | Should -Not -Exist

        $imported = Import-FaceModel -Path $source -Network mbf -EmbeddingSize 32 -OutputPath $output -Strict:$false -WarningVariable unfit 3>$null
        $imported.EmbeddingSize | Should -Be 32
        ($unfit -join "`n") | Should -Match 'features\.layers\.3\.running_mean'
        Join-Path $output 'model.pt' | Should -Exist
    }

    It 'keeps an existing output without -Force' {
        $output = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'existing')
        Set-Content -Path (Join-Path $output 'keep.txt') -Value 'keep me'
        { Import-FaceModel -Path $source -Network mbf -OutputPath $output -ErrorAction Stop } | Should -Throw -ErrorId "CheckpointExists,$id"
        Get-Content (Join-Path $output 'keep.txt') | Should -Be 'keep me'
        (Import-FaceModel -Path $source -Network mbf -OutputPath $output -Force).Network | Should -Be 'mbf'
    }

    It 'writes nothing with -WhatIf' {
        $output = Join-Path $TestDrive 'whatif'
        Import-FaceModel -Path $source -Network mbf -OutputPath $output -WhatIf
        $output | Should -Not -Exist
    }

    It 'refuses an MXNet graph that is not a backbone it maps, naming the layers' {
        $params = Join-Path $fixtures 'mxnet-params-v2/model-0000.params'
        Skip-MissingFixture $params
        $e = { Import-FaceModel -Path $params -OutputPath (Join-Path $TestDrive 'genderage') -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be "MxnetGraphMismatch,$id"
        $e.CategoryInfo.Category | Should -Be 'InvalidData'
        $e.Exception.Message | Should -Match "node '"
        Join-Path $TestDrive 'genderage' | Should -Not -Exist
    }

    It 'names the offset of a truncated .params file' {
        $params = Join-Path $fixtures 'mxnet-params-v2/model-0000.params'
        Skip-MissingFixture $params
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'truncated')
        Copy-Item (Join-Path $fixtures 'mxnet-params-v2/model-symbol.json') $folder
        $bytes = [IO.File]::ReadAllBytes($params)
        [IO.File]::WriteAllBytes((Join-Path $folder 'model-0000.params'), $bytes[0..99999])
        $e = { Import-FaceModel -Path (Join-Path $folder 'model-0000.params') -OutputPath (Join-Path $TestDrive 'cut') -ErrorAction Stop } |
            Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be "MxnetParamsTruncated,$id"
        $e.Exception.Message | Should -Match 'at offset \d+ but the file ends at 100000'
    }

    It 'names the offset of an unknown NDArray magic' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'magic')
        # List magic 0x112, reserved, one array, then a blob magic no MXNet version writes (at offset 24).
        [byte[]] $bytes = @(0x12, 1, 0, 0, 0, 0, 0, 0) + @(0) * 8 + @(1, 0, 0, 0, 0, 0, 0, 0) + @(0xEF, 0xBE, 0xAD, 0xDE) + @(0) * 8
        [IO.File]::WriteAllBytes((Join-Path $folder 'model-0000.params'), $bytes)
        Set-Content -Path (Join-Path $folder 'model-symbol.json') -Value '{"nodes": []}'
        $e = { Import-FaceModel -Path (Join-Path $folder 'model-0000.params') -OutputPath (Join-Path $TestDrive 'm') -ErrorAction Stop } |
            Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be "MxnetParamsUnknownMagic,$id"
        $e.Exception.Message | Should -Match '0xDEADBEEF at offset 24'
    }
}
