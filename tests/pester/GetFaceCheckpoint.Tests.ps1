BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force

    # A run folder laid out as Start-FaceTraining writes it; Get-FaceCheckpoint reads manifests, not weights.
    function New-Checkpoint([string] $Folder, [int] $Epoch, [long] $Step) {
        $null = New-Item -ItemType Directory -Force -Path $Folder
        Set-Content -Path (Join-Path $Folder 'model.pt') -Value 'weights'
        @{ network = 'mbf'; embedding_size = 128; epoch = $Epoch; global_step = $Step; loss = 1.5; reason = 'epoch'; resumable = $true } |
            ConvertTo-Json | Set-Content -Path (Join-Path $Folder 'checkpoint.json')
    }
    $script:run = Join-Path $TestDrive 'run'
    New-Checkpoint (Join-Path $run 'checkpoints/epoch-0001') 1 10
    New-Checkpoint (Join-Path $run 'checkpoints/epoch-0002') 2 20
    New-Checkpoint $run 2 20
}

Describe 'Get-FaceCheckpoint' {
    It 'opens the newest checkpoint of a run folder' {
        $checkpoint = Get-FaceCheckpoint -Path $run
        $checkpoint | Should -BeOfType ([InsightFace.FaceCheckpoint])
        $checkpoint.Network | Should -Be 'mbf'
        $checkpoint.EmbeddingSize | Should -Be 128
        $checkpoint.GlobalStep | Should -Be 20
        $checkpoint.Resumable | Should -BeTrue
    }

    It 'lists every checkpoint, oldest first, with -All' {
        (Get-FaceCheckpoint -Path $run -All).GlobalStep | Should -Be @(10, 20)
    }

    It 'accepts a model.pt path, relative to the current location' {
        Push-Location $run
        try { (Get-FaceCheckpoint -Path checkpoints/epoch-0001/model.pt).Epoch | Should -Be 1 }
        finally { Pop-Location }
    }

    It 'binds CheckpointPath from the pipeline by property name' {
        [pscustomobject]@{ CheckpointPath = (Join-Path $run 'checkpoints/epoch-0001') } | Get-FaceCheckpoint |
            ForEach-Object GlobalStep | Should -Be 10
    }

    It 'writes a CheckpointNotFound error for a folder without checkpoints and goes on' {
        $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'empty')
        $found = Get-FaceCheckpoint -Path $empty, $run -ErrorVariable problems -ErrorAction SilentlyContinue
        $found.GlobalStep | Should -Be 20
        $problems[0].FullyQualifiedErrorId | Should -Be 'CheckpointNotFound,InsightFace.PowerShell.Commands.GetFaceCheckpointCommand'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'fails on a path that does not exist' {
        { Get-FaceCheckpoint -Path (Join-Path $TestDrive 'nowhere') -ErrorAction Stop } |
            Should -Throw -ErrorId 'PathNotFound,InsightFace.PowerShell.Commands.GetFaceCheckpointCommand'
    }

    It 'survives ConvertTo-Json and Export-Clixml' {
        $checkpoint = Get-FaceCheckpoint -Path $run
        ($checkpoint | ConvertTo-Json | ConvertFrom-Json).CheckpointPath | Should -Be $checkpoint.CheckpointPath
        $file = Join-Path $TestDrive 'c.xml'
        $checkpoint | Export-Clixml $file
        (Import-Clixml $file).GlobalStep | Should -Be 20
    }
}

Describe 'New-FaceCheckpoint' {
    It 'writes an initialised backbone that Get-FaceCheckpoint opens' {
        $folder = Join-Path $TestDrive 'baseline'
        $created = New-FaceCheckpoint -Network mbf -EmbeddingSize 64 -OutputPath $folder -Seed 3
        $created.Network | Should -Be 'mbf'
        $created.EmbeddingSize | Should -Be 64
        $created.Reason | Should -Be 'init'
        (Get-FaceCheckpoint -Path $folder).CheckpointPath | Should -Be $created.CheckpointPath
        Join-Path $folder 'model.pt' | Should -Exist
    }

    It 'gives the same weights for the same seed' {
        $a = New-FaceCheckpoint -Network mbf -EmbeddingSize 32 -OutputPath (Join-Path $TestDrive 'a') -Seed 5
        $b = New-FaceCheckpoint -Network mbf -EmbeddingSize 32 -OutputPath (Join-Path $TestDrive 'b') -Seed 5
        (Get-FileHash (Join-Path $a.CheckpointPath 'model.pt')).Hash | Should -Be (Get-FileHash (Join-Path $b.CheckpointPath 'model.pt')).Hash
    }

    It 'refuses to replace an existing folder without -Force, and keeps it' {
        $folder = Join-Path $TestDrive 'keep'
        $null = New-FaceCheckpoint -Network mbf -EmbeddingSize 32 -OutputPath $folder -Seed 1
        $before = (Get-FileHash (Join-Path $folder 'model.pt')).Hash
        { New-FaceCheckpoint -Network mbf -EmbeddingSize 32 -OutputPath $folder -Seed 2 -ErrorAction Stop } |
            Should -Throw -ErrorId 'CheckpointExists,InsightFace.PowerShell.Commands.NewFaceCheckpointCommand'
        (Get-FileHash (Join-Path $folder 'model.pt')).Hash | Should -Be $before
        $null = New-FaceCheckpoint -Network mbf -EmbeddingSize 32 -OutputPath $folder -Seed 2 -Force
        (Get-FileHash (Join-Path $folder 'model.pt')).Hash | Should -Not -Be $before
    }

    It 'creates missing folders, and refuses a path through a file with OutputPathUnusable' {
        $folder = Join-Path $TestDrive 'new/deeper/init'
        (New-FaceCheckpoint -Network mbf -EmbeddingSize 16 -OutputPath $folder).CheckpointPath | Should -Be $folder
        $file = Join-Path $TestDrive 'a-file'
        Set-Content -Path $file -Value 'mine'
        { New-FaceCheckpoint -Network mbf -EmbeddingSize 16 -OutputPath (Join-Path $file 'init') -ErrorAction Stop } |
            Should -Throw -ErrorId 'OutputPathUnusable,InsightFace.PowerShell.Commands.NewFaceCheckpointCommand'
        Get-Content $file | Should -Be 'mine'
    }

    It 'writes nothing with -WhatIf' {
        $folder = Join-Path $TestDrive 'whatif'
        New-FaceCheckpoint -Network mbf -OutputPath $folder -WhatIf
        $folder | Should -Not -Exist
    }

    It 'keeps a complete checkpoint when the process is killed while -Force replaces it' {
        $folder = Join-Path $TestDrive 'killed'
        $null = New-FaceCheckpoint -Network mbf -EmbeddingSize 16 -OutputPath $folder -Seed 1
        $before = (Get-FileHash (Join-Path $folder 'model.pt')).Hash
        # The child kills itself (SIGKILL) right after moving the old folder aside, before the new one is in.
        $null = Invoke-FreshPwsh -CrashAt 'checkpoint-old-aside' "Import-Module '$(Get-ModuleUnderTest)'; New-FaceCheckpoint -Network mbf -EmbeddingSize 16 -OutputPath '$folder' -Seed 2 -Force"
        $global:FreshPwshExitCode | Should -Be 137

        # The old checkpoint is whole in the folder it was set aside in; it still counts as the existing output.
        $aside = Get-ChildItem -Force $TestDrive -Filter '.killed.old-*'
        $survivor = Get-FaceCheckpoint -Path $aside.FullName
        (Get-FileHash (Join-Path $survivor.CheckpointPath 'model.pt')).Hash | Should -Be $before
        $survivor.EmbeddingSize | Should -Be 16
        { New-FaceCheckpoint -Network mbf -EmbeddingSize 16 -OutputPath $folder -Seed 2 -ErrorAction Stop } |
            Should -Throw -ErrorId 'CheckpointExists,InsightFace.PowerShell.Commands.NewFaceCheckpointCommand'
        $null = New-FaceCheckpoint -Network mbf -EmbeddingSize 16 -OutputPath $folder -Seed 2 -Force
        (Get-FileHash (Join-Path $folder 'model.pt')).Hash | Should -Not -Be $before
        @(Get-ChildItem -Force $TestDrive -Filter '.killed*').Count | Should -Be 0
    }
}
