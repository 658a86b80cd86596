namespace InsightFace.Engine.Backbones;

/// <summary>One network the registry can build, with its size and cost; what <c>Get-FaceBackbone</c> lists.</summary>
/// <param name="Name">The registry name, as in arcface_torch configs: <c>r18</c> … <c>r200</c>, <c>mbf</c>, <c>mbf_large</c>.</param>
/// <param name="Parameters">Parameter elements, frozen ones included.</param>
/// <param name="MACs">Multiply-accumulates for one 3×112×112 image (see <see cref="BackboneCost"/>).</param>
/// <param name="EmbeddingSize">The embedding length these numbers were computed for.</param>
public sealed record BackboneDescription(string Name, long Parameters, long MACs, long EmbeddingSize);
