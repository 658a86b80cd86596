BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:cmdlet = 'InsightFace.PowerShell.Commands.CompareFaceEmbeddingCommand'

    function New-Embedding([string] $Path, [float[]] $Vector) {
        [InsightFace.FaceEmbedding]@{ Path = $Path; Vector = $Vector; Norm = [math]::Sqrt(($Vector | ForEach-Object { $_ * $_ } | Measure-Object -Sum).Sum) }
    }
}

Describe 'Compare-FaceEmbedding' {
    It 'gives the cosine similarity of two arrays, and the squared distance of their normalised forms' {
        $comparison = Compare-FaceEmbedding -ReferenceEmbedding @(1, 0) -DifferenceEmbedding @(0.6, 0.8)
        $comparison | Should -BeOfType ([InsightFace.FaceEmbeddingComparison])
        $comparison.Similarity | Should -BeGreaterThan (0.6 - 1e-7)
        $comparison.Similarity | Should -BeLessThan (0.6 + 1e-7)
        $comparison.Distance | Should -BeGreaterThan (0.8 - 1e-6)
        $comparison.Distance | Should -BeLessThan (0.8 + 1e-6)
    }

    It 'compares each FaceEmbedding from the pipeline with the reference, keeping both paths' {
        $reference = New-Embedding 'a.jpg' @(3, -1, 2)
        $others = (New-Embedding 'b.jpg' @(-1, 5, 0.5)), (New-Embedding 'c.jpg' @(6, -2, 4))
        $comparisons = $others | Compare-FaceEmbedding $reference
        $comparisons.ReferencePath | Should -Be 'a.jpg', 'a.jpg'
        $comparisons.DifferencePath | Should -Be 'b.jpg', 'c.jpg'
        # (3·−1 + −1·5 + 2·0.5) / (√14 · √26.25) and a parallel vector.
        $expected = (-3 - 5 + 1) / ([math]::Sqrt(14) * [math]::Sqrt(26.25))
        [math]::Abs($comparisons[0].Similarity - $expected) | Should -BeLessThan 1e-12
        [math]::Abs($comparisons[1].Similarity - 1) | Should -BeLessThan 1e-12
    }

    It 'takes embeddings that went through Export-Clixml and ConvertTo-Json' {
        $reference = New-Embedding 'a.jpg' @(1, 2, 3)
        $file = Join-Path $TestDrive 'a.xml'
        $reference | Export-Clixml $file
        $json = $reference | ConvertTo-Json | ConvertFrom-Json
        $comparison = Compare-FaceEmbedding (Import-Clixml $file) $json
        [math]::Abs($comparison.Similarity - 1) | Should -BeLessThan 1e-12
        $comparison.DifferencePath | Should -Be 'a.jpg'
    }

    It 'gives 0 for an all-zero embedding' {
        (Compare-FaceEmbedding @(0, 0) @(1, 1)).Similarity | Should -Be 0
    }

    It 'writes EmbeddingSizeMismatch for embeddings of different sizes and goes on' {
        $reference = New-Embedding 'a.jpg' @(1, 0)
        $comparisons = (New-Embedding 'b.jpg' @(1, 0, 0)), (New-Embedding 'c.jpg' @(0, 1)) |
            Compare-FaceEmbedding $reference -ErrorVariable problems -ErrorAction SilentlyContinue
        $comparisons.DifferencePath | Should -Be 'c.jpg'
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "EmbeddingSizeMismatch,$cmdlet"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        "$($problems[0])" | Should -Match 'b\.jpg'
    }

    It 'writes EmbeddingInvalid for something that is not an embedding' {
        { Compare-FaceEmbedding @(1, 0) 'hello' -ErrorAction Stop } | Should -Throw -ErrorId "EmbeddingInvalid,$cmdlet"
        { Compare-FaceEmbedding 'hello' @(1, 0) -ErrorAction Stop } | Should -Throw -ErrorId "EmbeddingInvalid,$cmdlet"
    }
}
