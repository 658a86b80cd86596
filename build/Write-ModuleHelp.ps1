<#
.SYNOPSIS
    Imports the laid-out module and writes its MAML help beside the cmdlet assembly.
.PARAMETER ModuleDirectory
    The versioned module folder, for example out/InsightFace/0.1.0.
.PARAMETER XmlDocPath
    The compiler's XML documentation file of InsightFace.PowerShell.dll.
.EXAMPLE
    ./build/Write-ModuleHelp.ps1 -ModuleDirectory out/InsightFace/0.1.0 -XmlDocPath src/InsightFace.PowerShell/bin/Release/net8.0/InsightFace.PowerShell.xml
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleDirectory,
    [Parameter(Mandatory)] [string] $XmlDocPath
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModuleDirectory 'InsightFace.psd1')
& (Join-Path $PSScriptRoot 'New-MamlHelp.ps1') -ModuleName InsightFace -XmlDocPath $XmlDocPath `
    -OutputPath (Join-Path $ModuleDirectory 'en-US/InsightFace.PowerShell.dll-Help.xml')
