# Every cmdlet that takes a checkpoint binds it the same three ways: a FaceCheckpoint from the pipeline, any object
# with a CheckpointPath property, and a checkpoint deserialized by Start-Job (a property bag, type Deserialized.*).

BeforeDiscovery {
    $script:cases = foreach ($cmdlet in 'Get-FaceEmbedding', 'Test-FaceVerification', 'Export-FaceOnnx', 'Get-FaceModelInfo') {
        foreach ($kind in 'a FaceCheckpoint from Get-FaceCheckpoint', 'an object with CheckpointPath', 'a checkpoint deserialized by Start-Job') {
            @{ Cmdlet = $cmdlet; Kind = $kind }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Get-ModuleUnderTest
    Import-Module $module -Force
    $orl = Get-FixturePath 'orl-faces-112'
    $script:checkpoint = New-FaceCheckpoint -Network mbf -EmbeddingSize 16 -OutputPath (Join-Path $TestDrive 'mbf') -Seed 5
    $path = $checkpoint.CheckpointPath
    $script:inputs = @{
        'a FaceCheckpoint from Get-FaceCheckpoint' = Get-FaceCheckpoint -Path $path
        'an object with CheckpointPath'            = [pscustomobject]@{ CheckpointPath = $path }
        'a checkpoint deserialized by Start-Job'   = Start-Job { Import-Module $using:module; Get-FaceCheckpoint -Path $using:path } |
            Receive-Job -Wait -AutoRemoveJob
    }

    # Each cmdlet run on the piped object; what it returns is the checkpoint (or its model.pt) it used.
    $script:face = Join-Path $orl 's1/1.jpg'
    $script:runs = @{
        'Get-FaceEmbedding'     = { param($in) ($in | Get-FaceEmbedding -Path $face).Model }
        'Test-FaceVerification' = { param($in) ($in | Test-FaceVerification -Target $bin -NoFlip).Model }
        'Export-FaceOnnx'       = { param($in) ($in | Export-FaceOnnx -OutputPath (Join-Path $TestDrive "$([guid]::NewGuid()).onnx")).CheckpointPath }
        'Get-FaceModelInfo'     = { param($in) Split-Path ($in | Get-FaceModelInfo | Select-Object -First 1).Path }
    }
    if (Test-Path $orl) {
        $pairs = foreach ($i in 1..20) { if ($i % 2) { "s$i/1.jpg,s$i/2.jpg,1" } else { "s$i/3.jpg,s$($i + 1)/3.jpg,0" } }
        Set-Content -Path (Join-Path $TestDrive 'pairs.csv') -Value $pairs
        $script:bin = (New-FaceVerificationSet -PairsPath (Join-Path $TestDrive 'pairs.csv') -ImageRoot $orl -OutputPath (Join-Path $TestDrive 'orl.bin')).FullName
    }
}

Describe 'Checkpoint binding' {
    It 'the Start-Job checkpoint is a deserialized property bag, not a FaceCheckpoint' {
        $inputs['a checkpoint deserialized by Start-Job'].PSObject.TypeNames[0] | Should -Be 'Deserialized.InsightFace.FaceCheckpoint'
        $inputs['a checkpoint deserialized by Start-Job'] | Should -Not -BeOfType ([InsightFace.FaceCheckpoint])
    }

    It '<Cmdlet> takes <Kind> from the pipeline' -ForEach $cases {
        Skip-MissingFixture (Get-FixturePath 'orl-faces-112/s1/1.jpg')
        & $runs[$Cmdlet] $inputs[$Kind] | Should -Be $checkpoint.CheckpointPath
    }
}

Describe 'ONNX model binding' {
    It '<_> takes a FaceOnnxModel from Export-FaceOnnx as the ONNX model, though it also has a CheckpointPath' -ForEach 'Get-FaceEmbedding', 'Test-FaceVerification' {
        Skip-MissingFixture (Get-FixturePath 'orl-faces-112/s1/1.jpg')
        $onnx = $checkpoint | Export-FaceOnnx -OutputPath (Join-Path $TestDrive "$_.onnx")
        $onnx.CheckpointPath | Should -Be $checkpoint.CheckpointPath
        $model = if ($_ -eq 'Get-FaceEmbedding') { ($onnx | Get-FaceEmbedding -Path $face).Model } else { ($onnx | Test-FaceVerification -Target $bin -NoFlip).Model }
        $model | Should -Be $onnx.ModelPath
    }
}
