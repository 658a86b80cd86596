# The module as users load it: the private load context, native loading, re-import, and clear failures.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:modulePath = Get-ModuleUnderTest
    $script:moduleDir = (Get-ChildItem -Directory $modulePath | Select-Object -First 1).FullName
    $script:dependencies = Join-Path $moduleDir 'Dependencies'

    # A copy of the module whose Dependencies/ links to the real files except those replaced or left out.
    function New-BrokenModuleCopy([string] $Replace, [string] $With, [string] $Omit) {
        $copy = Join-Path $TestDrive ([guid]::NewGuid())
        $null = New-Item -ItemType Directory -Path (Join-Path $copy 'Dependencies')
        Get-ChildItem $moduleDir -File | Copy-Item -Destination $copy
        Get-ChildItem $moduleDir -Directory | Where-Object Name -NE 'Dependencies' | Copy-Item -Recurse -Destination $copy
        foreach ($file in Get-ChildItem $dependencies -File) {
            $target = Join-Path $copy 'Dependencies' $file.Name
            if ($file.Name -eq $Omit) { continue }
            if ($file.Name -eq $Replace) { Copy-Item $With $target; continue }
            $null = New-Item -ItemType SymbolicLink -Path $target -Target $file.FullName
        }
        $copy
    }
}

Describe 'Loading the engine' {
    It 'shows libtorch 2.10 and the backend it was built with, loaded from the module''s own Dependencies folder' {
        $info = Invoke-FreshPwsh "Import-Module '$modulePath'; Get-InsightFaceInfo | ConvertTo-Json -Compress" | Select-Object -Last 1 | ConvertFrom-Json
        $info.LibTorchVersion | Should -Be '2.10.0'
        $info.TorchSharpVersion | Should -Be '0.107.0'
        # A CUDA build (build.ps1 -TorchBackend cuda) ships libtorch_cuda.so beside libtorch_cpu.so.
        $info.Backend | Should -Be $(if (Test-Path (Join-Path $dependencies 'libtorch_cuda.so')) { 'cuda' } else { 'cpu' })
        $info.LibTorchPath | Should -Be $dependencies
        $info.NativeLibraries | Should -Contain (Join-Path $dependencies 'libLibTorchSharp.so')
        $info.NativeLibraries | Should -Contain (Join-Path $dependencies 'libtorch_cpu.so')
        $info.ModuleVersion | Should -Not -BeNullOrEmpty
    }

    It 'works with an empty NuGet cache, so TorchSharp''s fall-back cannot be what made it load' {
        $env:NUGET_PACKAGES | Should -Not -BeNullOrEmpty -Because 'build.ps1 points it at an empty folder for this suite'
        @(Get-ChildItem $env:NUGET_PACKAGES -Force).Count | Should -Be 0
        Invoke-FreshPwsh "Import-Module '$modulePath'; (Get-InsightFaceInfo).LibTorchPath" | Select-Object -Last 1 | Should -Be $dependencies
        @(Get-ChildItem $env:NUGET_PACKAGES -Force).Count | Should -Be 0
        Test-Path (Join-Path $moduleDir 'libtorch_cpu.so') | Should -BeFalse -Because 'the fall-back copies natives beside the assembly'
    }

    It 'keeps engine types out of reach of scripts' {
        $result = Invoke-FreshPwsh @"
Import-Module '$modulePath'
`$null = Get-InsightFaceInfo
"{0}|{1}|{2}" -f [bool]('TorchSharp.torch' -as [type]), [bool]('InsightFace.Engine.Runtime.RuntimeInspector' -as [type]), [bool]('InsightFace.InsightFaceInfo' -as [type])
"@
        $result | Select-Object -Last 1 | Should -Be 'False|False|True'
    }

    It 'survives Remove-Module, Import-Module and Import-Module -Force in one session' {
        $result = Invoke-FreshPwsh @"
Import-Module '$modulePath'
`$a = (Get-InsightFaceInfo).LibTorchVersion
Remove-Module InsightFace
Import-Module '$modulePath'
`$b = (Get-InsightFaceInfo).LibTorchVersion
Import-Module '$modulePath' -Force
`$c = (Get-InsightFaceInfo).LibTorchVersion
"`$a|`$b|`$c"
"@
        $result | Select-Object -Last 1 | Should -Be '2.10.0|2.10.0|2.10.0'
    }
}

Describe 'Living next to another module''s YamlDotNet' {
    BeforeAll {
        $script:other = $env:INSIGHTFACE_OTHER_YAMLDOTNET
        $script:useOther = @'
$yaml = [YamlDotNet.Serialization.DeserializerBuilder]::new().Build().Deserialize([IO.StringReader]::new("lr: 0.1"))
$version = [YamlDotNet.Serialization.DeserializerBuilder].Assembly.GetName().Version
'@
    }

    It 'has a second YamlDotNet to test with' {
        $other | Should -Exist
        [Reflection.AssemblyName]::GetAssemblyName($other).Version.Major | Should -Be 16
    }

    It 'works when the other version is loaded first' {
        $result = Invoke-FreshPwsh @"
Add-Type -Path '$other'
$useOther
Import-Module '$modulePath'
`$engine = (Get-InsightFaceInfo).ManagedDependencies | Where-Object { `$_ -like 'YamlDotNet *' }
"`$(`$yaml['lr'])|`$version|`$engine"
"@
        $result | Select-Object -Last 1 | Should -Be '0.1|16.0.0.0|YamlDotNet 18.0.0.0'
    }

    It 'works when the other version is loaded after the module' {
        $result = Invoke-FreshPwsh @"
Import-Module '$modulePath'
`$engine = (Get-InsightFaceInfo).ManagedDependencies | Where-Object { `$_ -like 'YamlDotNet *' }
Add-Type -Path '$other'
$useOther
"`$(`$yaml['lr'])|`$version|`$engine"
"@
        $result | Select-Object -Last 1 | Should -Be '0.1|16.0.0.0|YamlDotNet 18.0.0.0'
    }
}

Describe 'A broken installation' {
    It 'fails the import with one error naming the missing library and the path tried' {
        $copy = New-BrokenModuleCopy -Omit 'libc10.so'
        $result = Invoke-FreshPwsh "try { Import-Module '$copy/InsightFace.psd1' -ErrorAction Stop; 'imported' } catch { `$_.Exception.Message }"
        $message = $result -join ' '
        $message | Should -Match 'libc10\.so'
        $message | Should -Match ([regex]::Escape((Join-Path $copy 'Dependencies')))
        $message | Should -Match 'does not exist'
        $message | Should -Not -Match 'imported'
    }

    It 'names the libstdc++ version a pristine libLibTorchSharp.so needs, not TorchSharp''s misleading message' {
        $libstdcxx = '/usr/lib/x86_64-linux-gnu/libstdc++.so.6'
        $hasNewer = (Test-Path $libstdcxx) -and (Select-String -Path $libstdcxx -Pattern 'GLIBCXX_3.4.32' -SimpleMatch -Quiet)
        if ($hasNewer) { Set-ItResult -Skipped -Because 'this system''s libstdc++ has GLIBCXX_3.4.32, so the pristine file loads'; return }

        $copy = New-BrokenModuleCopy -Replace 'libLibTorchSharp.so' -With $env:INSIGHTFACE_PRISTINE_LIBTORCHSHARP
        $result = Invoke-FreshPwsh "try { Import-Module '$copy/InsightFace.psd1' -ErrorAction Stop; 'imported' } catch { `$_.Exception.Message }"
        $message = $result -join ' '
        $message | Should -Match 'libLibTorchSharp\.so'
        $message | Should -Match 'GLIBCXX_3\.4\.32'
        $message | Should -Match ([regex]::Escape((Join-Path $copy 'Dependencies' 'libLibTorchSharp.so')))
        $message | Should -Not -Match 'libtorch-cpu-linux-x64'
    }
}
