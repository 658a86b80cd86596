BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force

    $script:fixtures = Join-Path $PSScriptRoot '../../../shared/fixtures' | Resolve-Path | Select-Object -ExpandProperty Path
    $script:im2rec = Join-Path $fixtures 'mxnet-im2rec-8faces'
    $script:orl = Join-Path $fixtures 'orl-faces-112'
    $script:fqid = 'InsightFace.PowerShell.Commands.ConvertToOFRecordCommand'

    # A small image folder: the first $Identities ORL identities, 3 images each (written, not copied: fixtures are read-only).
    function New-Faces([string] $Name, [int] $Identities = 3) {
        $root = Join-Path $TestDrive $Name
        foreach ($id in 1..$Identities) {
            $folder = New-Item -ItemType Directory -Force -Path (Join-Path $root "s$id")
            foreach ($image in 1..3) {
                $source = Join-Path $orl "s$id/$image.jpg"
                [IO.File]::WriteAllBytes((Join-Path $folder "$image.jpg"), [IO.File]::ReadAllBytes($source))
            }
        }
        $root
    }

    function Get-Listing([string] $Folder) {
        Get-ChildItem -Recurse -File $Folder | ForEach-Object { "$([IO.Path]::GetRelativePath($Folder, $_.FullName))=$((Get-FileHash $_.FullName).Hash)" }
    }
}

Describe 'ConvertTo-OFRecord' {
    It 'converts a RecordIO dataset from the pipeline into 16 parts with _SUCCESS last' {
        $out = Join-Path $TestDrive 'out'
        $written = Get-Dataset $im2rec | ConvertTo-OFRecord -OutputPath $out -Parts 16 -WarningVariable warnings -WarningAction SilentlyContinue
        # 8 images over 16 parts: the parts asked for are written, and the empty ones are a warning.
        $warnings[0] | Should -BeLike '8 of the parts hold no record (8 records were written)*-Parts 8 or fewer.'
        $written | Should -BeOfType ([InsightFace.FaceDataset])
        $written.Format | Should -Be 'OFRecord'
        $written.NumImages | Should -Be 8
        $written.NumClasses | Should -Be 2
        $written.Parts | Should -Be 16
        $written.DatasetPath | Should -Be $out
        @(Get-ChildItem $out -Filter 'part-*').Name | Should -Be (0..15 | ForEach-Object { 'part-{0:D5}' -f $_ })
        Join-Path $out '_SUCCESS' | Should -Exist
        @(Get-ChildItem -Force $out -Filter '.staging-*').Count | Should -Be 0
        (Get-Dataset $out).NumImages | Should -Be 8
    }

    It 'names parts with -SuffixLength, copies .bin sets beside them and can be read back' {
        $faces = New-Faces 'withbin'
        [IO.File]::WriteAllBytes((Join-Path $faces 'lfw.bin'), [byte[]](1, 2, 3))
        $out = Join-Path $TestDrive 'suffix'
        $written = ConvertTo-OFRecord -Dataset $faces -OutputPath $out -Parts 3 -SuffixLength 2
        @(Get-ChildItem $out -Filter 'part-*').Name | Should -Be @('part-00', 'part-01', 'part-02')
        $written.ValidationTargets | Should -Be @(Join-Path $out 'lfw.bin')
        Join-Path $out 'property' | Should -FileContentMatchExactly '^3,112,112'
        $written.NumImages | Should -Be 9
    }

    It 'shuffles deterministically for a seed, and keeps the order with -NoShuffle' {
        $faces = New-Faces 'seeded'
        $a = ConvertTo-OFRecord $faces (Join-Path $TestDrive 'a') -Parts 1 -Seed 4
        $b = ConvertTo-OFRecord $faces (Join-Path $TestDrive 'b') -Parts 1 -Seed 4
        $c = ConvertTo-OFRecord $faces (Join-Path $TestDrive 'c') -Parts 1 -NoShuffle
        $hash = { param($d) (Get-FileHash (Join-Path $d.DatasetPath 'part-00000')).Hash }
        (& $hash $a) | Should -Be (& $hash $b)
        (& $hash $c) | Should -Not -Be (& $hash $a)
    }

    It 'binds a path, a DatasetPath property and a deserialized FaceDataset' {
        $faces = New-Faces 'binding'
        Push-Location $TestDrive
        try { (ConvertTo-OFRecord -Dataset binding -OutputPath p1 -Parts 2).NumImages | Should -Be 9 }
        finally { Pop-Location }
        ([pscustomobject]@{ DatasetPath = $faces } | ConvertTo-OFRecord -OutputPath (Join-Path $TestDrive 'p2') -Parts 2).NumImages | Should -Be 9
        $file = Join-Path $TestDrive 'faces.xml'
        Get-Dataset $faces | Export-Clixml $file
        (Import-Clixml $file | ConvertTo-OFRecord -OutputPath (Join-Path $TestDrive 'p3') -Parts 2).NumClasses | Should -Be 3
    }

    It 'makes a synthetic set a complete dataset folder with its held-out .bin beside the parts' {
        $bin = Join-Path $TestDrive 'synthetic.bin'
        $out = Join-Path $TestDrive 'synthetic'
        $written = Get-FaceDataset -Synthetic -Classes 4 -ImagesPerClass 2 -Seed 1 -VerificationPairs 6 -OutputPath $bin |
            ConvertTo-OFRecord -OutputPath $out -Parts 2
        $written.NumImages | Should -Be 8
        $written.NumClasses | Should -Be 4
        $written.ValidationTargets | Should -Be @(Join-Path $out 'synthetic.bin')
        (Get-FileHash (Join-Path $out 'synthetic.bin')).Hash | Should -Be (Get-FileHash $bin).Hash
    }

    It 'writes nothing with -WhatIf' {
        $out = Join-Path $TestDrive 'whatif'
        Get-Dataset $im2rec | ConvertTo-OFRecord -OutputPath $out -WhatIf
        $out | Should -Not -Exist
    }

    It 'does not replace an existing dataset without -Force' {
        $out = Join-Path $TestDrive 'twice'
        $faces = New-Faces 'twice-src'
        ConvertTo-OFRecord $faces $out -Parts 2 -Seed 1 | Out-Null
        $before = Get-Listing $out
        { ConvertTo-OFRecord $faces $out -Parts 3 -ErrorAction Stop } | Should -Throw -ErrorId "DatasetOutputExists,$fqid"
        Get-Listing $out | Should -Be $before
        (ConvertTo-OFRecord $faces $out -Parts 3 -Force).Parts | Should -Be 3
        @(Get-ChildItem $out -Filter 'part-*').Count | Should -Be 3
    }

    It 'refuses a folder that holds other files without -Force, and -Force writes beside them and keeps them' {
        $out = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'busy')
        Set-Content (Join-Path $out 'notes.txt') 'mine'
        $null = New-Item -ItemType Directory -Path (Join-Path $out 'photos')
        $faces = New-Faces 'busy-src'
        $before = Get-Listing $out
        $error = { ConvertTo-OFRecord $faces $out -Parts 2 -ErrorAction Stop } | Should -Throw -ErrorId "DatasetOutputExists,$fqid" -PassThru
        $error.Exception.Message | Should -BeLike '*notes.txt, photos*Force*'
        Get-Listing $out | Should -Be $before
        @(Get-ChildItem $out).Name | Sort-Object | Should -Be @('notes.txt', 'photos')

        (ConvertTo-OFRecord $faces $out -Parts 2 -Force).NumImages | Should -Be 9
        Get-Content (Join-Path $out 'notes.txt') | Should -Be 'mine'
        Join-Path $out 'photos' | Should -Exist
        Join-Path $out '_SUCCESS' | Should -Exist
    }

    It 'skips an undecodable image with a non-terminating error and a count' {
        $faces = New-Faces 'corrupt'
        Set-Content (Join-Path $faces 's2/9.jpg') 'not a jpeg'
        $out = Join-Path $TestDrive 'corrupt-out'
        $written = ConvertTo-OFRecord $faces $out -Parts 2 -ErrorVariable problems -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "DatasetImageUndecodable,$fqid"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $problems[0].Exception.Message | Should -BeLike '*9.jpg*'
        $warnings[0] | Should -BeLike '*1 records were skipped*'
        $written.NumImages | Should -Be 9
        Join-Path $out '_SUCCESS' | Should -Exist
    }

    It 'skips records whose label disagrees with property' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'badlabel')
        foreach ($name in 'train.rec', 'train.idx') {
            [IO.File]::WriteAllBytes((Join-Path $folder $name), [IO.File]::ReadAllBytes((Join-Path $im2rec $name)))
        }
        Set-Content (Join-Path $folder 'property') '1,112,112'
        $written = ConvertTo-OFRecord $folder (Join-Path $TestDrive 'badlabel-out') -Parts 1 -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $problems.Count | Should -Be 4
        $problems.FullyQualifiedErrorId | Sort-Object -Unique | Should -Be "DatasetLabelOutOfRange,$fqid"
        $problems[0].Exception.Message | Should -Match 'train.rec at offset \d+'
        $written.NumImages | Should -Be 4
    }

    It 'fails on an empty folder and leaves no output behind' {
        $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'nothing')
        $out = Join-Path $TestDrive 'nothing-out'
        { ConvertTo-OFRecord $empty $out -ErrorAction Stop } | Should -Throw -ErrorId "ImageFolderEmpty,$fqid"
        $out | Should -Not -Exist
    }

    It 'fails on a full disk naming the part, and leaves no _SUCCESS, no part and the folder''s other files as they were' {
        # A real full disk: a 2 MB tmpfs, which needs root (CI runs as root; elsewhere this skips).
        $full = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'full')
        if ((id -u) -ne '0') { Set-ItResult -Skipped -Because 'mounting a small tmpfs needs root'; return }
        mount -t tmpfs -o size=2m tmpfs $full 2>&1 | Out-Null
        if ($LASTEXITCODE -ne 0) { Set-ItResult -Skipped -Because 'this machine does not allow mounting a tmpfs'; return }
        try {
            Set-Content -Path (Join-Path $full 'notes.txt') -Value 'kept'
            { Get-FaceDataset -Synthetic -Classes 100 -ImagesPerClass 10 | ConvertTo-OFRecord -OutputPath $full -Parts 2 -Force -ErrorAction Stop } |
                Should -Throw -ErrorId "DatasetWriteFailed,$fqid" -ExpectedMessage "Writing $full/.staging-*/part-0000?*failed: No space left on device*"
            @(Get-ChildItem $full -Recurse -Force).Name | Should -Be @('notes.txt')
            Get-Content (Join-Path $full 'notes.txt') | Should -Be 'kept'
        }
        finally { umount $full }
    }

    It 'shows progress in records per second, and Ctrl+C leaves no _SUCCESS and no part' {
        # The conversion's first progress record holds its pipeline thread until Ctrl+C (Stop) has been requested,
        # then stops there as PowerShell's next Write call would: the conversion cannot finish first.
        Add-Type -TypeDefinition @'
using System.Management.Automation;
using System.Threading;
public static class StopAtFirstProgress
{
    public static ManualResetEventSlim Attach(PowerShell ps)
    {
        var reached = new ManualResetEventSlim();
        ps.Streams.Progress.DataAdded += (sender, e) =>
        {
            if (reached.IsSet) return;
            reached.Set();
            SpinWait.SpinUntil(() => ps.InvocationStateInfo.State != PSInvocationState.Running);
            throw new PipelineStoppedException();
        };
        return reached;
    }
}
'@
        $out = Join-Path $TestDrive 'stopped'
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$(Get-ModuleUnderTest)'; Get-FaceDataset -Synthetic -Classes 2000 -ImagesPerClass 20 | ConvertTo-OFRecord -OutputPath '$out' -Parts 4")
            $reached = [StopAtFirstProgress]::Attach($ps)
            $run = $ps.BeginInvoke()
            $reached.Wait([TimeSpan]::FromMinutes(5)) | Should -BeTrue -Because 'the conversion reports progress while it writes'
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $ps.Streams.Progress[0].StatusDescription | Should -Match '^[\d,]+ of 40,000 records, [\d,]+ records/s, 0 skipped, \d+:\d\d:\d\d left$'
            $ps.Streams.Progress[0].SecondsRemaining | Should -Be -1 -Because 'the minimal progress view would print it as raw seconds'
        }
        finally { $ps.Dispose() }
        Join-Path $out '_SUCCESS' | Should -Not -Exist
        @(Get-ChildItem $out -Recurse -Filter 'part-*' -ErrorAction SilentlyContinue).Count | Should -Be 0
    }
}
