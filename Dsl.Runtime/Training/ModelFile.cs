using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace OptDsl.Runtime.Training;

/// <summary>One weight of a model as the file stores it: its .opt name, shape (empty for a scalar) and place in the parameter vector.</summary>
public sealed record WeightLayout(string Name, int[] Shape, int Offset)
{
    /// <summary>The number of elements (the product of the shape).</summary>
    public int Size => Shape.Aggregate(1, (a, b) => checked(a * b));
}

/// <summary>
/// A model's weights and params in a small JSON file (docs/models.md "Saving and loading"):
/// <code>
/// { "format": "optdsl-model", "version": 1, "model": "LogisticRegression",
///   "weights": [ { "name": "w", "shape": [30], "values": [ ... ] }, { "name": "b", "shape": [], "values": [0.12] } ],
///   "params": { "lambda": 0.001 } }
/// </code>
/// Numbers are written in the shortest form that reads back to the same double, so a save and load round-trips every bit.
/// Loading checks the format, the model name, and each weight's name and shape against the class, and names what differs.
/// </summary>
public static class ModelFile
{
    public const string Format = "optdsl-model";
    public const int Version = 1;

    /// <summary>Writes the weights (laid out in <paramref name="parameters"/> as <paramref name="weights"/> says) and params to <paramref name="path"/>.</summary>
    public static void Save(string path, string model, IReadOnlyList<WeightLayout> weights, ReadOnlySpan<double> parameters,
                            IReadOnlyList<(string Name, double Value)> parameterValues)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.Create(path);
        Write(stream, model, weights, parameters, parameterValues);
    }

    /// <summary><see cref="Save"/> to a stream.</summary>
    public static void Write(Stream stream, string model, IReadOnlyList<WeightLayout> weights, ReadOnlySpan<double> parameters,
                             IReadOnlyList<(string Name, double Value)> parameterValues)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(parameterValues);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteNumber("version", Version);
        json.WriteString("model", model);
        json.WriteStartArray("weights");
        foreach (var w in weights)
        {
            json.WriteStartObject();
            json.WriteString("name", w.Name);
            json.WriteStartArray("shape");
            foreach (int extent in w.Shape) json.WriteNumberValue(extent);
            json.WriteEndArray();
            json.WriteStartArray("values");
            foreach (double x in parameters.Slice(w.Offset, w.Size)) json.WriteNumberValue(x);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartObject("params");
        foreach (var (name, value) in parameterValues) json.WriteNumber(name, value);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// Reads a file written by <see cref="Save"/> into <paramref name="parameters"/> and <paramref name="parameterValues"/>
    /// (in the order of the params' names). Nothing is written unless the whole file matches.
    /// </summary>
    public static void Load(string path, string model, IReadOnlyList<WeightLayout> weights, Span<double> parameters,
                            IReadOnlyList<string> parameterNames, Span<double> parameterValues)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        Read(stream, path, model, weights, parameters, parameterNames, parameterValues);
    }

    /// <summary><see cref="Load"/> from a stream; <paramref name="name"/> names it in errors.</summary>
    public static void Read(Stream stream, string name, string model, IReadOnlyList<WeightLayout> weights, Span<double> parameters,
                            IReadOnlyList<string> parameterNames, Span<double> parameterValues)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(parameterNames);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{name} is not a model file (JSON error at line {ex.LineNumber + 1}: {ex.Message}).", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || String(root, "format", name) != Format)
                throw new InvalidDataException($"{name} is not an OptDsl model file (its \"format\" is not \"{Format}\").");
            int version = root.TryGetProperty("version", out var v) && v.TryGetInt32(out int x) ? x : -1;
            if (version != Version)
                throw new InvalidDataException($"{name} has model file version {version}; this version of OptDsl reads version {Version}.");
            string saved = String(root, "model", name);
            if (saved != model) throw new InvalidDataException($"{name} holds the weights of model '{saved}', not '{model}'.");

            var values = new double[parameters.Length];
            if (!root.TryGetProperty("weights", out var list) || list.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{name} has no \"weights\" list.");
            var found = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var item in list.EnumerateArray())
            {
                string weight = String(item, "name", name);
                if (!found.TryAdd(weight, item)) throw new InvalidDataException($"{name} lists weight '{weight}' twice.");
            }
            foreach (var extra in found.Keys.Where(k => weights.All(w => w.Name != k)))
                throw new InvalidDataException($"{name} has a weight '{extra}' that model '{model}' does not have.");
            foreach (var w in weights)
            {
                if (!found.TryGetValue(w.Name, out var item)) throw new InvalidDataException($"{name} has no weight '{w.Name}'.");
                int[] shape = item.TryGetProperty("shape", out var s) && s.ValueKind == JsonValueKind.Array
                    ? s.EnumerateArray().Select(e => e.TryGetInt32(out int k) ? k : -1).ToArray()
                    : throw new InvalidDataException($"{name}: weight '{w.Name}' has no \"shape\".");
                if (!shape.SequenceEqual(w.Shape))
                    throw new InvalidDataException($"{name}: weight '{w.Name}' has shape [{string.Join(", ", shape)}], but this model's is [{string.Join(", ", w.Shape)}].");
                if (!item.TryGetProperty("values", out var numbers) || numbers.ValueKind != JsonValueKind.Array || numbers.GetArrayLength() != w.Size)
                    throw new InvalidDataException($"{name}: weight '{w.Name}' needs {w.Size} values.");
                int k2 = w.Offset;
                foreach (var e in numbers.EnumerateArray())
                {
                    if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double d) || !double.IsFinite(d))
                        throw new InvalidDataException($"{name}: weight '{w.Name}' has a value that is not a finite number ({e.GetRawText()}).");
                    values[k2++] = d;
                }
            }
            var parameterRead = new double[parameterNames.Count];
            root.TryGetProperty("params", out var ps);
            for (int k = 0; k < parameterNames.Count; k++)
            {
                if (ps.ValueKind != JsonValueKind.Object || !ps.TryGetProperty(parameterNames[k], out var p) || !p.TryGetDouble(out double d) || !double.IsFinite(d))
                    throw new InvalidDataException($"{name} has no finite value for param '{parameterNames[k]}'.");
                parameterRead[k] = d;
            }
            values.CopyTo(parameters);
            parameterRead.CopyTo(parameterValues);
        }
    }

    private static string String(JsonElement e, string property, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.String
            ? p.GetString()!
            : throw new InvalidDataException($"{name} has no \"{property}\" text where one is expected.");
}
