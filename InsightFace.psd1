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
        'Formats/FaceBackbone.format.ps1xml'
        'Formats/FaceCheckpoint.format.ps1xml'
        'Formats/FaceDataset.format.ps1xml'
        'Formats/FaceEmbedding.format.ps1xml'
        'Formats/FaceEmbeddingComparison.format.ps1xml'
        'Formats/FaceModelArray.format.ps1xml'
        'Formats/FaceOnnxModel.format.ps1xml'
        'Formats/InsightFaceInfo.format.ps1xml'
        'Formats/VerificationResult.format.ps1xml'
    )
    CmdletsToExport      = @(
        'Compare-FaceEmbedding'
        'ConvertTo-FaceRecordIO'
        'ConvertTo-OFRecord'
        'Export-FaceOnnx'
        'Get-FaceBackbone'
        'Get-FaceCheckpoint'
        'Get-FaceDataset'
        'Get-FaceEmbedding'
        'Get-FaceModelInfo'
        'Get-InsightFaceInfo'
        'Import-FaceModel'
        'New-FaceCheckpoint'
        'New-FaceVerificationSet'
        'Show-FaceTrainingCurve'
        'Start-FaceTraining'
        'Test-FaceVerification'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @(
        'Get-Dataset'
    )
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('InsightFace', 'ArcFace', 'FaceRecognition', 'TorchSharp', 'PSEdition_Core', 'Linux')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
