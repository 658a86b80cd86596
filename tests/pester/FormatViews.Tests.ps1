# The table views fit a 120-column console: paths show their last two parts (run/checkpoint, identity/image,
# checkpoint/model.onnx) in full, and Format-List keeps the whole path.

BeforeDiscovery {
    $run = '/home/alice/projects/face-recognition/work_dirs/ms1mv3_r50_arcface_with_a_long_name'
    $photos = '/home/alice/Pictures/family photos/2024 christmas at grandma''s house'
    $script:views = @(
        @{ Type = 'FaceCheckpoint'; Property = 'CheckpointPath'; Shown = 'ms1mv3_r50_arcface_with_a_long_name/epoch-0003'
           Object = @{ CheckpointPath = "$run/checkpoints/epoch-0003"; Network = 'r50'; EmbeddingSize = 512; Epoch = 3; GlobalStep = 123456; Loss = 12.3456; Reason = 'epoch' } }
        @{ Type = 'VerificationResult'; Property = 'Model'; Shown = 'ms1mv3_r50_arcface_with_a_long_name/epoch-0003'
           Object = @{ Model = "$run/checkpoints/epoch-0003"; Target = 'agedb_30'; Pairs = 6000; Accuracy = 0.98; AccuracyStd = 0.01; XNorm = 22.1; Threshold = 1.4; TarAtFar = 0.95; Far = 0.001; Flip = $true } }
        @{ Type = 'FaceEmbeddingComparison'; Property = 'DifferencePath'; Shown = '2024 christmas at grandma''s house/IMG_20241224_190455.jpg'
           Object = @{ Similarity = 0.5; Distance = 1; ReferencePath = "$photos/IMG_20241224_190001.jpg"; DifferencePath = "$photos/IMG_20241224_190455.jpg" } }
        @{ Type = 'FaceEmbedding'; Property = 'Path'; Shown = '2024 christmas at grandma''s house/IMG_20241224_190455.jpg'
           Object = @{ Path = "$photos/IMG_20241224_190455.jpg"; Vector = [float[]]::new(512); Model = "$run/checkpoints/epoch-0003" } }
        @{ Type = 'FaceOnnxModel'; Property = 'ModelPath'; Shown = 'epoch-0003/model.onnx'
           Object = @{ ModelPath = "$run/checkpoints/epoch-0003/model.onnx"; Network = 'r50'; Opset = 11; EmbeddingSize = 512; MaxAbsDiff = 1e-6 } }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $PSStyle.OutputRendering = 'PlainText'
}

Describe 'Table views' {
    It '<Type> shows <Shown> in full in 120 columns, and Format-List the whole <Property>' -ForEach $views {
        $item = New-Object "InsightFace.$Type" -Property $Object
        $table = $item | Format-Table | Out-String -Width 120
        $table | Should -BeLike "*$Shown*"
        $item | Format-List | Out-String -Width 300 | Should -BeLike "*$($Object[$Property])*"
    }

    It 'shortens Windows paths and a bare name the same way' {
        [InsightFace.DisplayPath]::Short('C:\runs\r50\checkpoints\epoch-0001') | Should -Be 'r50/epoch-0001'
        [InsightFace.DisplayPath]::Short('model.onnx') | Should -Be 'model.onnx'
        [InsightFace.DisplayPath]::Short('') | Should -Be ''
    }

    It 'heads comparisons with their reference''s whole path' {
        $reference = '/home/alice/Pictures/family photos/2024 christmas at grandma''s house/IMG_20241224_190001.jpg'
        $comparison = [InsightFace.FaceEmbeddingComparison]@{ Similarity = 0.5; Distance = 1; ReferencePath = $reference; DifferencePath = '/x/y.jpg' }
        $comparison | Format-Table | Out-String -Width 120 | Should -BeLike "*Reference: $reference*"
    }
}
