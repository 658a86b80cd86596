# libtorch prints "Could not initialize NNPACK! Reason: Unsupported hardware." on stderr the first time a CPU
# convolution asks for NNPACK on a CPU it cannot run on (at batch 1, small 1x1 convolutions ask). The module turns
# NNPACK off when it is imported, so the question is never asked and logs stay clean.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:module = Get-ModuleUnderTest
    $script:libtorch = (Get-ChildItem $module -Recurse -Filter 'libtorch_cpu.so' | Select-Object -First 1).FullName

    # Runs $Script in a new pwsh and returns its output; its stderr goes to $StdErr.
    function Invoke-PwshApart([string] $Script, [string] $StdErr) {
        $processPath = [Environment]::ProcessPath
        [string[]] $prefix = if ((Split-Path -Leaf $processPath) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' } else { @() }
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script))
        & $processPath @prefix -NoProfile -NonInteractive -EncodedCommand $encoded 2> $StdErr
    }
}

Describe 'NNPACK' {
    It 'is turned off in libtorch when the module is imported' {
        # Asked of libtorch itself (at::globalContext().userEnabledNNPACK()), not of the engine.
        $output = Invoke-PwshApart -StdErr (Join-Path $TestDrive 'flag.txt') @"
Import-Module '$module'
Add-Type -TypeDefinition @'
using System; using System.Runtime.InteropServices;
public static class LibTorchContext {
    [DllImport("$libtorch", EntryPoint = "_ZN2at13globalContextEv")] public static extern IntPtr Get();
    [DllImport("$libtorch", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")] [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool UserEnabledNNPACK(IntPtr context);
}
'@
[LibTorchContext]::UserEnabledNNPACK([LibTorchContext]::Get())
"@
        $output | Should -Be 'False'
    }

    It 'writes nothing on stderr for inference at batch 1' {
        $face = Get-FixturePath 'orl-faces-112/s1/1.jpg'
        Skip-MissingFixture $face
        $stderr = Join-Path $TestDrive 'stderr.txt'
        $output = Invoke-PwshApart -StdErr $stderr @"
Import-Module '$module'
`$checkpoint = New-FaceCheckpoint -Network mbf -EmbeddingSize 16 -OutputPath '$(Join-Path $TestDrive 'mbf')' -Seed 1
(Get-FaceEmbedding -Path '$face' -Checkpoint `$checkpoint -BatchSize 1).Vector.Count
"@
        $output | Should -Be 16
        Get-Content -Raw $stderr | Should -BeNullOrEmpty
    }
}
