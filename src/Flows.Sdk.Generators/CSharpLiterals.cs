using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Flows.Sdk.Generators;

/// <summary>Writes compile-time constants (attribute arguments, parameter defaults) as C# expressions.</summary>
internal static class CSharpLiterals
{
    /// <summary>The fully qualified format with nullable reference annotations, for signatures.</summary>
    public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>The fully qualified format without nullable reference annotations, which <c>typeof</c> rejects.</summary>
    public static readonly SymbolDisplayFormat TypeOfFormat = SymbolDisplayFormat.FullyQualifiedFormat;

    /// <summary>Tuples spelled as ValueTuple so the type can appear in a <c>cref</c>.</summary>
    public static readonly SymbolDisplayFormat CrefFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.ExpandValueTuple);

    public static string String(string? value) =>
        value is null ? "null" : SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>An attribute argument: primitives, enums, types and arrays of them.</summary>
    public static string Constant(TypedConstant constant)
    {
        if (constant.IsNull)
        {
            return "null";
        }

        return constant.Kind switch
        {
            TypedConstantKind.Array => "[" + string.Join(", ", constant.Values.Select(Constant)) + "]",
            TypedConstantKind.Type => "typeof(" + ((ITypeSymbol)constant.Value!).ToDisplayString(TypeOfFormat) + ")",
            TypedConstantKind.Enum => Enum(constant.Type!, constant.Value!),
            _ => Value(constant.Value, constant.Type),
        };
    }

    /// <summary>A parameter's explicit default value for a parameter of <paramref name="type"/>.</summary>
    public static string Default(object? value, ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        if (value is null)
        {
            return type.IsReferenceType ? "null" : "default";
        }

        return type.TypeKind == TypeKind.Enum ? Enum(type, value) : Value(value, type);
    }

    private static string Enum(ITypeSymbol type, object value)
    {
        var member = type.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value));
        var typeName = type.ToDisplayString(TypeOfFormat);
        return member is not null
            ? typeName + "." + member.Name
            : "(" + typeName + ")(" + Convert.ToString(value, CultureInfo.InvariantCulture) + ")";
    }

    private static string Value(object? value, ITypeSymbol? type) => value switch
    {
        null => "null",
        string s => String(s),
        bool b => b ? "true" : "false",
        char c => SymbolDisplay.FormatLiteral(c, quote: true),
        double d => Floating(d, d.ToString("R", CultureInfo.InvariantCulture), "double", string.Empty),
        float f => Floating(f, f.ToString("R", CultureInfo.InvariantCulture), "float", "F"),
        decimal m => m.ToString(CultureInfo.InvariantCulture) + "M",
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        ulong ul => ul.ToString(CultureInfo.InvariantCulture) + "UL",
        uint ui => ui.ToString(CultureInfo.InvariantCulture) + "U",
        IFormattable f when type is { SpecialType: SpecialType.System_Int32 } => f.ToString(null, CultureInfo.InvariantCulture),
        IFormattable f => "(" + type!.ToDisplayString(TypeOfFormat) + ")(" + f.ToString(null, CultureInfo.InvariantCulture) + ")",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "Unsupported constant."),
    };

    // An integral-looking double ("5") is fine as an int literal: it converts implicitly to double.
    private static string Floating(double value, string text, string keyword, string suffix)
    {
        if (double.IsNaN(value))
        {
            return keyword + ".NaN";
        }

        if (double.IsInfinity(value))
        {
            return keyword + (value > 0 ? ".PositiveInfinity" : ".NegativeInfinity");
        }

        return text + suffix;
    }
}
