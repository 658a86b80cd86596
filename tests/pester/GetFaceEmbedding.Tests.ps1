BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:cmdlet = 'InsightFace.PowerShell.Commands.GetFaceEmbeddingCommand'
    $script:orl = Join-Path $PSScriptRoot '../../../shared/fixtures/orl-faces-112' | Resolve-Path | ForEach-Object Path
    $script:faces = Get-ChildItem "$orl/s2/*.jpg" | Sort-Object Name

    # An ONNX model whose embedding is the mean of each input channel (GlobalAveragePool + Flatten).
    $script:means = Join-Path $TestDrive 'means.onnx'
    & /usr/bin/python3 -c @"
import onnx, onnx.helper as h
g = h.make_graph([h.make_node('GlobalAveragePool', ['data'], ['p']), h.make_node('Flatten', ['p'], ['out'])], 'g',
    [h.make_tensor_value_info('data', onnx.TensorProto.FLOAT, ['N', 3, 112, 112])], [h.make_tensor_value_info('out', onnx.TensorProto.FLOAT, ['N', 3])])
m = h.make_model(g, opset_imports=[h.make_opsetid('', 11)]); m.ir_version = 7; onnx.save(m, '$means')
"@
    $script:checkpoint = New-FaceCheckpoint -Network mbf -EmbeddingSize 32 -OutputPath (Join-Path $TestDrive 'mbf') -Seed 3
}

Describe 'Get-FaceEmbedding' {
    It 'embeds images from Get-ChildItem, in order, with the values an independent decoder gives' {
        $embeddings = $faces | Get-FaceEmbedding -ModelPath $means -InputMean 0 -InputStd 1 -BatchSize 4
        $embeddings | Should -HaveCount 10
        $embeddings[0] | Should -BeOfType ([InsightFace.FaceEmbedding])
        $embeddings.Path | Should -Be $faces.FullName
        # OpenCV's channel means (BGR, reversed to RGB) of each file: the model's output for mean 0, std 1.
        $expected = & /usr/bin/python3 -c "import cv2, sys; [print(' '.join('%.6f' % v for v in cv2.imread(p).reshape(-1, 3).mean(0)[::-1])) for p in sys.argv[1:]]" @($faces.FullName)
        for ($i = 0; $i -lt 10; $i++) {
            $want = [double[]]($expected[$i] -split ' ')
            $got = $embeddings[$i].Vector
            $got | Should -HaveCount 3
            for ($c = 0; $c -lt 3; $c++) { [math]::Abs($got[$c] - $want[$c]) | Should -BeLessThan 1e-3 }
            $embeddings[$i].Norm | Should -BeGreaterThan ([math]::Sqrt(($got | ForEach-Object { $_ * $_ } | Measure-Object -Sum).Sum) - 1e-9)
            $embeddings[$i].Norm | Should -BeLessThan ([math]::Sqrt(($got | ForEach-Object { $_ * $_ } | Measure-Object -Sum).Sum) + 1e-9)
        }
    }

    It 'sums the embeddings of the image and its mirror with -Flip (channel means: twice the plain ones)' {
        $plain = Get-FaceEmbedding -Path $faces[0].FullName -ModelPath $means
        $flip = Get-FaceEmbedding -Path $faces[0].FullName -ModelPath $means -Flip
        for ($c = 0; $c -lt 3; $c++) { [math]::Abs($flip.Vector[$c] - 2 * $plain.Vector[$c]) | Should -BeLessThan 1e-5 }
    }

    It 'embeds with a checkpoint, independently of the batch size, and binds FullName by property name' {
        $batched = Get-FaceEmbedding -Path "$orl/s2/*.jpg" -Checkpoint $checkpoint -BatchSize 10
        $single = [pscustomobject]@{ FullName = $batched[3].Path } | Get-FaceEmbedding -CheckpointPath $checkpoint.CheckpointPath -BatchSize 1
        $batched | Should -HaveCount 10
        $batched[0].Vector | Should -HaveCount 32
        $batched[0].Model | Should -Be $checkpoint.CheckpointPath
        $single.Path | Should -Be $batched[3].Path
        for ($j = 0; $j -lt 32; $j++) {
            [math]::Abs($single.Vector[$j] - $batched[3].Vector[$j]) | Should -BeLessOrEqual (1e-4 * $batched[3].Norm + 1e-12)
        }
    }

    It 'writes an ImageDecodeFailed error for a file that does not decode, and embeds the others' {
        $bad = Join-Path $TestDrive 'bad.jpg'
        Set-Content -Path $bad -Value 'not a jpeg'
        $embeddings = Get-FaceEmbedding -Path $faces[0].FullName, $bad, $faces[1].FullName -ModelPath $means -ErrorVariable problems -ErrorAction SilentlyContinue
        $embeddings.Path | Should -Be $faces[0].FullName, $faces[1].FullName
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "ImageDecodeFailed,$cmdlet"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        "$($problems[0])" | Should -Match 'bad\.jpg'
    }

    It 'writes a PathNotFound error for a path that does not exist, and goes on' {
        $embeddings = Get-FaceEmbedding -Path (Join-Path $TestDrive 'none.jpg'), $faces[0].FullName -ModelPath $means -ErrorVariable problems -ErrorAction SilentlyContinue
        $embeddings | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "PathNotFound,$cmdlet"
    }

    It 'resolves relative paths against the PowerShell location' {
        Push-Location "$orl/s2"
        try { (Get-FaceEmbedding -Path 1.jpg -ModelPath $means).Path | Should -Be "$orl/s2/1.jpg" }
        finally { Pop-Location }
    }

    It 'fails with the model''s error before reading any image' {
        $odd = New-FaceCheckpoint -Network mbf -EmbeddingSize 16 -OutputPath (Join-Path $TestDrive 'odd') -Seed 1
        $manifest = Join-Path $odd.CheckpointPath 'checkpoint.json'
        (Get-Content -Raw $manifest) -replace '"network":\s*"mbf"', '"network": "r999"' | Set-Content $manifest
        { Get-FaceEmbedding -Path $faces[0].FullName -CheckpointPath $odd.CheckpointPath -ErrorAction Stop } |
            Should -Throw -ErrorId "CheckpointIncompatible,$cmdlet"
    }

    It 'embeds -Path with each checkpoint piped in, in turn, as -Checkpoint does' {
        $first = New-FaceCheckpoint -Network mbf -EmbeddingSize 8 -OutputPath (Join-Path $TestDrive 'first') -Seed 1
        $second = New-FaceCheckpoint -Network mbf -EmbeddingSize 8 -OutputPath (Join-Path $TestDrive 'second') -Seed 2
        $images = $faces[0..1].FullName
        $piped = $first, $second | Get-FaceEmbedding -Path $images
        $piped.Model | Should -Be $first.CheckpointPath, $first.CheckpointPath, $second.CheckpointPath, $second.CheckpointPath
        $piped.Path | Should -Be ($images + $images)
        $direct = @(Get-FaceEmbedding -Path $images -Checkpoint $first) + @(Get-FaceEmbedding -Path $images -Checkpoint $second)
        for ($i = 0; $i -lt 4; $i++) { $piped[$i].Vector | Should -Be $direct[$i].Vector }
    }

    It 'asks for -Path when a checkpoint is piped without it, instead of looking for a file named after its type' {
        { $checkpoint | Get-FaceEmbedding -ErrorAction Stop } | Should -Throw -ErrorId "ImagePathRequired,$cmdlet"
        { [pscustomobject]@{ CheckpointPath = $checkpoint.CheckpointPath } | Get-FaceEmbedding -ErrorAction Stop } |
            Should -Throw -ErrorId "ImagePathRequired,$cmdlet"
    }

    It 'writes an error for a piped checkpoint that does not open, and goes on with the next' {
        $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'no-checkpoint')
        $embeddings = [pscustomobject]@{ CheckpointPath = $empty.FullName }, $checkpoint |
            Get-FaceEmbedding -Path $faces[0].FullName -ErrorVariable problems -ErrorAction SilentlyContinue
        $embeddings.Model | Should -Be $checkpoint.CheckpointPath
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "CheckpointNotFound,$cmdlet"
    }

    It 'warns that an image of another size was resized, and points to -LandmarksPath' {
        $photo = Join-Path $TestDrive 'photo.jpg'
        & /usr/bin/python3 -c "import cv2; cv2.imwrite('$photo', cv2.resize(cv2.imread('$($faces[0].FullName)'), (960, 840)))"
        $embedding = Get-FaceEmbedding -Path $photo -ModelPath $means -WarningVariable warnings -WarningAction SilentlyContinue
        $embedding.Path | Should -Be $photo
        $warnings | Should -HaveCount 1
        "$($warnings[0])" | Should -BeLike "$photo is 960x840, not 112x112: it was resized to 112x112*-LandmarksPath*"

        $null = $faces | Get-FaceEmbedding -ModelPath $means -WarningVariable aligned
        $aligned | Should -BeNullOrEmpty -Because 'the ORL crops are 112x112 already'
    }

    It 'names the first three resized images, then writes one total' {
        $photos = foreach ($i in 1..5) { Join-Path $TestDrive "big-$i.png" }
        & /usr/bin/python3 -c "import cv2, sys; [cv2.imwrite(o, cv2.resize(cv2.imread(i), (200, 240))) for i, o in zip(sys.argv[1:6], sys.argv[6:])]" @($faces[1..5].FullName) @photos
        $embeddings = @($faces[0].FullName) + $photos | Get-FaceEmbedding -ModelPath $means -BatchSize 2 -WarningVariable warnings -WarningAction SilentlyContinue
        $embeddings | Should -HaveCount 6
        $warnings | Should -HaveCount 4
        for ($i = 0; $i -lt 3; $i++) { "$($warnings[$i])" | Should -BeLike "$($photos[$i]) is 200x240, not 112x112*" }
        "$($warnings[3])" | Should -Be 'In all, 5 images were not 112x112 and were resized; the first 3 are named above.'
    }

    It 'aligns photos to the ArcFace template with -LandmarksPath (template landmarks leave a crop as it is)' {
        # Landmarks exactly on the ArcFace 112x112 template: the similarity transform is the identity, so only
        # the JPEG re-encoding of the aligned crop separates the two embeddings.
        $landmarks = Join-Path $TestDrive 'landmarks.txt'
        $template = '38.2946 51.6963 73.5318 51.5014 56.0252 71.7366 41.5493 92.3655 70.7299 92.2041'
        $faces[0..2] | ForEach-Object { "$($_.FullName) $template" } | Set-Content $landmarks
        $plain = $faces[0..2] | Get-FaceEmbedding -ModelPath $means -InputMean 0 -InputStd 1
        $aligned = $faces[0..2] | Get-FaceEmbedding -ModelPath $means -InputMean 0 -InputStd 1 -LandmarksPath $landmarks
        for ($i = 0; $i -lt 3; $i++) {
            for ($c = 0; $c -lt 3; $c++) { [math]::Abs($aligned[$i].Vector[$c] - $plain[$i].Vector[$c]) | Should -BeLessThan 1.5 }
        }

        $found = $faces[0..3] | Get-FaceEmbedding -ModelPath $means -LandmarksPath $landmarks -ErrorVariable problems -ErrorAction SilentlyContinue
        $found | Should -HaveCount 3
        $problems[0].FullyQualifiedErrorId | Should -Be "LandmarksMissing,$cmdlet"

        Set-Content -Path $landmarks -Value "$($faces[0].FullName) 1 2 3"
        { $faces[0] | Get-FaceEmbedding -ModelPath $means -LandmarksPath $landmarks -ErrorAction Stop } |
            Should -Throw -ErrorId "DatasetLandmarksInvalid,$cmdlet"
    }

    It 'survives ConvertTo-Json and Export-Clixml' {
        $embedding = Get-FaceEmbedding -Path $faces[0].FullName -ModelPath $means
        ($embedding | ConvertTo-Json | ConvertFrom-Json).Vector | Should -HaveCount 3
        $file = Join-Path $TestDrive 'e.xml'
        $embedding | Export-Clixml $file
        (Import-Clixml $file).Norm | Should -Be $embedding.Norm
    }
}
