# Meta-tests: the cmdlet-design rules PSScriptAnalyzer's CmdletDesign set would check, and help completeness.
# They cover every command the module exports, so they grow with every cmdlet.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:commands = @(Get-Command -Module InsightFace -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:module = Import-Module (Get-ModuleUnderTest) -Force -PassThru
    $script:manifestPath = Join-Path $module.ModuleBase 'InsightFace.psd1'
    $script:manifest = Import-PowerShellDataFile $manifestPath
    $script:cmdletTypes = @($module.ImplementingAssembly.GetExportedTypes() |
        Where-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) })
    # Nouns from the design contract that carry no Face prefix.
    $script:unprefixedNouns = @('OFRecord')
}

Describe 'The module manifest' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $manifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports exactly the cmdlets the assembly implements' {
        $implemented = $cmdletTypes | ForEach-Object {
            $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
            "$($a.VerbName)-$($a.NounName)"
        }
        @($manifest.CmdletsToExport | Sort-Object) | Should -Be @($implemented | Sort-Object)
        @((Get-Command -Module InsightFace -CommandType Cmdlet).Name | Sort-Object) | Should -Be @($implemented | Sort-Object)
    }

    It 'exports exactly the aliases the cmdlets declare' {
        $declared = @($cmdletTypes | ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.AliasAttribute], $false).AliasNames })
        @($manifest.AliasesToExport | Sort-Object) | Should -Be @($declared | Sort-Object)
        @((Get-Command -Module InsightFace -CommandType Alias).Name | Sort-Object) | Should -Be @($declared | Sort-Object)
    }

    It 'lists no wildcards and no functions or variables' {
        $manifest.FunctionsToExport | Should -BeNullOrEmpty
        $manifest.VariablesToExport | Should -BeNullOrEmpty
        $manifest.CmdletsToExport | Should -Not -Match '\*'
        $manifest.PowerShellVersion | Should -Be '7.4'
        $manifest.CompatiblePSEditions | Should -Be @('Core')
    }

    It 'carries the version of Directory.Build.props' {
        $props = [xml](Get-Content -Raw (Join-Path $PSScriptRoot '../../Directory.Build.props'))
        $module.Version.ToString() | Should -Be (@($props.Project.PropertyGroup.ModuleVersion) | Where-Object { $_ } | Select-Object -First 1)
    }

    It 'imports without warnings about verbs' {
        $warnings = Invoke-FreshPwsh "Import-Module '$(Get-ModuleUnderTest)' -WarningVariable w 3>`$null; `$w.Count"
        $warnings | Select-Object -Last 1 | Should -Be '0'
    }

    It 'is found by a plain pwsh outside the clone once its folder is in a PSModulePath folder (README: Installing)' {
        $modules = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'Modules')
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $modules 'InsightFace') -Target (Get-ModuleUnderTest)
        # No Import-Module: the first cmdlet call loads the module from PSModulePath, as in a new interactive pwsh.
        $output = Invoke-FreshPwsh "`$env:PSModulePath = '$modules'; Set-Location '$TestDrive'; (Get-InsightFaceInfo).ModuleVersion; (Get-Module InsightFace).ModuleBase"
        $output | Select-Object -Last 2 | Should -Be @("$($module.Version)", (Join-Path $modules "InsightFace/$($module.Version)"))
    }

    It 'has an about_InsightFace topic' {
        (Get-Help about_InsightFace | Out-String) | Should -Match 'Get-InsightFaceInfo'
    }
}

Describe '<Name> follows the cmdlet design rules' -ForEach $commands {
    BeforeAll {
        $script:command = Get-Command $Name
        $script:type = $command.ImplementingType
        $script:attribute = $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
    }

    It 'uses an approved verb' {
        (Get-Verb).Verb | Should -Contain $command.Verb
    }

    It 'has a singular, product-specific noun' {
        $command.Noun | Should -Not -Match '[^s]s$'
        ($command.Noun -like 'Face*' -or $command.Noun -like 'InsightFace*' -or $command.Noun -in $unprefixedNouns) | Should -BeTrue
    }

    It 'declares its output type' {
        $command.OutputType | Should -Not -BeNullOrEmpty
    }

    It 'supports ShouldProcess when it changes state' {
        if ($command.Verb -in 'ConvertTo', 'Start', 'Export', 'Import', 'New', 'Set', 'Remove', 'Clear') {
            $attribute.SupportsShouldProcess | Should -BeTrue
        }
    }

    It 'has no switch parameter that defaults to true' {
        $instance = [Activator]::CreateInstance($type)
        foreach ($property in $type.GetProperties() | Where-Object PropertyType -EQ ([System.Management.Automation.SwitchParameter])) {
            $property.GetValue($instance).IsPresent | Should -BeFalse -Because "$($property.Name) must be off by default"
        }
    }

    It 'is a sealed PSCmdlet' {
        $type.IsSealed | Should -BeTrue
        $type.IsSubclassOf([System.Management.Automation.PSCmdlet]) | Should -BeTrue
    }

    It 'has full help: synopsis, description, every parameter, and examples' {
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name\s"
        ($help.Description.Text -join ' ') | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        foreach ($example in $help.Examples.Example) {
            $example.Code | Should -Match $Name
            ($example.Remarks.Text -join ' ') | Should -Not -BeNullOrEmpty
        }
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $documented = $help.Parameters.Parameter | Where-Object Name -EQ $parameter
            ($documented.Description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$parameter needs a description"
        }
    }

    It 'documents the default of every parameter that has one, and no default it does not have' {
        $help = Get-Help $Name -Full
        $instance = [Activator]::CreateInstance($type)
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($parameter in $command.Parameters.Values | Where-Object Name -NotIn $common) {
            $documented = "$(($help.Parameters.Parameter | Where-Object Name -EQ $parameter.Name).defaultValue)"
            if ($parameter.ParameterType -eq [System.Management.Automation.SwitchParameter]) {
                $documented | Should -Be 'False' -Because "-$($parameter.Name) is a switch"
                continue
            }
            # A fresh instance holds the property's initializer: that is the value a call without the parameter uses.
            $value = $type.GetProperty($parameter.Name).GetValue($instance)
            $simple = @($value | Where-Object { $null -ne $_ -and ($_ -is [string] -or $_ -is [enum] -or $_.GetType().IsPrimitive) })
            $trivial = $simple.Count -eq 0 -or ($simple.Count -eq 1 -and "$($simple[0])" -in '', '0', 'False')
            if (-not $trivial) {
                $documented | Should -Be ($simple -join ', ') -Because "-$($parameter.Name) defaults to $($simple -join ', ')"
            }
            elseif ($documented -ne 'None') {
                $documented | Should -Be "$value" -Because "help may show only the real default of -$($parameter.Name)"
            }
        }
    }

    It 'lists the type of every pipeline-bound parameter under INPUTS, naming the parameter' {
        $inputs = @((Get-Help $Name -Full).inputTypes.inputType)
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $bound = @($command.Parameters.Values | Where-Object Name -NotIn $common | Where-Object {
            $_.ParameterSets.Values | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName } })
        foreach ($parameter in $bound) {
            $typeName = ([Nullable]::GetUnderlyingType($parameter.ParameterType) ?? $parameter.ParameterType).FullName
            $entry = $inputs | Where-Object { $_.type.name -eq $typeName }
            $entry | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) binds a $typeName from the pipeline"
            ($entry.description.Text -join ' ') | Should -Match "-$($parameter.Name)\b"
        }
        if ($bound.Count -eq 0) { $inputs.type.name | Should -Be 'None' }
    }

    It 'has examples that parse' {
        foreach ($example in (Get-Help $Name -Full).Examples.Example) {
            $errors = $null
            $null = [System.Management.Automation.Language.Parser]::ParseInput($example.Code, [ref]$null, [ref]$errors)
            $errors | Should -BeNullOrEmpty
        }
    }
}
