BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force

    $script:fixtures = Join-Path $PSScriptRoot '../../../shared/fixtures' | Resolve-Path | Select-Object -ExpandProperty Path
    $script:webface = Join-Path $fixtures 'mxnet-im2rec-8faces/faces_webface_112x112'
    $script:orl = Join-Path $fixtures 'orl-faces-112'
    $script:fqid = 'InsightFace.PowerShell.Commands.ConvertToFaceRecordIOCommand'

    function Get-Listing([string] $Folder) {
        Get-ChildItem -Recurse -File $Folder | ForEach-Object { "$([IO.Path]::GetRelativePath($Folder, $_.FullName))=$((Get-FileHash $_.FullName).Hash)" }
    }
}

Describe 'ConvertTo-FaceRecordIO' {
    It 'writes an image folder as train.rec, train.idx and property that read back as the same dataset' {
        $out = Join-Path $TestDrive 'orl'
        $written = Get-Dataset $orl | ConvertTo-FaceRecordIO -OutputPath $out
        $written.Format | Should -Be 'RecordIO'
        $written.NumClasses | Should -Be 40
        $written.NumImages | Should -Be 400
        @(Get-ChildItem $out).Name | Sort-Object | Should -Be @('property', 'train.idx', 'train.rec')
        Get-Content (Join-Path $out 'property') | Should -Be '40,112,112'
        (Get-Dataset $out).NumImages | Should -Be 400
    }

    It 'copies the JPEG bytes unchanged' {
        $out = Join-Path $TestDrive 'webface'
        ConvertTo-FaceRecordIO -Dataset $webface -OutputPath $out | Out-Null
        $rec = [IO.File]::ReadAllBytes((Join-Path $out 'train.rec'))
        $text = [Text.Encoding]::Latin1.GetString($rec)
        foreach ($jpeg in Get-ChildItem -Recurse -File $webface) {
            $text.Contains([Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($jpeg.FullName))) | Should -BeTrue -Because $jpeg.Name
        }
    }

    It 'writes nothing with -WhatIf' {
        $out = Join-Path $TestDrive 'whatif'
        ConvertTo-FaceRecordIO -Dataset $webface -OutputPath $out -WhatIf
        $out | Should -Not -Exist
    }

    It 'does not replace an existing train.rec without -Force' {
        $out = Join-Path $TestDrive 'twice'
        ConvertTo-FaceRecordIO $webface $out | Out-Null
        $before = Get-Listing $out
        { ConvertTo-FaceRecordIO $webface $out -ErrorAction Stop } | Should -Throw -ErrorId "DatasetOutputExists,$fqid"
        Get-Listing $out | Should -Be $before
        (ConvertTo-FaceRecordIO $webface $out -Force).NumImages | Should -Be 8
    }

    It 'never leaves a train.rec beside an index of another when killed while -Force replaces a dataset' {
        $out = Join-Path $TestDrive 'killed'
        ConvertTo-FaceRecordIO $webface $out | Out-Null
        # The child kills itself (SIGKILL) just before the new train.idx moves in: the old one is already gone.
        $null = Invoke-FreshPwsh -CrashAt 'dataset-before-last-file' "Import-Module '$(Get-ModuleUnderTest)'; ConvertTo-FaceRecordIO '$orl' '$out' -Force"
        $global:FreshPwshExitCode | Should -Be 137
        Join-Path $out 'train.idx' | Should -Not -Exist
        (Get-Dataset $out).NumImages | Should -Be 400

        ConvertTo-FaceRecordIO $orl $out -Force | Out-Null
        @(Get-ChildItem -Force $out).Name | Sort-Object | Should -Be @('property', 'train.idx', 'train.rec')
        (Get-Dataset $out).NumImages | Should -Be 400
    }

    It 'refuses a source that is not sorted by label and leaves nothing behind' {
        $shuffled = Get-Dataset $orl | ConvertTo-OFRecord -OutputPath (Join-Path $TestDrive 'shuffled') -Parts 1
        $out = Join-Path $TestDrive 'unsorted'
        $error = { $shuffled | ConvertTo-FaceRecordIO -OutputPath $out -ErrorAction Stop } |
            Should -Throw -ErrorId "RecordIOLabelsNotSorted,$fqid" -PassThru
        $error.Exception.Message | Should -BeLike '*part-00000*'
        $out | Should -Not -Exist
    }

    It 'leaves an existing dataset and its folder as they were when a forced conversion fails' {
        $out = Join-Path $TestDrive 'kept'
        ConvertTo-FaceRecordIO $webface $out | Out-Null
        $before = Get-Listing $out
        $shuffled = Get-Dataset $orl | ConvertTo-OFRecord -OutputPath (Join-Path $TestDrive 'shuffled-kept') -Parts 1
        { $shuffled | ConvertTo-FaceRecordIO -OutputPath $out -Force -ErrorAction Stop } | Should -Throw -ErrorId "RecordIOLabelsNotSorted,$fqid"
        Get-Listing $out | Should -Be $before
        @(Get-ChildItem -Force $out).Count | Should -Be 3
    }

    It 'skips an undecodable image with a non-terminating error' {
        $faces = Join-Path $TestDrive 'faces'
        foreach ($id in 's1', 's2') {
            $folder = New-Item -ItemType Directory -Force -Path (Join-Path $faces $id)
            foreach ($image in 1..2) {
                [IO.File]::WriteAllBytes((Join-Path $folder "$image.jpg"), [IO.File]::ReadAllBytes((Join-Path $orl "$id/$image.jpg")))
            }
        }
        Set-Content (Join-Path $faces 's1/3.jpg') 'broken'
        $written = ConvertTo-FaceRecordIO $faces (Join-Path $TestDrive 'faces-out') -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "DatasetImageUndecodable,$fqid"
        $written.NumImages | Should -Be 4
        $written.NumClasses | Should -Be 2
    }

    It 'fails on an identity folder without images' {
        $gap = Join-Path $TestDrive 'gap'
        New-Item -ItemType Directory -Path (Join-Path $gap 'a'), (Join-Path $gap 'b') | Out-Null
        [IO.File]::WriteAllBytes((Join-Path $gap 'a/1.jpg'), [IO.File]::ReadAllBytes((Join-Path $orl 's1/1.jpg')))
        { ConvertTo-FaceRecordIO $gap (Join-Path $TestDrive 'gap-out') -ErrorAction Stop } | Should -Throw -ErrorId "ImageFolderIdentityEmpty,$fqid"
        Join-Path $TestDrive 'gap-out' | Should -Not -Exist
    }
}
