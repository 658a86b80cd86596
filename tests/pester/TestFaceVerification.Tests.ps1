BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:cmdlet = 'InsightFace.PowerShell.Commands.TestFaceVerificationCommand'
    $script:python = '/usr/bin/python3'

    # 20 pairs of real faces (ORL), same and different alternating, built into a .bin the way users build theirs.
    $orl = Join-Path $PSScriptRoot '../../../shared/fixtures/orl-faces-112' | Resolve-Path | ForEach-Object Path
    $lines = foreach ($i in 1..20) {
        $a = 1 + ($i % 40); $b = 1 + (($i + 7) % 40)
        if ($i % 2) { "s$a/1.jpg,s$a/2.jpg,1" } else { "s$a/3.jpg,s$b/3.jpg,0" }
    }
    Set-Content -Path (Join-Path $TestDrive 'pairs.csv') -Value $lines
    $script:data = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'data')
    $script:bin = New-FaceVerificationSet -PairsPath (Join-Path $TestDrive 'pairs.csv') -ImageRoot $orl -OutputPath (Join-Path $data 'orl.bin')
    $script:checkpoint = New-FaceCheckpoint -Network mbf -EmbeddingSize 64 -OutputPath (Join-Path $TestDrive 'mbf') -Seed 7

    # Writes a .bin with Python's own pickle after changing the images or flags of orl.bin.
    function New-EditedBin([string] $Name, [string] $Edit) {
        $path = Join-Path $data "$Name.bin"
        & $python -c "import pickle; b, s = pickle.load(open('$($bin.FullName)', 'rb'), encoding='bytes'); $Edit; pickle.dump((b, s), open('$path', 'wb'), protocol=4)"
        $path
    }

    # ONNX models written with the onnx package: GlobalAveragePool (+ Flatten) over an input of the given size.
    function New-OnnxModel([string] $Name, [int] $Size, [switch] $NoFlatten, [string] $Batch = "'N'") {
        $path = Join-Path $TestDrive "$Name.onnx"
        $output = if ($NoFlatten) { "[$Batch, 3, 1, 1]" } else { "[$Batch, 3]" }
        $nodes = if ($NoFlatten) { "[h.make_node('GlobalAveragePool', ['data'], ['out'])]" }
        else { "[h.make_node('GlobalAveragePool', ['data'], ['p']), h.make_node('Flatten', ['p'], ['out'])]" }
        & $python -c @"
import onnx, onnx.helper as h
g = h.make_graph($nodes, 'g', [h.make_tensor_value_info('data', onnx.TensorProto.FLOAT, [$Batch, 3, $Size, $Size])],
    [h.make_tensor_value_info('out', onnx.TensorProto.FLOAT, $output)])
m = h.make_model(g, opset_imports=[h.make_opsetid('', 11)]); m.ir_version = 7
onnx.checker.check_model(m); onnx.save(m, '$path')
"@
        $path
    }

    # A model that embeds in microseconds (per-channel means): the behaviour tests use it, so that they stay fast.
    $script:onnx = New-OnnxModel 'means' 112
    $script:reference = Test-FaceVerification -ModelPath $onnx -Target orl -DataPath $data
}

Describe 'Test-FaceVerification' {
    Context 'a checkpoint from New-FaceCheckpoint on a .bin from New-FaceVerificationSet' {
        BeforeAll {
            $output = $checkpoint | Test-FaceVerification -Target orl -DataPath $data -Verbose 4>&1
            $script:result = $output | Where-Object { $_ -is [InsightFace.VerificationResult] }
            $script:verbose = $output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        }

        It 'runs the protocol end to end: one result with the contract''s properties' {
            $result | Should -HaveCount 1
            $result.Target | Should -Be 'orl'
            $result.Pairs | Should -Be 20
            $result.Flip | Should -BeTrue
            $result.Model | Should -Be $checkpoint.CheckpointPath
        }

        It 'gives numbers in their ranges' {
            $result.XNorm | Should -BeGreaterThan 0
            $result.Accuracy | Should -BeGreaterOrEqual 0
            $result.Accuracy | Should -BeLessOrEqual 1
            $result.AccuracyStd | Should -BeGreaterOrEqual 0
            $result.Threshold | Should -BeGreaterOrEqual 0
            $result.Threshold | Should -BeLessThan 4
            $result.TarAtFar | Should -BeGreaterOrEqual 0
            $result.TarAtFar | Should -BeLessOrEqual 1
            $result.Far | Should -BeLessOrEqual 1
        }

        It 'gives an accuracy that is a whole number of pairs (2 pairs in each of 10 folds)' {
            [math]::Abs($result.Accuracy * 20 - [math]::Round($result.Accuracy * 20)) | Should -BeLessThan 1e-9
        }

        It 'shows arcface_torch''s log lines with -Verbose' {
            $verbose | Should -Contain ('[orl]XNorm: {0}' -f $result.XNorm.ToString('F6', [cultureinfo]::InvariantCulture))
            $verbose | Should -Contain ('[orl]Accuracy-Flip: {0}+-{1}' -f $result.Accuracy.ToString('F5', [cultureinfo]::InvariantCulture),
                $result.AccuracyStd.ToString('F5', [cultureinfo]::InvariantCulture))
        }

        It 'binds CheckpointPath by property name, takes a .bin path, and embeds the images alone with -NoFlip' {
            $plain = [pscustomobject]@{ CheckpointPath = $checkpoint.CheckpointPath } |
                Test-FaceVerification -Target $bin.FullName -NoFlip -BatchSize 7
            $plain.Flip | Should -BeFalse
            $plain.Pairs | Should -Be 20
            $plain.Model | Should -Be $checkpoint.CheckpointPath
            $plain.XNorm | Should -BeGreaterThan 0
            $plain.XNorm | Should -Not -Be $result.XNorm
        }

        It 'survives ConvertTo-Json and Export-Clixml' {
            ($result | ConvertTo-Json | ConvertFrom-Json).Accuracy | Should -Be $result.Accuracy
            $file = Join-Path $TestDrive 'result.xml'
            $result | Export-Clixml $file
            (Import-Clixml $file).XNorm | Should -Be $result.XNorm
        }
    }

    Context 'an ONNX model' {
        It 'runs the protocol through ONNX Runtime' {
            $reference.Model | Should -Be $onnx
            $reference.Pairs | Should -Be 20
            $reference.Flip | Should -BeTrue
            $reference.XNorm | Should -BeGreaterThan 0
        }

        It 'feeds a model with a fixed batch of 1, common in the wild, one image at a time' {
            $fixed = New-OnnxModel 'fixed1' 112 -Batch 1
            $one = Test-FaceVerification -ModelPath $fixed -Target orl -DataPath $data
            $one.Accuracy | Should -Be $reference.Accuracy
            [math]::Abs($one.XNorm - $reference.XNorm) | Should -BeLessThan (1e-6 * $reference.XNorm)
        }

        It 'does not depend on the batch size' {
            $small = Test-FaceVerification -ModelPath $onnx -Target orl -DataPath $data -BatchSize 3
            $small.Accuracy | Should -Be $reference.Accuracy
            [math]::Abs($small.XNorm - $reference.XNorm) | Should -BeLessThan (1e-6 * $reference.XNorm)
        }

        It 'takes -ChannelOrder, -InputMean and -InputStd' {
            # Channel means in the other order: the same norms.
            $bgr = Test-FaceVerification -ModelPath $onnx -Target orl -DataPath $data -ChannelOrder BGR
            [math]::Abs($bgr.XNorm - $reference.XNorm) | Should -BeLessThan (1e-6 * $reference.XNorm)
            # Mean 0 and std 255 map pixels to 0..1: every channel mean is positive, a different XNorm.
            (Test-FaceVerification -ModelPath $onnx -Target orl -DataPath $data -InputMean 0 -InputStd 255).XNorm |
                Should -Not -Be $reference.XNorm
        }
    }

    Context 'the numbers' {
        It 'equal an independent numpy run of InsightFace''s test() on OpenCV-decoded images (quadrant-mean embeddings)' {
            # ONNX: AveragePool 56x56 stride 56 + Flatten: the mean of each channel in each quadrant, 12 values.
            $model = Join-Path $TestDrive 'quadrants.onnx'
            & $python -c @"
import onnx, onnx.helper as h
g = h.make_graph([h.make_node('AveragePool', ['data'], ['p'], kernel_shape=[56, 56], strides=[56, 56]), h.make_node('Flatten', ['p'], ['out'])],
    'g', [h.make_tensor_value_info('data', onnx.TensorProto.FLOAT, ['N', 3, 112, 112])], [h.make_tensor_value_info('out', onnx.TensorProto.FLOAT, ['N', 12])])
m = h.make_model(g, opset_imports=[h.make_opsetid('', 11)]); m.ir_version = 7; onnx.save(m, '$model')
"@
            $ours = Test-FaceVerification -ModelPath $model -Target orl -DataPath $data
            # The same embeddings and InsightFace's verification.py test()/calculate_roc, written out with numpy.
            $theirs = & $python -c @"
import pickle, numpy as np, cv2
bins, issame = pickle.load(open('$($bin.FullName)', 'rb'))
def embed(img):
    x = (img.astype(np.float32) - np.float32(127.5)) * np.float32(1 / 127.5)
    return x.reshape(2, 56, 2, 56, 3).mean(axis=(1, 3), dtype=np.float64).transpose(2, 0, 1).reshape(-1)
imgs = [cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1] for b in bins]
e0 = np.array([embed(i) for i in imgs]); e1 = np.array([embed(i[:, ::-1]) for i in imgs])
xnorm = np.mean([np.linalg.norm(v) for v in np.concatenate([e0, e1])])
e = e0 + e1; e = e / np.linalg.norm(e, axis=1, keepdims=True)
dist = np.sum(np.square(e[0::2] - e[1::2]), 1); same = np.array(issame)
thresholds = np.arange(0, 4, 0.01); n = len(same); folds = np.array_split(np.arange(n), 10)
def acc(t, d, s): p = d < t; return (np.sum(p & s) + np.sum(~p & ~s)) / d.size
accs, best = [], []
for test in folds:
    train = np.setdiff1d(np.arange(n), test)
    i = np.argmax([acc(t, dist[train], same[train]) for t in thresholds])
    best.append(thresholds[i]); accs.append(acc(thresholds[i], dist[test], same[test]))
print('%.10f %.10f %.10f %.10f' % (np.mean(accs), np.std(accs), xnorm, np.mean(best)))
"@
            $accuracy, $std, $xnorm, $threshold = [double[]]($theirs -split ' ')
            $ours.Accuracy | Should -BeGreaterThan ($accuracy - 1e-9)
            $ours.Accuracy | Should -BeLessThan ($accuracy + 1e-9)
            [math]::Abs($ours.AccuracyStd - $std) | Should -BeLessThan 1e-9
            [math]::Abs($ours.Threshold - $threshold) | Should -BeLessThan 1e-9
            [math]::Abs($ours.XNorm - $xnorm) | Should -BeLessThan (1e-5 * $xnorm)
        }
    }

    Context 'targets' {
        It 'resolves relative target paths and -DataPath against the PowerShell location' {
            Push-Location $TestDrive
            try {
                (Test-FaceVerification -ModelPath means.onnx -Target data/orl.bin).XNorm | Should -Be $reference.XNorm
                (Test-FaceVerification -ModelPath means.onnx -Target orl -DataPath data).XNorm | Should -Be $reference.XNorm
            }
            finally { Pop-Location }
        }

        It 'writes a VerificationTargetNotFound error for a missing target and goes on with the rest' {
            $results = Test-FaceVerification -ModelPath $onnx -Target nothere, orl -DataPath $data -ErrorVariable problems -ErrorAction SilentlyContinue
            $results.Target | Should -Be 'orl'
            $problems | Should -HaveCount 1
            $problems[0].FullyQualifiedErrorId | Should -Be "VerificationTargetNotFound,$cmdlet"
            $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            "$($problems[0])" | Should -Match 'nothere\.bin'
        }

        It 'completes -Target with the .bin names in -DataPath' {
            $line = "Test-FaceVerification -DataPath '$data' -Target o"
            $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $completion.CompletionMatches.CompletionText | Should -Contain 'orl'
        }
    }

    Context 'the CI gate' {
        It 'writes the result, then a VerificationBelowMinimum error, when accuracy is below -MinimumAccuracy' {
            $minimum = $reference.Accuracy + 0.01
            $results = Test-FaceVerification -ModelPath $onnx -Target orl -DataPath $data -MinimumAccuracy $minimum -ErrorVariable problems -ErrorAction SilentlyContinue
            $results | Should -HaveCount 1
            $problems | Should -HaveCount 1
            $problems[0].FullyQualifiedErrorId | Should -Be "VerificationBelowMinimum,$cmdlet"
            $problems[0].CategoryInfo.Category | Should -Be 'InvalidResult'
        }

        It 'writes no error when accuracy reaches the minimum' {
            $null = Test-FaceVerification -ModelPath $onnx -Target orl -DataPath $data -MinimumAccuracy $reference.Accuracy -ErrorVariable problems
            $problems | Should -BeNullOrEmpty
        }

        It 'fails a script that runs with -ErrorAction Stop' {
            { Test-FaceVerification -ModelPath $onnx -Target orl -DataPath $data -MinimumAccuracy 1.0 -ErrorAction Stop } |
                Should -Throw -ErrorId "VerificationBelowMinimum,$cmdlet"
        }
    }

    Context 'the ROC plot' {
        It 'writes a PNG, refuses to replace it without -Force, and writes nothing with -WhatIf' {
            $png = Join-Path $TestDrive 'roc.png'
            $null = Test-FaceVerification -ModelPath $onnx -Target orl -DataPath $data -RocPlotPath $png -WhatIf
            $png | Should -Not -Exist
            $null = Test-FaceVerification -ModelPath $onnx -Target orl -DataPath $data -RocPlotPath $png
            $bytes = [IO.File]::ReadAllBytes($png)
            $bytes[1..3] | Should -Be ([byte[]][char[]]'PNG')
            $again = Test-FaceVerification -ModelPath $onnx -Target orl -DataPath $data -RocPlotPath $png -ErrorVariable problems -ErrorAction SilentlyContinue
            $again | Should -HaveCount 1
            $problems[0].FullyQualifiedErrorId | Should -Be "VerificationOutputExists,$cmdlet"
            $problems[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            [IO.File]::ReadAllBytes($png).Length | Should -Be $bytes.Length
            $null = Test-FaceVerification -ModelPath $onnx -Target orl -DataPath $data -RocPlotPath $png -Force -ErrorVariable problems
            $problems | Should -BeNullOrEmpty
        }

        It 'creates a missing folder for the plot' {
            $png = Join-Path $TestDrive 'plots/new/roc.png'
            $null = Test-FaceVerification -ModelPath $onnx -Target orl -DataPath $data -RocPlotPath $png
            $png | Should -Exist
        }

        It 'draws every target into one plot' {
            Copy-Item $bin.FullName (Join-Path $data 'orl2.bin')
            $said = Test-FaceVerification -ModelPath $onnx -Target orl, orl2 -DataPath $data -RocPlotPath (Join-Path $TestDrive 'many.png') -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            Join-Path $TestDrive 'many.png' | Should -Exist
            Get-ChildItem $TestDrive -Filter 'many-*' | Should -BeNullOrEmpty
            "$said" | Should -Match "Wrote the ROC curves of 'orl', 'orl2' to "
        }
    }

    Context 'pair order' {
        It 'warns when folds hold one kind of pair, and reports TarAtFar as NaN' {
            # The same 20 pairs with every "same" pair first: folds 1-5 all same, 6-10 all different.
            $sorted = New-EditedBin 'sorted' 'o = sorted(range(len(s)), key=lambda i: not s[i]); b = [x for i in o for x in (b[2*i], b[2*i+1])]; s = [s[i] for i in o]'
            $result = Test-FaceVerification -ModelPath $onnx -Target $sorted -WarningVariable warnings -WarningAction SilentlyContinue
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -BeLike "'sorted': folds 1, 2, 3, 4, 5 hold only ""same"" pairs; folds 6, 7, 8, 9, 10 hold only ""different"" pairs.*"
            [double]::IsNaN($result.TarAtFar) | Should -BeTrue
            $null = Test-FaceVerification -ModelPath $onnx -Target orl -DataPath $data -WarningVariable none -WarningAction SilentlyContinue
            $none | Should -BeNullOrEmpty
        }
    }

    Context 'bad .bin files: an error naming the problem, the other targets go on' {
        It '<Case> gives <ErrorId>' -ForEach @(
            @{ Case = 'a file that is not a pickle'; ErrorId = 'VerificationBinNotPickle'; Make = { $p = Join-Path $data 'text.bin'; Set-Content $p 'not a pickle'; $p } }
            @{ Case = 'a truncated pickle'; ErrorId = 'VerificationBinTruncated'; Make = {
                    $p = Join-Path $data 'cut.bin'; $all = [IO.File]::ReadAllBytes($bin.FullName)
                    [IO.File]::WriteAllBytes($p, $all[0..($all.Length / 2)]); $p } }
            @{ Case = 'one image too few for the flags'; ErrorId = 'VerificationBinCountMismatch'; Make = { New-EditedBin 'mismatch' 'b = b[:-1]' } }
            @{ Case = 'an image that does not decode'; ErrorId = 'VerificationImageInvalid'; Make = { New-EditedBin 'badimage' "b[5] = b'not a jpeg'" } }
        ) {
            $path = & $Make
            $before = (Get-FileHash $path).Hash
            $results = Test-FaceVerification -ModelPath $onnx -Target $path, orl -DataPath $data -ErrorVariable problems -ErrorAction SilentlyContinue
            $results.Target | Should -Be 'orl'
            $problems | Should -HaveCount 1
            $problems[0].FullyQualifiedErrorId | Should -Be "$ErrorId,$cmdlet"
            $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
            (Get-FileHash $path).Hash | Should -Be $before
        }

        It 'names the index and the pair of the image that does not decode' {
            $path = New-EditedBin 'badimage5' "b[5] = b'not a jpeg'"
            $null = Test-FaceVerification -ModelPath $onnx -Target $path -ErrorVariable problems -ErrorAction SilentlyContinue
            "$($problems[0])" | Should -Match 'image 5 \(pair 2, second image\)'
        }

        It 'reads a .bin written by Python''s pickle (protocol 4) as its own' {
            $path = New-EditedBin 'python' 'pass'
            (Test-FaceVerification -ModelPath $onnx -Target $path).XNorm | Should -Be $reference.XNorm
        }
    }

    Context 'bad models' {
        It 'writes CheckpointIncompatible for a checkpoint whose network the registry lacks' {
            $odd = New-FaceCheckpoint -Network mbf -EmbeddingSize 32 -OutputPath (Join-Path $TestDrive 'odd') -Seed 1
            $manifest = Join-Path $odd.CheckpointPath 'checkpoint.json'
            (Get-Content -Raw $manifest) -replace '"network":\s*"mbf"', '"network": "r999"' | Set-Content $manifest
            $err = { Test-FaceVerification -CheckpointPath $odd.CheckpointPath -Target orl -DataPath $data -ErrorAction Stop } |
                Should -Throw -ErrorId "CheckpointIncompatible,$cmdlet" -PassThru
            $err.Exception.Message | Should -Match 'r999'
        }

        It 'fails with DeviceUnavailable for -Device cuda on a machine without CUDA, never falling back' {
            Skip-WhereCudaIsPresent
            { $checkpoint | Test-FaceVerification -Target orl -DataPath $data -Device cuda -ErrorAction Stop } |
                Should -Throw -ErrorId "DeviceUnavailable,$cmdlet"
        }

        It 'names the shapes of an ONNX model whose input is not Nx3x112x112' {
            $model = New-OnnxModel 'small' 64
            $err = { Test-FaceVerification -ModelPath $model -Target orl -DataPath $data -ErrorAction Stop } |
                Should -Throw -ErrorId "OnnxInputShapeUnsupported,$cmdlet" -PassThru
            $err.Exception.Message | Should -Match '\[N, 3, 64, 64\]'
        }

        It 'names the shape of an ONNX model whose output is not 2-D' {
            $model = New-OnnxModel 'four-d' 112 -NoFlatten
            $err = { Test-FaceVerification -ModelPath $model -Target orl -DataPath $data -ErrorAction Stop } |
                Should -Throw -ErrorId "OnnxOutputShapeUnsupported,$cmdlet" -PassThru
            $err.Exception.Message | Should -Match '\[N, 3, 1, 1\]'
        }

        It 'writes OnnxModelInvalid for a file that is not an ONNX model' {
            $model = Join-Path $TestDrive 'junk.onnx'
            Set-Content $model 'junk'
            { Test-FaceVerification -ModelPath $model -Target orl -DataPath $data -ErrorAction Stop } |
                Should -Throw -ErrorId "OnnxModelInvalid,$cmdlet"
        }
    }
}
