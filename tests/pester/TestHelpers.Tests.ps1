# The helpers the suites share: a missing fixture skips locally but fails where fixtures are required (CI).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

Describe 'Skip-MissingFixture' {
    BeforeEach { $script:required = $env:INSIGHTFACE_REQUIRE_FIXTURES }
    AfterEach { $env:INSIGHTFACE_REQUIRE_FIXTURES = $required }

    It 'fails, naming the fixture, when fixtures are required and this one is missing' {
        $env:INSIGHTFACE_REQUIRE_FIXTURES = '1'
        { Skip-MissingFixture (Join-Path $TestDrive 'no-such-fixture/*.jpg') } | Should -Throw '*no-such-fixture*INSIGHTFACE_REQUIRE_FIXTURES=1*'
    }

    It 'lets the test run when the fixture is there, required or not' {
        $null = New-Item -ItemType File -Path (Join-Path $TestDrive 'present.jpg')
        foreach ($value in '1', '') {
            $env:INSIGHTFACE_REQUIRE_FIXTURES = $value
            { Skip-MissingFixture (Join-Path $TestDrive '*.jpg') } | Should -Not -Throw
        }
    }

    It 'finds the fixtures folder from INSIGHTFACE_FIXTURES' {
        $saved = $env:INSIGHTFACE_FIXTURES
        try {
            $env:INSIGHTFACE_FIXTURES = $TestDrive
            Get-FixturePath | Should -Be $TestDrive
            Get-FixturePath 'orl-faces-112' | Should -Be (Join-Path $TestDrive 'orl-faces-112')
        }
        finally { $env:INSIGHTFACE_FIXTURES = $saved }
    }
}
