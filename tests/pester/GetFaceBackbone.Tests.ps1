BeforeDiscovery {
    # arcface_torch's published sizes (millions of parameters at E=512) and GFLOPs at 112x112.
    $script:published = @(
        @{ Name = 'r18'; Millions = 24.03; Giga = 2.6 }
        @{ Name = 'r34'; Millions = 34.14; Giga = 4.5 }
        @{ Name = 'r50'; Millions = 43.59; Giga = 6.3 }
        @{ Name = 'r100'; Millions = 65.16; Giga = 12.1 }
        @{ Name = 'r200'; Millions = 118.83; Giga = 23.4 }
        @{ Name = 'mbf'; Millions = 2.06; Giga = 0.4 }
        @{ Name = 'mbf_large'; Millions = 6.31; Giga = 1.8 }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:id = 'InsightFace.PowerShell.Commands.GetFaceBackboneCommand'
}

Describe 'Get-FaceBackbone' {
    It 'lists every network in registry order by default' {
        $all = Get-FaceBackbone
        $all | Should -BeOfType ([InsightFace.FaceBackbone])
        $all.Name | Should -Be @('r18', 'r34', 'r50', 'r100', 'r200', 'mbf', 'mbf_large', 'fmobilefacenet')
        $all.EmbeddingSize | Sort-Object -Unique | Should -Be 512
    }

    It '<Name> has the published <Millions>M parameters and <Giga> GMACs' -ForEach $published {
        $backbone = Get-FaceBackbone -Name $Name
        [math]::Round($backbone.Parameters / 1e6, 2) | Should -Be $Millions
        [math]::Round($backbone.MACs / 1e9, 1) | Should -Be $Giga
    }

    It 'matches wildcards, case-insensitively' {
        (Get-FaceBackbone r1*).Name | Should -Be @('r18', 'r100')
        (Get-FaceBackbone r?00).Name | Should -Be @('r100', 'r200')
        (Get-FaceBackbone -Name 'MBF*').Name | Should -Be @('mbf', 'mbf_large')
    }

    It 'lists each network once when several patterns match it' {
        (Get-FaceBackbone -Name r50, r5*, r50).Name | Should -Be 'r50'
    }

    It 'counts the parameters for the embedding size asked for' {
        $r50 = Get-FaceBackbone r50
        $small = Get-FaceBackbone r50 -EmbeddingSize 128
        $small.EmbeddingSize | Should -Be 128
        # Only the Linear(25088 -> E) weight and bias and the BatchNorm1d(E) scale and shift depend on E.
        $r50.Parameters - $small.Parameters | Should -Be ((512 - 128) * (25088 + 1 + 2))
        $small.MACs | Should -Be ($r50.MACs - (512 - 128) * 25088)
    }

    It 'writes NameNotFound for a literal name that matches nothing, and lists the rest' {
        $found = Get-FaceBackbone -Name r50, r51, mbf -ErrorVariable problems -ErrorAction SilentlyContinue
        $found.Name | Should -Be @('r50', 'mbf')
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "NameNotFound,$id"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 'r51'
        $problems[0].Exception.Message | Should -Match 'mbf_large'
    }

    It 'writes nothing and no error for a wildcard that matches nothing' {
        $found = Get-FaceBackbone -Name 'x*' -ErrorVariable problems
        $found | Should -BeNullOrEmpty
        $problems | Should -BeNullOrEmpty
    }

    It 'stops on NameNotFound with -ErrorAction Stop' {
        { Get-FaceBackbone -Name resnet50 -ErrorAction Stop } | Should -Throw -ErrorId "NameNotFound,$id"
    }

    It 'rejects an embedding size below 1' {
        { Get-FaceBackbone -EmbeddingSize 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,InsightFace.PowerShell.Commands.GetFaceBackboneCommand'
    }

    It 'takes Network and EmbeddingSize from a checkpoint by property name' {
        $backbone = [InsightFace.FaceCheckpoint]@{ Network = 'mbf'; EmbeddingSize = 128; CheckpointPath = $TestDrive } | Get-FaceBackbone
        $backbone.Name | Should -Be 'mbf'
        $backbone.EmbeddingSize | Should -Be 128
    }

    It 'completes -Name with the registry names' {
        (TabExpansion2 -inputScript 'Get-FaceBackbone -Name mb').CompletionMatches.CompletionText |
            Should -Be @('mbf', 'mbf_large')
    }

    It 'shows millions of parameters and GMACs in its table view' {
        $table = Get-FaceBackbone r50 | Format-Table | Out-String
        $table | Should -Match 'Parameters\(M\)'
        $table | Should -Match 'r50\s+43\.59\s+6\.31\s+512'
    }

    It 'lists fmobilefacenet (MobileFaceNet at scale 1), which builds, trains and exports like the others' {
        $backbone = Get-FaceBackbone fmobilefacenet
        $mbf = Get-FaceBackbone mbf
        $backbone.Parameters | Should -BeLessThan $mbf.Parameters
        $run = Join-Path $TestDrive 'fmobilefacenet'
        $checkpoint = Start-FaceTraining -OutputPath $run -Set @{
            rec = 'synthetic'; num_classes = 4; num_image = 8; network = 'fmobilefacenet'; embedding_size = 16; batch_size = 4
            num_epoch = 1; num_workers = 1; val_targets = @(); lr = 0.05
        }
        $checkpoint.Network | Should -Be 'fmobilefacenet'
        $checkpoint.GlobalStep | Should -Be 2
        [double]::IsFinite($checkpoint.Loss) | Should -BeTrue
        # The trained model.pt holds exactly the parameters the table counts (BatchNorm statistics aside).
        $weights = $checkpoint | Get-FaceModelInfo | Where-Object Name -NotMatch 'running_(mean|var)$|num_batches_tracked$'
        ($weights | Measure-Object Elements -Sum).Sum | Should -Be (Get-FaceBackbone fmobilefacenet -EmbeddingSize 16).Parameters
        ($checkpoint | Export-FaceOnnx -Verify).EmbeddingSize | Should -Be 16
    }

    It 'survives ConvertTo-Json and Export-Clixml' {
        $backbone = Get-FaceBackbone r100
        $json = $backbone | ConvertTo-Json | ConvertFrom-Json
        $json.Name | Should -Be 'r100'
        $json.Parameters | Should -Be $backbone.Parameters
        $json.MACs | Should -Be $backbone.MACs
        $file = Join-Path $TestDrive 'backbone.xml'
        $backbone | Export-Clixml $file
        $restored = Import-Clixml $file
        $restored.Parameters | Should -Be $backbone.Parameters
        $restored.MACs | Should -Be $backbone.MACs
        $restored.EmbeddingSize | Should -Be 512
    }
}
