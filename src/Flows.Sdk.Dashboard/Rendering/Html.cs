using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace Flows.Dashboard.Rendering;

/// <summary>
/// A piece of HTML that is safe to write as it is. Built with <see cref="Of"/> from an interpolated string whose
/// literal parts are markup and whose holes are encoded (text, numbers, times) unless they are <see cref="Html"/>
/// themselves: <c>Html.Of($"&lt;td&gt;{run.Name}&lt;/td&gt;")</c> encodes the name, so a value can never become markup.
/// </summary>
internal readonly struct Html : IEquatable<Html>
{
    private readonly string? _value;

    private Html(string value) => _value = value;

    /// <summary>Nothing.</summary>
    public static Html Empty => default;

    /// <summary>The markup, encoded where it had to be.</summary>
    public string Value => _value ?? string.Empty;

    public bool IsEmpty => string.IsNullOrEmpty(_value);

    /// <summary>Markup from an interpolated string: literal parts kept, holes encoded (see <see cref="Html"/>).</summary>
    public static Html Of([InterpolatedStringHandlerArgument] ref HtmlBuilder builder) => builder.ToHtml();

    /// <summary>Text, encoded.</summary>
    public static Html Text(string? text) => new(HtmlEncoder.Default.Encode(text ?? string.Empty));

    /// <summary>Markup that is already safe: only for constants and for what this type produced.</summary>
    public static Html Raw(string markup) => new(markup);

    /// <summary>The items joined, each rendered by <paramref name="render"/>.</summary>
    public static Html Join<T>(IEnumerable<T> items, Func<T, Html> render)
    {
        var builder = new StringBuilder();
        foreach (var item in items)
        {
            builder.Append(render(item).Value);
        }

        return new(builder.ToString());
    }

    /// <summary>Several pieces one after another.</summary>
    public static Html Concat(params ReadOnlySpan<Html> parts)
    {
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            builder.Append(part.Value);
        }

        return new(builder.ToString());
    }

    /// <summary><paramref name="html"/> when <paramref name="condition"/>, else nothing.</summary>
    public static Html If(bool condition, Html html) => condition ? html : Empty;

    public override string ToString() => Value;

    public bool Equals(Html other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is Html other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    public static bool operator ==(Html left, Html right) => left.Equals(right);

    public static bool operator !=(Html left, Html right) => !left.Equals(right);
}

/// <summary>Builds <see cref="Html"/> from an interpolated string: literals as markup, holes encoded.</summary>
[InterpolatedStringHandler]
internal ref struct HtmlBuilder
{
    private readonly StringBuilder _builder;

    public HtmlBuilder(int literalLength, int formattedCount) => _builder = new StringBuilder(literalLength + (formattedCount * 16));

    public readonly void AppendLiteral(string markup) => _builder.Append(markup);

    public readonly void AppendFormatted(Html html) => _builder.Append(html.Value);

    public readonly void AppendFormatted(string? text) => _builder.Append(HtmlEncoder.Default.Encode(text ?? string.Empty));

    public readonly void AppendFormatted<T>(T value) => AppendFormatted(value, null);

    public readonly void AppendFormatted<T>(T value, string? format)
    {
        var text = value switch
        {
            null => string.Empty,
            Html html => null,
            IFormattable formattable => formattable.ToString(format, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
        if (value is Html markup)
        {
            _builder.Append(markup.Value);
            return;
        }

        _builder.Append(HtmlEncoder.Default.Encode(text ?? string.Empty));
    }

    internal readonly Html ToHtml() => Html.Raw(_builder.ToString());
}
