BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:cmdlet = 'InsightFace.PowerShell.Commands.NewFaceVerificationSetCommand'
    $script:orl = Join-Path $PSScriptRoot '../../../shared/fixtures/orl-faces-112' | Resolve-Path | ForEach-Object Path

    $script:csv = Join-Path $TestDrive 'pairs.csv'
    Set-Content -Path $csv -Value (@('path1,path2,same') + (1..12 | ForEach-Object {
                if ($_ % 2) { "s$_/1.jpg,s$_/2.jpg,1" } else { "s$_/1.jpg,s$($_ + 1)/1.jpg,0" } }))

    # What Python's own pickle reads back: image count, flags, and whether each image equals its source file.
    function Read-BinWithPython([string] $Path, [string[]] $Sources) {
        $list = ($Sources | ForEach-Object { "'$_'" }) -join ','
        & /usr/bin/python3 -c "import pickle; b, s = pickle.load(open('$Path', 'rb')); src = [$list]; print(len(b), [int(x) for x in s], all(b[i] == open(p, 'rb').read() for i, p in enumerate(src)))"
    }
}

Describe 'New-FaceVerificationSet' {
    It 'builds a .bin from a CSV of path1,path2,same that Python''s pickle reads, with the files'' bytes as they are' {
        $bin = New-FaceVerificationSet -PairsPath $csv -ImageRoot $orl -OutputPath (Join-Path $TestDrive 'orl.bin')
        $bin | Should -BeOfType ([IO.FileInfo])
        $bin.FullName | Should -Be (Join-Path $TestDrive 'orl.bin')
        $sources = 1..12 | ForEach-Object { "$orl/s$_/1.jpg"; if ($_ % 2) { "$orl/s$_/2.jpg" } else { "$orl/s$($_ + 1)/1.jpg" } }
        Read-BinWithPython $bin.FullName $sources | Should -Be '24 [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0] True'
        Get-ChildItem $TestDrive -Filter '*.tmp' -Force | Should -BeNullOrEmpty
    }

    It 'writes the .bin as Get-Item does, so that its view shows Mode and Size' {
        $bin = New-FaceVerificationSet -PairsPath $csv -ImageRoot $orl -OutputPath (Join-Path $TestDrive 'view.bin')
        $view = $bin | Format-Table | Out-String -Width 120
        $view | Should -Be (Get-Item $bin.FullName | Format-Table | Out-String -Width 120)
        $view | Should -Match "-rw\S+ .*\s$($bin.Length) view\.bin"
    }

    It 'reads LFW''s pairs.txt, with its first line of counts, relative to the PowerShell location' {
        $lfw = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'lfw')
        foreach ($name in 'Ann_A', 'Bob_B') {
            $folder = New-Item -ItemType Directory -Path (Join-Path $lfw $name)
            Copy-Item "$orl/s1/1.jpg" (Join-Path $folder "${name}_0001.jpg")
            Copy-Item "$orl/s1/2.jpg" (Join-Path $folder "${name}_0002.jpg")
        }
        Set-Content -Path (Join-Path $lfw 'pairs.txt') -Value "1 1`nAnn_A 1 2`nAnn_A 1 Bob_B 2"
        Push-Location $TestDrive
        try { $bin = New-FaceVerificationSet -PairsPath lfw/pairs.txt -OutputPath lfw.bin }
        finally { Pop-Location }
        $bin.FullName | Should -Be (Join-Path $TestDrive 'lfw.bin')
        Read-BinWithPython $bin.FullName "$lfw/Ann_A/Ann_A_0001.jpg", "$lfw/Ann_A/Ann_A_0002.jpg", "$lfw/Ann_A/Ann_A_0001.jpg", "$lfw/Bob_B/Bob_B_0002.jpg" |
            Should -Be '4 [1, 0] True'
    }

    It '<Case>: <ErrorId> (<Category>), and nothing is written' -ForEach @(
        @{ Case = 'a line with two fields'; ErrorId = 'PairsListLineInvalid'; Category = 'InvalidData'; Lines = 's1/1.jpg,s1/2.jpg,1', 's1/1.jpg,s1/2.jpg'; Match = 'line 2' }
        @{ Case = 'a missing image'; ErrorId = 'PairsListImageNotFound'; Category = 'ObjectNotFound'; Lines = 's1/1.jpg,s1/99.jpg,1'; Match = '99\.jpg' }
        @{ Case = 'an image that does not decode'; ErrorId = 'PairsListImageInvalid'; Category = 'InvalidData'; Lines = 's1/1.jpg,bad.jpg,1'; Match = 'bad\.jpg' }
    ) {
        $root = New-Item -ItemType Directory -Force -Path (Join-Path $TestDrive "bad-$ErrorId")
        Copy-Item -Recurse "$orl/s1" $root
        Set-Content -Path (Join-Path $root 'bad.jpg') -Value 'not a jpeg'
        Set-Content -Path (Join-Path $root 'pairs.csv') -Value $Lines
        $output = Join-Path $root 'out.bin'
        $err = { New-FaceVerificationSet -PairsPath (Join-Path $root 'pairs.csv') -OutputPath $output -ErrorAction Stop } |
            Should -Throw -ErrorId "$ErrorId,$cmdlet" -PassThru
        $err.CategoryInfo.Category | Should -Be $Category
        $err.Exception.Message | Should -Match $Match
        Get-ChildItem $root -Filter '*.bin' -Force | Should -BeNullOrEmpty
        Get-ChildItem $root -Filter '*.tmp' -Force | Should -BeNullOrEmpty
    }

    It 'refuses to replace an existing .bin without -Force, and keeps it' {
        $output = Join-Path $TestDrive 'keep.bin'
        Set-Content -Path $output -Value 'precious'
        { New-FaceVerificationSet -PairsPath $csv -ImageRoot $orl -OutputPath $output -ErrorAction Stop } |
            Should -Throw -ErrorId "VerificationBinExists,$cmdlet"
        Get-Content $output | Should -Be 'precious'
        $null = New-FaceVerificationSet -PairsPath $csv -ImageRoot $orl -OutputPath $output -Force
        (Get-Item $output).Length | Should -BeGreaterThan 1000
    }

    It 'creates a missing output folder, and refuses a path through a file with OutputPathUnusable' {
        $output = Join-Path $TestDrive 'new-sets/deeper/orl.bin'
        (New-FaceVerificationSet -PairsPath $csv -ImageRoot $orl -OutputPath $output).FullName | Should -Be $output
        $file = Join-Path $TestDrive 'a-file'
        Set-Content -Path $file -Value 'mine'
        { New-FaceVerificationSet -PairsPath $csv -ImageRoot $orl -OutputPath (Join-Path $file 'x.bin') -ErrorAction Stop } |
            Should -Throw -ErrorId "OutputPathUnusable,$cmdlet"
        Get-Content $file | Should -Be 'mine'
    }

    It 'warns when the pair order leaves folds with one kind of pair, and not for alternating pairs' {
        $sorted = Join-Path $TestDrive 'sorted.csv'
        Set-Content -Path $sorted -Value (@('path1,path2,same') + (1..10 | ForEach-Object { "s$_/1.jpg,s$_/2.jpg,1" }) + (1..10 | ForEach-Object { "s$_/1.jpg,s$($_ + 1)/1.jpg,0" }))
        $null = New-FaceVerificationSet -PairsPath $sorted -ImageRoot $orl -OutputPath (Join-Path $TestDrive 'sorted.bin') -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -BeLike "'sorted': folds 1, 2, 3, 4, 5 hold only ""same"" pairs; folds 6, 7, 8, 9, 10 hold only ""different"" pairs.*every tenth of the list holds both kinds*LFW*"
        $alternating = Join-Path $TestDrive 'alternating.csv'
        Set-Content -Path $alternating -Value (1..20 | ForEach-Object { if ($_ % 2) { "s$_/1.jpg,s$_/2.jpg,1" } else { "s$_/1.jpg,s$($_ + 1)/1.jpg,0" } })
        $null = New-FaceVerificationSet -PairsPath $alternating -ImageRoot $orl -OutputPath (Join-Path $TestDrive 'alternating.bin') -WarningVariable none -WarningAction SilentlyContinue
        $none | Should -BeNullOrEmpty
    }

    It 'writes nothing with -WhatIf' {
        $output = Join-Path $TestDrive 'whatif.bin'
        New-FaceVerificationSet -PairsPath $csv -ImageRoot $orl -OutputPath $output -WhatIf
        $output | Should -Not -Exist
    }

    It 'fails with PathNotFound for a pairs list that does not exist' {
        { New-FaceVerificationSet -PairsPath (Join-Path $TestDrive 'none.csv') -OutputPath (Join-Path $TestDrive 'x.bin') -ErrorAction Stop } |
            Should -Throw -ErrorId "PathNotFound,$cmdlet"
    }
}
