BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:fixtures = Get-FixturePath
    $script:params = Join-Path $fixtures 'mxnet-params-v2/model-0000.params'
    $script:id = 'InsightFace.PowerShell.Commands.GetFaceModelInfoCommand'
}

Describe 'Get-FaceModelInfo' {
    It 'lists the 146 arrays of a file written by MXNet, each named by the symbol graph' {
        Skip-MissingFixture $params
        $arrays = @(Get-FaceModelInfo -Path $params)
        $arrays.Count | Should -Be 146
        $arrays[0] | Should -BeOfType ([InsightFace.FaceModelArray])
        $arrays.DType | Sort-Object -Unique | Should -Be 'float32'
        $symbol = Get-Content -Raw (Join-Path $fixtures 'mxnet-params-v2/model-symbol.json') | ConvertFrom-Json
        $variables = @($symbol.nodes | Where-Object op -EQ 'null' | ForEach-Object name)
        foreach ($array in $arrays) { $array.Name.Substring(4) | Should -BeIn $variables }
        $conv = $arrays | Where-Object Name -EQ 'arg:conv_1_conv2d_weight'
        $conv.Shape[1] | Should -Be 3 -Because 'the first conv reads the 3 image channels'
        $conv.Elements | Should -Be ($conv.Shape[0] * $conv.Shape[1] * $conv.Shape[2] * $conv.Shape[3])
    }

    It 'lists the keys, shapes and dtypes of a PyTorch state dict' {
        $checkpoint = New-FaceCheckpoint -Network mbf -EmbeddingSize 32 -OutputPath (Join-Path $TestDrive 'mbf') -Seed 1
        $arrays = @(Get-FaceModelInfo -Path (Join-Path $checkpoint.CheckpointPath 'model.pt'))
        $arrays[0].Name | Should -Be 'layers.0.layers.0.weight'
        $arrays[0].Shape | Should -Be @(128, 3, 3, 3)
        $arrays[0].DType | Should -Be 'float32'
        ($arrays | Where-Object Name -EQ 'features.layers.3.num_batches_tracked').DType | Should -Be 'int64'
        ($arrays | Where-Object Name -EQ 'features.layers.2.weight').Shape | Should -Be @(32, 512)
    }

    It 'writes an error naming the offset of a truncated file and goes on with the next' {
        Skip-MissingFixture $params
        $cut = Join-Path $TestDrive 'cut.params'
        [IO.File]::WriteAllBytes($cut, [IO.File]::ReadAllBytes($params)[0..4095])
        $arrays = Get-FaceModelInfo -Path $cut, $params -ErrorVariable problems -ErrorAction SilentlyContinue
        @($arrays).Count | Should -Be 146
        $problems[0].FullyQualifiedErrorId | Should -Be "MxnetParamsTruncated,$id"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $problems[0].Exception.Message | Should -Match 'offset \d+'
    }

    It 'reports a file that is neither format' {
        $text = Join-Path $TestDrive 'notes.pth'
        Set-Content -Path $text -Value 'not a model'
        { Get-FaceModelInfo -Path $text -ErrorAction Stop } | Should -Throw -ErrorId "PthUnknownFormat,$id"
    }

    It 'survives ConvertTo-Json' {
        $checkpoint = New-FaceCheckpoint -Network mbf -EmbeddingSize 32 -OutputPath (Join-Path $TestDrive 'json') -Seed 1
        $first = Get-FaceModelInfo -Path (Join-Path $checkpoint.CheckpointPath 'model.pt') | Select-Object -First 1
        ($first | ConvertTo-Json | ConvertFrom-Json).Shape | Should -Be @(128, 3, 3, 3)
    }
}
