# Progress shows the time left as h:mm:ss in its status text. ProgressRecord.SecondsRemaining stays unset: PowerShell's
# default (minimal) progress view would print it as raw seconds ("2072s").

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:module = Import-Module (Get-ModuleUnderTest) -Force -PassThru
    $script:timeLeft = $module.ImplementingAssembly.GetType('InsightFace.PowerShell.Commands.TimeLeft', $true)

    # Runs $Script in a runspace of its own and returns the progress records it wrote (they cannot be redirected).
    function Get-ProgressRecord([string] $Script) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$(Get-ModuleUnderTest)'; $Script")
            $null = $ps.Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
            @($ps.Streams.Progress)
        }
        finally { $ps.Dispose() }
    }
}

Describe 'The time left in progress' {
    It 'formats <Seconds> s as <Text>' -ForEach @(
        @{ Seconds = 0; Text = '0:00:00 left' }
        @{ Seconds = 0.2; Text = '0:00:01 left' }
        @{ Seconds = 59; Text = '0:00:59 left' }
        @{ Seconds = 2072; Text = '0:34:32 left' }
        @{ Seconds = 3600; Text = '1:00:00 left' }
        @{ Seconds = 90061; Text = '25:01:01 left' }
        @{ Seconds = -5; Text = '0:00:00 left' }
    ) {
        $timeLeft.GetMethod('Format').Invoke($null, @([TimeSpan]::FromSeconds($Seconds))) | Should -Be $Text
    }

    It 'shows h:mm:ss, not raw seconds, while training' {
        $set = "@{ rec = 'synthetic'; num_classes = 4; num_image = 16; network = 'mbf'; embedding_size = 16; batch_size = 4; " +
            "num_epoch = 1; num_workers = 1; frequent = 2; val_targets = @() }"
        $records = Get-ProgressRecord "`$null = Start-FaceTraining -Set $set -OutputPath '$(Join-Path $TestDrive 'run')'"
        $training = @($records | Where-Object { $_.Activity -eq 'Training' -and $_.RecordType -eq 'Processing' })
        $training.Count | Should -BeGreaterThan 0
        foreach ($record in $training) {
            $record.StatusDescription | Should -Match '^Epoch 1/1 · \d+:\d\d:\d\d left$'
            $record.SecondsRemaining | Should -Be -1
        }
    }

    It 'shows h:mm:ss, not raw seconds, while verifying' {
        $bin = Join-Path $TestDrive 'pairs.bin'
        $records = Get-ProgressRecord (
            "`$null = Get-FaceDataset -Synthetic -Classes 2 -ImagesPerClass 2 -VerificationPairs 10 -OutputPath '$bin'; " +
            "`$checkpoint = New-FaceCheckpoint -Network mbf -EmbeddingSize 16 -OutputPath '$(Join-Path $TestDrive 'mbf')'; " +
            "`$null = `$checkpoint | Test-FaceVerification -Target '$bin' -BatchSize 10")
        $verifying = @($records | Where-Object { $_.Activity -eq 'Test-FaceVerification' -and $_.RecordType -eq 'Processing' })
        $verifying.Count | Should -BeGreaterThan 1
        foreach ($record in $verifying) {
            $record.StatusDescription | Should -Match '^pairs · \d+/20 images · [\d.]+ img/s · \d+:\d\d:\d\d left$'
            $record.SecondsRemaining | Should -Be -1
        }
    }
}
