<#
.SYNOPSIS
    Writes the module's MAML help from the cmdlets' XML doc comments and their real parameter metadata.
.DESCRIPTION
    There is no platyPS here, so help has one source: the C# XML docs. The class <summary> is the synopsis, the
    <remarks> paragraphs the description, each <example> an example (<code> then <para>), and each parameter
    property's <summary> its description. Syntax, types, pipeline input, positions, default values and INPUTS come
    from the imported module, so help cannot drift from the code. Run it in a pwsh that has imported the laid-out module.
.PARAMETER ModuleName
    The imported module whose cmdlets are documented.
.PARAMETER XmlDocPath
    The compiler's XML documentation file of the cmdlet assembly.
.PARAMETER OutputPath
    The MAML file to write, for example en-US/InsightFace.PowerShell.dll-Help.xml.
.EXAMPLE
    ./build/New-MamlHelp.ps1 -ModuleName InsightFace -XmlDocPath InsightFace.PowerShell.xml -OutputPath en-US/InsightFace.PowerShell.dll-Help.xml
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleName,
    [Parameter(Mandatory)] [string] $XmlDocPath,
    [Parameter(Mandatory)] [string] $OutputPath
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$docs = [xml](Get-Content -Raw -LiteralPath $XmlDocPath)
$members = @{}
foreach ($member in $docs.doc.members.member) { $members[$member.name] = $member }

function Format-Text([System.Xml.XmlNode] $node) {
    if ($null -eq $node) { return '' }
    # <see cref="T:X.Y"/> reads as Y; every run of whitespace becomes one space.
    foreach ($see in @($node.SelectNodes('.//see'))) {
        $name = if ($see.HasAttribute('cref')) { $see.cref -replace '^.*[.:]', '' } else { $see.langword }
        $see.ParentNode.ReplaceChild($node.OwnerDocument.CreateTextNode($name), $see) | Out-Null
    }
    ($node.InnerText -replace '\s+', ' ').Trim()
}

function Get-Paragraphs([System.Xml.XmlNode] $node) {
    if ($null -eq $node) { return @() }
    $paras = @($node.SelectNodes('para'))
    if ($paras.Count -eq 0) { return @(Format-Text $node) }
    $paras | ForEach-Object { Format-Text $_ }
}

# Common parameters are described by about_CommonParameters; -WhatIf and -Confirm get the standard text here.
$common = [System.Management.Automation.PSCmdlet]::CommonParameters
$standard = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$temporary = "$OutputPath.tmp"
$null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent $OutputPath)
$w = [System.Xml.XmlWriter]::Create($temporary, $settings)

function Write-Paras([string[]] $paras) {
    $w.WriteStartElement('maml', 'description', $maml)
    foreach ($p in $paras) { $w.WriteElementString('maml', 'para', $maml, $p) }
    $w.WriteEndElement()
}

# A parameter's default is what a fresh instance of the cmdlet holds, the property's initializer. Only values a user
# could type are shown: a zero that the parameter's ValidateRange rejects means 'not given' (the cmdlet then takes
# the value from elsewhere, a config for example), and objects that only keep the compiler's null analysis quiet
# (a FaceDataset made by new()) are no default at all.
function Get-DefaultValue([System.Management.Automation.ParameterMetadata] $parameter, $instance) {
    if ($parameter.ParameterType -eq [System.Management.Automation.SwitchParameter]) { return 'False' }
    $value = $instance.GetType().GetProperty($parameter.Name).GetValue($instance)
    $values = @($value | Where-Object { $null -ne $_ -and "$_" -ne '' })
    if ($values.Count -eq 0) { return 'None' }
    foreach ($v in $values) {
        if (-not ($v -is [string] -or $v -is [enum] -or $v.GetType().IsPrimitive)) { return 'None' }
    }
    $range = $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateRangeAttribute] }
    if ($range -and $null -ne $range.MinRange -and @($values | Where-Object { $_ -lt $range.MinRange -or $_ -gt $range.MaxRange }).Count) {
        return 'None'
    }
    $values -join ', '
}

# INPUTS: one entry per type that binds from the pipeline, saying which parameters take it and how.
function Get-InputType([System.Management.Automation.CmdletInfo] $cmd) {
    $inputs = [ordered]@{}
    foreach ($p in $cmd.Parameters.Values | Where-Object { $_.Name -notin $common }) {
        $sets = @($p.ParameterSets.Values)
        $how = @()
        if ($sets | Where-Object ValueFromPipeline) { $how += 'by value' }
        if ($sets | Where-Object ValueFromPipelineByPropertyName) {
            $how += "by property name ($(@($p.Name) + @($p.Aliases) -join ', '))"
        }
        if (-not $how) { continue }
        $type = $p.ParameterType
        if ([Nullable]::GetUnderlyingType($type)) { $type = [Nullable]::GetUnderlyingType($type) }
        if (-not $inputs.Contains($type.FullName)) { $inputs[$type.FullName] = @() }
        $inputs[$type.FullName] += "-$($p.Name), $($how -join ' and ')."
    }
    $inputs
}

function Write-Parameter($parameter, $setData, [string] $description, [string] $defaultValue) {
    $pipeline = @()
    if ($setData.ValueFromPipeline) { $pipeline += 'ByValue' }
    if ($setData.ValueFromPipelineByPropertyName) { $pipeline += 'ByPropertyName' }
    $w.WriteStartElement('command', 'parameter', $command)
    $w.WriteAttributeString('required', "$($setData.IsMandatory)".ToLowerInvariant())
    $w.WriteAttributeString('variableLength', "$($parameter.ParameterType.IsArray)".ToLowerInvariant())
    $w.WriteAttributeString('globbing', "$([bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }))".ToLowerInvariant())
    $w.WriteAttributeString('pipelineInput', $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }))
    $w.WriteAttributeString('position', $(if ($setData.Position -ge 0) { "$($setData.Position)" } else { 'named' }))
    $w.WriteAttributeString('aliases', $(if ($parameter.Aliases.Count) { $parameter.Aliases -join ', ' } else { 'none' }))
    $w.WriteElementString('maml', 'name', $maml, $parameter.Name)
    Write-Paras @($description)
    $type = $parameter.ParameterType
    if ([Nullable]::GetUnderlyingType($type)) { $type = [Nullable]::GetUnderlyingType($type) }
    $typeName = $type.Name
    if ($parameter.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
        $w.WriteStartElement('command', 'parameterValue', $command)
        $w.WriteAttributeString('required', 'true')
        $w.WriteAttributeString('variableLength', "$($parameter.ParameterType.IsArray)".ToLowerInvariant())
        $w.WriteString($typeName)
        $w.WriteEndElement()
    }
    $w.WriteStartElement('dev', 'type', $dev)
    $w.WriteElementString('maml', 'name', $maml, $type.FullName)
    $w.WriteEndElement()
    $w.WriteElementString('dev', 'defaultValue', $dev, $defaultValue)
    $w.WriteEndElement()
}

$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')
foreach ($cmd in Get-Command -Module $ModuleName -CommandType Cmdlet | Sort-Object Name) {
    $typeName = $cmd.ImplementingType.FullName
    $typeDoc = $members["T:$typeName"]
    if ($null -eq $typeDoc) { throw "$($cmd.Name): no XML docs for $typeName" }
    $parameters = @($cmd.Parameters.Values | Where-Object { $_.Name -notin $common })
    $parameterDoc = @{}
    $defaults = @{}
    $instance = [Activator]::CreateInstance($cmd.ImplementingType)
    foreach ($p in $parameters) {
        $defaults[$p.Name] = Get-DefaultValue $p $instance
        if ($standard.ContainsKey($p.Name)) { $parameterDoc[$p.Name] = $standard[$p.Name]; continue }
        # Parameters inherited from a base cmdlet are documented on the class that declares them.
        $declaring = $cmd.ImplementingType.GetProperty($p.Name).DeclaringType.FullName
        $doc = $members["P:$declaring.$($p.Name)"]
        if ($null -eq $doc) { throw "$($cmd.Name): parameter $($p.Name) has no XML doc" }
        $parameterDoc[$p.Name] = Format-Text $doc.SelectSingleNode('summary')
    }

    $w.WriteStartElement('command', 'command', $command)
    $w.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $w.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $w.WriteStartElement('command', 'details', $command)
    $w.WriteElementString('command', 'name', $command, $cmd.Name)
    $w.WriteElementString('command', 'verb', $command, $cmd.Verb)
    $w.WriteElementString('command', 'noun', $command, $cmd.Noun)
    Write-Paras @(Format-Text $typeDoc.SelectSingleNode('summary'))
    $w.WriteEndElement()
    Write-Paras @(Get-Paragraphs $typeDoc.SelectSingleNode('remarks'))

    $w.WriteStartElement('command', 'syntax', $command)
    foreach ($set in $cmd.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $command)
        $w.WriteElementString('maml', 'name', $maml, $cmd.Name)
        foreach ($p in $set.Parameters | Where-Object { $_.Name -notin $common }) {
            Write-Parameter $cmd.Parameters[$p.Name] $p $parameterDoc[$p.Name] $defaults[$p.Name]
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $command)
    foreach ($p in $parameters) {
        $firstSet = $p.ParameterSets.Values | Select-Object -First 1
        Write-Parameter $p $firstSet $parameterDoc[$p.Name] $defaults[$p.Name]
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'inputTypes', $command)
    $inputs = Get-InputType $cmd
    if ($inputs.Count -eq 0) { $inputs['None'] = @('Nothing binds from the pipeline.') }
    foreach ($name in $inputs.Keys) {
        $w.WriteStartElement('command', 'inputType', $command)
        $w.WriteStartElement('dev', 'type', $dev)
        $w.WriteElementString('maml', 'name', $maml, $name)
        $w.WriteEndElement()
        Write-Paras $inputs[$name]
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'returnValues', $command)
    foreach ($output in $cmd.OutputType) {
        $w.WriteStartElement('command', 'returnValue', $command)
        $w.WriteStartElement('dev', 'type', $dev)
        $w.WriteElementString('maml', 'name', $maml, $output.Name)
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'examples', $command)
    $index = 0
    foreach ($example in @($typeDoc.SelectNodes('example'))) {
        $index++
        $w.WriteStartElement('command', 'example', $command)
        $w.WriteElementString('maml', 'title', $maml, "-------------------------- Example $index --------------------------")
        $w.WriteElementString('dev', 'code', $dev, $example.SelectSingleNode('code').InnerText.Trim())
        $w.WriteStartElement('dev', 'remarks', $dev)
        foreach ($p in $example.SelectNodes('para')) { $w.WriteElementString('maml', 'para', $maml, (Format-Text $p)) }
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $command)
    $w.WriteStartElement('maml', 'navigationLink', $maml)
    $w.WriteElementString('maml', 'linkText', $maml, 'about_InsightFace')
    $w.WriteEndElement()
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Dispose()
Move-Item -Force -LiteralPath $temporary -Destination $OutputPath
