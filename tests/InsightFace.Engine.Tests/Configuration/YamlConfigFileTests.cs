using InsightFace.Engine.Configuration;

namespace InsightFace.Engine.Tests.Configuration;

public class YamlConfigFileTests
{
    private static string Write(string yaml, string name = "job.yaml", string? folder = null)
    {
        folder ??= Directory.CreateTempSubdirectory().FullName;
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    [Theory]
    [InlineData("lr: [0.1", 2, 1, "did not find expected ',' or ']'")]
    [InlineData("lr: [0.1\nbatch_size: 2\n", 2, 1, "a '[' list or '{' mapping opened before this point is not closed")] // YamlDotNet: InvalidOperationException
    [InlineData("lr: {a: 1\n", 2, 1, "did not find expected ',' or '}'")]
    [InlineData("rec: x\nlr: \"unclosed\n", 2, 5, "quoted scalar")]
    [InlineData("lr: 0.1\n  bad: 2\n", 2, 6, "not valid YAML")]
    [InlineData("lr: 1\nlr: 2\n", 2, 1, "Duplicate key")]
    [InlineData("? [a]\n: 1\n", 1, 3, "expected a key name")]                           // was an InvalidCastException
    [InlineData(": x\n", 1, 1, "expected a key name")]
    [InlineData("[1, 2]\n", 1, 1, "expected a mapping of keys to values")]
    [InlineData("lr: 0.1\n---\nbatch_size: 2\n", 3, 1, "a second YAML document")]      // was silently ignored
    public void A_syntax_or_layout_error_names_file_line_and_column(string yaml, int line, int column, string problem)
    {
        var job = Write(yaml);
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(job));
        Assert.Equal(ErrorIds.ConfigFileInvalid, e.ErrorId);
        Assert.StartsWith($"{job}:{line}:{column}: ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void An_error_in_a_base_of_the_chain_names_that_file_and_the_one_that_named_it()
    {
        var folder = Directory.CreateTempSubdirectory().FullName;
        var root = Write("lr: [0.1, 0.2\nweight_decay: 0.01\n", "root.yaml", folder);
        var middle = Write("base: root.yaml\nbatch_size: 64\n", "middle.yaml", folder);
        var job = Write("base: middle.yaml\nnum_classes: 10\n", "job.yaml", folder);

        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(job));
        Assert.Equal(ErrorIds.ConfigFileInvalid, e.ErrorId);
        Assert.StartsWith($"{root}:2:1 (the base: of {middle}): not valid YAML: ", e.Message);

        File.WriteAllText(root, "lr: 0.1\n  weight_decay: 0.01\n");
        e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(job));
        Assert.StartsWith($"{root}:2:15 (the base: of {middle}): not valid YAML: ", e.Message);

        File.Delete(root);
        e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(job));
        Assert.Equal(ErrorIds.ConfigFileNotFound, e.ErrorId);
        Assert.Equal($"Config file '{root}' (the base: of {middle}) does not exist.", e.Message);
    }

    [Theory]
    [InlineData("lr: [1, [2]]\n", 1, 9, "not a list of lists")]
    [InlineData("lr:\n  a: 1\n", 2, 3, "not a mapping")]
    public void A_value_of_the_wrong_shape_names_file_line_and_column(string yaml, int line, int column, string problem)
    {
        var job = Write(yaml);
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve(job));
        Assert.Equal(ErrorIds.ConfigValueInvalid, e.ErrorId);
        Assert.Equal("lr", e.Key);
        Assert.StartsWith($"{job}:{line}:{column}: 'lr' must be", e.Message);
        Assert.Contains(problem, e.Message);
    }
}
