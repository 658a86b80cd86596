namespace InsightFace.Engine.Configuration;

/// <summary>The value types a configuration key can hold.</summary>
public enum ConfigKind
{
    /// <summary>A string.</summary>
    Text,
    /// <summary>A 64-bit integer.</summary>
    Integer,
    /// <summary>A floating-point number.</summary>
    Number,
    /// <summary>true or false.</summary>
    Boolean,
    /// <summary>A list of numbers.</summary>
    NumberList,
    /// <summary>A list of strings.</summary>
    TextList,
}

/// <summary>One configuration key: its arcface_torch name, type, default and the rule its value must satisfy.</summary>
/// <param name="Name">The key as written in YAML (arcface_torch's name).</param>
/// <param name="Kind">The value type.</param>
/// <param name="Default">The built-in default, or null when the job config must set it.</param>
/// <param name="Description">What the key means, shown in errors and docs.</param>
/// <param name="Check">Returns a problem description for an impossible value, or null when it is fine.</param>
public sealed record ConfigKey(string Name, ConfigKind Kind, object? Default, string Description, Func<object, string?>? Check = null);
