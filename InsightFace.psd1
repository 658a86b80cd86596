# Module manifest for InsightFace. This is the source template: build.ps1 writes the real version (from
# Directory.Build.props) into the copy it lays out under out/InsightFace/<version>/.
@{
    RootModule           = 'InsightFace.PowerShell.dll'
    ModuleVersion        = '{{ModuleVersion}}'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    GUID                 = '5b0d7c2e-8f3a-4d61-9a3e-1c7f0e2b9d44'
    Author               = 'InsightFace for PowerShell contributors'
    CompanyName          = 'InsightFace for PowerShell'
    Copyright            = '(c) InsightFace for PowerShell contributors. MIT License.'
    Description          = 'Train, verify, export and serve ArcFace face-recognition models (InsightFace arcface_torch) from the PowerShell pipeline, on a TorchSharp engine.'
    FormatsToProcess     = @(
        'Formats/InsightFaceInfo.format.ps1xml'
        'Formats/FaceBackbone.format.ps1xml'
        'Formats/FaceCheckpoint.format.ps1xml'
        'Formats/VerificationResult.format.ps1xml'
    )
    CmdletsToExport      = @(
        'Get-FaceBackbone'
        'Get-FaceCheckpoint'
        'Get-InsightFaceInfo'
        'New-FaceCheckpoint'
        'Start-FaceTraining'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('InsightFace', 'ArcFace', 'FaceRecognition', 'TorchSharp', 'PSEdition_Core', 'Linux')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
