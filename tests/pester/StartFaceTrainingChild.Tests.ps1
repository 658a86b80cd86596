BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:tiny = Get-TinyTrainingSet
    # The process a training ran in, from the verbose line the launcher writes when its child starts.
    function script:Get-ChildProcessId([object[]]$Records) {
        foreach ($record in $Records) {
            if ("$record" -match '^Rank 0 runs as process (\d+) on ') { return [int]$Matches[1] }
        }
    }
}

Describe 'Start-FaceTraining in a child process' -Skip:(-not $IsLinux) {
    It 'trains in a child pwsh that allocates from glibc''s main heap, and reports as if it trained here' {
        $run = Join-Path $TestDrive 'child'
        $arena = $null
        $records = Start-FaceTraining -Set $tiny -OutputPath $run -PassThru -Verbose -InformationVariable metrics 4>&1 | ForEach-Object {
            # The child is alive while it reports: read the environment it was started with.
            if ($null -eq $arena -and "$_" -match '^Rank 0 runs as process (\d+) on ') {
                $environment = [IO.File]::ReadAllText("/proc/$($Matches[1])/environ").Split([char]0)
                $arena = @($environment -match '^MALLOC_ARENA_MAX=')
            }
            $_
        }
        $child = Get-ChildProcessId $records
        $child | Should -Not -BeNullOrEmpty
        $child | Should -Not -Be $PID
        $arena | Should -Be @('MALLOC_ARENA_MAX=1')
        $checkpoint = @($records | Where-Object { $_ -is [InsightFace.FaceCheckpoint] })
        $checkpoint.Count | Should -Be 1
        $checkpoint[0].GlobalStep | Should -Be 6
        $metrics.Count | Should -Be 3
        "$($metrics[0].MessageData)" | Should -Match '^Speed .* Global Step: 2 '
        Join-Path $run 'model.pt' | Should -Exist
    }

    It 'trains in this process with -InProcess' {
        $records = Start-FaceTraining -Set $tiny -OutputPath (Join-Path $TestDrive 'here') -InProcess -Verbose 4>&1
        Get-ChildProcessId $records | Should -BeNullOrEmpty
        @($records | Where-Object { $_ -is [InsightFace.FaceCheckpoint] })[0].GlobalStep | Should -Be 6
    }

    It 'keeps the child''s error id and message when its training fails' {
        $run = Join-Path $TestDrive 'nan'
        $set = $tiny.Clone(); $set.lr = 1e30; $set.num_epoch = 2
        $err = { Start-FaceTraining -Set $set -OutputPath $run -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'LossNotFinite,InsightFace.PowerShell.Commands.StartFaceTrainingCommand'
        $err.Exception.Message | Should -Match '^The loss became'
        $run | Should -Exist
    }
}
