BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
}

Describe 'Get-InsightFaceInfo' {
    BeforeAll { $script:info = Get-InsightFaceInfo }

    It 'outputs the module''s own type' {
        $info | Should -BeOfType ([InsightFace.InsightFaceInfo])
        $info.PSObject.TypeNames[0] | Should -Be 'InsightFace.InsightFaceInfo'
    }

    It 'reports devices and threads' {
        $info.CpuThreads | Should -BeGreaterThan 0
        $info.ProcessorCount | Should -Be ([Environment]::ProcessorCount)
        # A CPU build sees no CUDA device on any machine; whenever there is none, CudaStatus says why.
        if ($info.Backend -eq 'cpu') { $info.CudaDeviceCount | Should -Be 0 }
        [bool]$info.CudaStatus | Should -Be ($info.CudaDeviceCount -eq 0)
    }

    It 'says whether MPI is available, consistently with the library it names' {
        $info.MpiAvailable | Should -Be ([bool]$info.MpiLibrary)
    }

    It 'lists only full paths of native libraries that exist' {
        $info.NativeLibraries | Should -Not -BeNullOrEmpty
        foreach ($path in $info.NativeLibraries) { $path | Should -Exist }
    }

    It 'formats as a readable list' {
        $text = $info | Out-String
        $text | Should -Match 'LibTorchVersion\s*:\s*2\.10\.0'
        $text | Should -Match 'libLibTorchSharp\.so'
    }

    It 'survives ConvertTo-Json and Export-Clixml' {
        ($info | ConvertTo-Json | ConvertFrom-Json).LibTorchVersion | Should -Be '2.10.0'
        $file = Join-Path $TestDrive 'info.xml'
        $info | Export-Clixml $file
        (Import-Clixml $file).NativeLibraries | Should -Be $info.NativeLibraries
    }

    It 'accepts cpu as a device' {
        (Get-InsightFaceInfo -Device cpu).Device | Should -Be 'cpu'
    }

    It 'fails clearly, without falling back to the CPU, when CUDA is asked for and absent' {
        Skip-WhereCudaIsPresent
        { Get-InsightFaceInfo -Device cuda -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeviceUnavailable,InsightFace.PowerShell.Commands.GetInsightFaceInfoCommand'
        $result = Get-InsightFaceInfo -Device cuda -ErrorAction SilentlyContinue -ErrorVariable problems
        $result.Device | Should -BeNullOrEmpty
        $problems[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $problems[0].Exception.Message | Should -Match 'TorchBackend=cuda'
    }

    It 'rejects a device string it does not know' {
        { Get-InsightFaceInfo -Device gpu0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeviceInvalid,InsightFace.PowerShell.Commands.GetInsightFaceInfoCommand'
    }
}
