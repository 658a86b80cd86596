BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force

    $script:fixtures = Join-Path $PSScriptRoot '../../../shared/fixtures' | Resolve-Path | Select-Object -ExpandProperty Path
    $script:im2rec = Join-Path $fixtures 'mxnet-im2rec-8faces'
    $script:orl = Join-Path $fixtures 'orl-faces-112'
    $script:fqid = 'InsightFace.PowerShell.Commands.GetFaceDatasetCommand'

    # A copy of the im2rec fixture's train.rec and train.idx whose .rec bytes $Edit may change.
    # Files are written, not copied: the fixtures are read-only and a copy would be too.
    function Copy-Im2Rec([string] $Name, [scriptblock] $Edit = { param($b) $b }) {
        $folder = New-Item -ItemType Directory -Force -Path (Join-Path $TestDrive $Name)
        $bytes = [IO.File]::ReadAllBytes((Join-Path $im2rec 'train.rec'))
        [IO.File]::WriteAllBytes((Join-Path $folder 'train.rec'), [byte[]](& $Edit $bytes))
        [IO.File]::WriteAllBytes((Join-Path $folder 'train.idx'), [IO.File]::ReadAllBytes((Join-Path $im2rec 'train.idx')))
        $folder.FullName
    }
}

Describe 'Get-FaceDataset' {
    It 'reads the im2rec fixture as 8 images of 2 identities' {
        $dataset = Get-FaceDataset $im2rec
        $dataset | Should -BeOfType ([InsightFace.FaceDataset])
        $dataset.Format | Should -Be 'RecordIO'
        $dataset.NumImages | Should -Be 8
        $dataset.NumClasses | Should -Be 2
        $dataset.ImageSize | Should -Be '112x112'
        $dataset.Parts | Should -Be 1
        $dataset.DatasetPath | Should -Be $im2rec
    }

    It 'reads the ORL faces as an image folder of 40 classes and 400 images' {
        $dataset = Get-Dataset -LiteralPath $orl
        $dataset.Format | Should -Be 'ImageFolder'
        $dataset.NumClasses | Should -Be 40
        $dataset.NumImages | Should -Be 400
        $dataset.Name | Should -Be 'orl-faces-112'
    }

    It 'takes .rec files from Get-ChildItem' {
        $other = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'recs')
        [IO.File]::WriteAllBytes((Join-Path $other 'faces.rec'), [IO.File]::ReadAllBytes((Join-Path $im2rec 'train.rec')))
        [IO.File]::WriteAllBytes((Join-Path $other 'faces.idx'), [IO.File]::ReadAllBytes((Join-Path $im2rec 'train.idx')))
        $datasets = @(Get-ChildItem (Join-Path $im2rec '*.rec'), (Join-Path $other '*.rec') | Get-Dataset)
        $datasets.Count | Should -Be 2
        $datasets.NumImages | Should -Be @(8, 8)
        # A .rec not named train.rec keeps its own path, so that it opens again as itself.
        $datasets[1].Name | Should -Be 'faces'
        $datasets[1].DatasetPath | Should -Be (Join-Path $other 'faces.rec')
        (Get-Dataset $datasets[1].DatasetPath).NumImages | Should -Be 8
    }

    It 'resolves wildcards and paths relative to the current location' {
        Push-Location $fixtures
        try { (Get-FaceDataset 'orl-*').NumClasses | Should -Be 40 }
        finally { Pop-Location }
    }

    It 'reads with the -Format it is given' {
        (Get-FaceDataset $orl -Format ImageFolder).Format | Should -Be 'ImageFolder'
        { Get-FaceDataset $orl -Format OFRecord -ErrorAction Stop } | Should -Throw -ErrorId "DatasetNotFound,$fqid"
    }

    It 'reports an empty folder and goes on with the next path' {
        $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'empty')
        $found = Get-FaceDataset $empty, $im2rec -ErrorVariable problems -ErrorAction SilentlyContinue
        $found.NumImages | Should -Be 8
        $problems[0].FullyQualifiedErrorId | Should -Be "ImageFolderEmpty,$fqid"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].Exception.Message | Should -BeLike "*$empty*"
    }

    It 'reports an identity folder with no images' {
        $root = Join-Path $TestDrive 'gap'
        New-Item -ItemType Directory -Path (Join-Path $root 'a'), (Join-Path $root 'b') | Out-Null
        Copy-Item (Join-Path $orl 's1/*') (Join-Path $root 'a')
        { Get-FaceDataset $root -ErrorAction Stop } | Should -Throw -ErrorId "ImageFolderIdentityEmpty,$fqid"
    }

    It 'reports a truncated .rec with its file and offset' {
        $folder = Copy-Im2Rec 'truncated' { param($b) $b[0..($b.Length - 101)] }
        $error = { Get-FaceDataset $folder -ErrorAction Stop } | Should -Throw -ErrorId "RecordIOTruncated,$fqid" -PassThru
        $error.Exception.Message | Should -BeLike "*train.rec*38568*"
        $error.CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'reports a bad magic number at its offset' {
        $folder = Copy-Im2Rec 'magic' { param($b) $b[16648] = 0; $b }
        Remove-Item (Join-Path $folder 'train.idx')
        $error = { Get-FaceDataset $folder -ErrorAction Stop } | Should -Throw -ErrorId "RecordIOBadMagic,$fqid" -PassThru
        $error.Exception.Message | Should -BeLike '*16648*'
    }

    It 'reports an .idx that points past the end of the .rec' {
        $folder = Copy-Im2Rec 'pastend'
        Set-Content (Join-Path $folder 'train.idx') "0`t0`n1`t99999"
        { Get-FaceDataset $folder -ErrorAction Stop } | Should -Throw -ErrorId "RecordIOIndexPastEnd,$fqid"
    }

    It 'reports an .idx that points between records' {
        $folder = Copy-Im2Rec 'between'
        Set-Content (Join-Path $folder 'train.idx') "0`t0`n1`t5504"
        $error = { Get-FaceDataset $folder -ErrorAction Stop } | Should -Throw -ErrorId "RecordIOIndexBetweenRecords,$fqid" -PassThru
        $error.Exception.Message | Should -BeLike '*5504*'
    }

    It 'fails on a path that does not exist' {
        { Get-FaceDataset (Join-Path $TestDrive 'nowhere') -ErrorAction Stop } | Should -Throw -ErrorId "PathNotFound,$fqid"
    }

    It 'reads OFRecord parts whose features have other names with -ImageKey and -LabelKey, and passes the names down the pipeline' {
        $ours = Join-Path $TestDrive 'keys-ours'
        $null = Get-FaceDataset -Synthetic -Classes 3 -ImagesPerClass 2 -Seed 4 | ConvertTo-OFRecord -OutputPath $ours -Parts 1 -NoShuffle
        # Same-length names keep every protobuf length as it is: "encoded" -> "picture", "label" -> "ident".
        $renamed = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'keys-renamed')
        $latin1 = [Text.Encoding]::Latin1
        $text = $latin1.GetString([IO.File]::ReadAllBytes((Join-Path $ours 'part-00000')))
        $text = $text.Replace("`n`aencoded", "`n`apicture").Replace("`n`u{5}label", "`n`u{5}ident")
        [IO.File]::WriteAllBytes((Join-Path $renamed 'part-00000'), $latin1.GetBytes($text))

        Get-FaceDataset $renamed -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "OFRecordFeatureInvalid,$fqid"
        $problems[0].Exception.Message | Should -Match "a feature 'label', found only \[(picture, ident|ident, picture)\]"

        $dataset = Get-FaceDataset $renamed -ImageKey picture -LabelKey ident
        $dataset.NumImages | Should -Be 6
        $dataset.NumClasses | Should -Be 3
        $dataset.ImageKey | Should -Be 'picture'
        $dataset.LabelKey | Should -Be 'ident'
        (Get-FaceDataset $ours).ImageKey | Should -Be 'encoded'
        (Get-FaceDataset $im2rec).ImageKey | Should -Be ''

        # Start-FaceTraining opens the piped dataset with its names (counting its labels needs them).
        { $dataset | Start-FaceTraining -Set @{ batch_size = 2; output = (Join-Path $TestDrive 'keys-run') } -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop } | Should -Not -Throw

        # ConvertTo-OFRecord reopens the piped dataset with its names and writes OneFlow's.
        $standard = Join-Path $TestDrive 'keys-standard'
        $null = $dataset | ConvertTo-OFRecord -OutputPath $standard -Parts 1 -NoShuffle
        Get-FileHash (Join-Path $standard 'part-00000') | Select-Object -ExpandProperty Hash |
            Should -Be (Get-FileHash (Join-Path $ours 'part-00000')).Hash
    }

    It 'survives ConvertTo-Json and Export-Clixml' {
        $dataset = Get-FaceDataset $orl
        $json = $dataset | ConvertTo-Json | ConvertFrom-Json
        $json.DatasetPath | Should -Be $dataset.DatasetPath
        $json.NumImages | Should -Be 400
        $file = Join-Path $TestDrive 'd.xml'
        $dataset | Export-Clixml $file
        $back = Import-Clixml $file
        $back.NumClasses | Should -Be 40
        $back.ImageSize | Should -Be '112x112'
    }

    It 'shows a table with format, classes, images, size, parts and validation targets' {
        $text = Get-FaceDataset $orl | Out-String -Width 200
        $text | Should -Match 'Format\s+Classes\s+Images\s+ImageSize\s+Parts\s+ValidationTargets'
        $text | Should -Match 'ImageFolder\s+40\s+400\s+112x112\s+400'
    }
}

Describe 'Get-FaceDataset -Synthetic' {
    It 'describes a seeded synthetic set without writing anything' {
        $dataset = Get-FaceDataset -Synthetic -Classes 5 -ImagesPerClass 3 -Seed 2
        $dataset.Format | Should -Be 'Synthetic'
        $dataset.NumClasses | Should -Be 5
        $dataset.NumImages | Should -Be 15
        $dataset.ImageSize | Should -Be '112x112'
        $dataset.ValidationTargets | Should -BeNullOrEmpty
    }

    It 'writes held-out verification pairs to the -OutputPath .bin and lists it as a validation target' {
        Push-Location $TestDrive
        try { $dataset = Get-FaceDataset -Synthetic -Classes 5 -ImagesPerClass 3 -Seed 2 -VerificationPairs 8 -OutputPath held.bin }
        finally { Pop-Location }
        $bin = Join-Path $TestDrive 'held.bin'
        $bin | Should -Exist
        $dataset.ValidationTargets | Should -Be @($bin)
    }

    It 'does not overwrite an existing .bin without -Force' {
        $bin = Join-Path $TestDrive 'keep.bin'
        Set-Content $bin 'mine'
        { Get-FaceDataset -Synthetic -Classes 5 -ImagesPerClass 3 -VerificationPairs 4 -OutputPath $bin -ErrorAction Stop } |
            Should -Throw -ErrorId "VerificationBinExists,$fqid"
        Get-Content $bin | Should -Be 'mine'
        Get-FaceDataset -Synthetic -Classes 5 -ImagesPerClass 3 -VerificationPairs 4 -OutputPath $bin -Force | Out-Null
        Get-Content $bin -Raw | Should -Not -Be "mine`n"
    }

    It 'writes nothing with -WhatIf' {
        $bin = Join-Path $TestDrive 'whatif.bin'
        Get-FaceDataset -Synthetic -Classes 5 -ImagesPerClass 3 -VerificationPairs 4 -OutputPath $bin -WhatIf
        $bin | Should -Not -Exist
    }

    It 'needs -OutputPath with -VerificationPairs' {
        { Get-FaceDataset -Synthetic -Classes 5 -ImagesPerClass 3 -VerificationPairs 4 -ErrorAction Stop } |
            Should -Throw -ErrorId "VerificationPairsNeedOutputPath,$fqid"
    }
}
