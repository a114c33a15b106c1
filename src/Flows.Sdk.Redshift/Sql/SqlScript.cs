using System.Text;
using System.Text.RegularExpressions;

namespace Flows.Redshift;

/// <summary>
/// Splits a SQL script into statements and replaces its <c>{{ name }}</c> placeholders, as Civis SQL scripts use
/// them. PostgreSQL's lexical rules decide what is code, a string, a quoted identifier, a dollar-quoted body or a
/// comment, so a <c>;</c> or <c>{{</c> inside a string is not mistaken for one in code. A value goes in as a
/// quoted literal in code, as escaped text inside a string or quoted identifier, and never unescaped; a
/// <see cref="SqlIdentifier"/> or <see cref="TableName"/> goes in as a quoted identifier. Placeholders in
/// comments are left alone.
/// </summary>
internal sealed partial class SqlScript
{
    private readonly string _text;
    private readonly string _source;
    private readonly IReadOnlyDictionary<string, object?> _parameters;
    private readonly bool _backslashEscapes;
    private readonly List<SqlStatement> _statements = [];
    private readonly List<string> _unknown = [];
    private readonly StringBuilder _current = new();
    private int _position;
    private int _line = 1;
    private int _statementLine = 1;
    private bool _hasCode;

    private SqlScript(string text, string source, IReadOnlyDictionary<string, object?> parameters, bool backslashEscapes)
    {
        _text = text;
        _source = source;
        _parameters = parameters;
        _backslashEscapes = backslashEscapes;
    }

    private enum Context
    {
        Code,
        Literal,
        QuotedIdentifier,
        DollarBody,
    }

    /// <summary>
    /// The statements of a script, placeholders replaced. Throws <see cref="RedshiftInputException"/> naming the
    /// source and line for unknown placeholders, unsupported expressions and unterminated quotes or comments.
    /// </summary>
    public static IReadOnlyList<SqlStatement> Parse(string text, string source, IReadOnlyDictionary<string, object?> parameters, bool backslashEscapes)
    {
        var script = new SqlScript(text, source, parameters, backslashEscapes);
        script.Run();
        return script._statements;
    }

    [GeneratedRegex(@"\G\$([A-Za-z_][A-Za-z0-9_]*)?\$")]
    private static partial Regex DollarTag();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlaceholderName();

    /// <summary>Whether a script contains its own transaction control, so it must not be wrapped in another transaction.</summary>
    [GeneratedRegex(@"^\s*(BEGIN|COMMIT|END|ROLLBACK|ABORT|START\s+TRANSACTION)\b", RegexOptions.IgnoreCase)]
    private static partial Regex TransactionControl();

    public static bool ControlsTransactions(IEnumerable<SqlStatement> statements) =>
        statements.Any(s => TransactionControl().IsMatch(StripLeadingComments(s.Text)));

    /// <summary>The text after any comments it starts with.</summary>
    public static string StripLeadingComments(string text)
    {
        var rest = text.TrimStart();
        while (true)
        {
            if (rest.StartsWith("--", StringComparison.Ordinal))
            {
                var end = rest.IndexOf('\n', StringComparison.Ordinal);
                rest = end < 0 ? string.Empty : rest[(end + 1)..].TrimStart();
            }
            else if (rest.StartsWith("/*", StringComparison.Ordinal))
            {
                var end = rest.IndexOf("*/", StringComparison.Ordinal);
                rest = end < 0 ? string.Empty : rest[(end + 2)..].TrimStart();
            }
            else
            {
                return rest;
            }
        }
    }

    private void Run()
    {
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (c == '-' && Peek(1) == '-')
            {
                CopyLineComment();
            }
            else if (c == '/' && Peek(1) == '*')
            {
                CopyBlockComment();
            }
            else if (c == '\'')
            {
                CopyLiteral(escapeString: _backslashEscapes || IsEscapeStringPrefix());
            }
            else if (c == '"')
            {
                CopyQuotedIdentifier();
            }
            else if (c == '$' && !PreviousIsIdentifierChar() && DollarTag().Match(_text, _position) is { Success: true } tag)
            {
                CopyDollarQuoted(tag.Value);
            }
            else if (c == '{' && Peek(1) == '{')
            {
                MarkCode();
                Substitute(Context.Code, null);
            }
            else if (c == ';')
            {
                _position++;
                EndStatement();
            }
            else
            {
                if (!char.IsWhiteSpace(c))
                {
                    MarkCode();
                }

                Copy();
            }
        }

        EndStatement();
        if (_unknown.Count > 0)
        {
            var known = _parameters.Count == 0 ? "no parameters were given" : "the parameters given are " + string.Join(", ", _parameters.Keys.Order(StringComparer.Ordinal));
            throw new RedshiftInputException($"{_source} uses {string.Join(", ", _unknown)}, which no parameter supplies ({known}). Nothing was run.");
        }
    }

    private char Peek(int offset) => _position + offset < _text.Length ? _text[_position + offset] : '\0';

    private bool PreviousIsIdentifierChar() => _position > 0 && (char.IsLetterOrDigit(_text[_position - 1]) || _text[_position - 1] == '_');

    /// <summary>An E'...' string, where backslash escapes apply whatever the server's settings.</summary>
    private bool IsEscapeStringPrefix() =>
        _position > 0 && (_text[_position - 1] == 'E' || _text[_position - 1] == 'e') && (_position < 2 || !(char.IsLetterOrDigit(_text[_position - 2]) || _text[_position - 2] == '_'));

    private void Copy()
    {
        if (_text[_position] == '\n')
        {
            _line++;
        }

        _current.Append(_text[_position]);
        _position++;
    }

    private void CopyLineComment()
    {
        while (_position < _text.Length && _text[_position] != '\n')
        {
            Copy();
        }
    }

    private void CopyBlockComment()
    {
        var startLine = _line;
        var depth = 0;
        while (_position < _text.Length)
        {
            if (_text[_position] == '/' && Peek(1) == '*')
            {
                depth++;
                Copy();
                Copy();
            }
            else if (_text[_position] == '*' && Peek(1) == '/')
            {
                depth--;
                Copy();
                Copy();
                if (depth == 0)
                {
                    return;
                }
            }
            else
            {
                Copy();
            }
        }

        throw Unterminated("comment", startLine);
    }

    private void CopyLiteral(bool escapeString) => CopyQuoted('\'', "string literal", Context.Literal, escapeString);

    private void CopyQuotedIdentifier() => CopyQuoted('"', "quoted identifier", Context.QuotedIdentifier, backslashEscapes: false);

    /// <summary>Copies '...' or "...", where a doubled quote is one quote character and placeholders are text.</summary>
    private void CopyQuoted(char quote, string what, Context context, bool backslashEscapes)
    {
        var startLine = _line;
        MarkCode();
        Copy();
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (c == '\\' && backslashEscapes && _position + 1 < _text.Length)
            {
                Copy();
                Copy();
            }
            else if (c == quote && Peek(1) == quote)
            {
                Copy();
                Copy();
            }
            else if (c == quote)
            {
                Copy();
                return;
            }
            else if (c == '{' && Peek(1) == '{')
            {
                Substitute(context, null, backslashEscapes);
            }
            else
            {
                Copy();
            }
        }

        throw Unterminated(what, startLine);
    }

    private void CopyDollarQuoted(string tag)
    {
        var startLine = _line;
        MarkCode();
        for (var i = 0; i < tag.Length; i++)
        {
            Copy();
        }

        while (_position < _text.Length)
        {
            if (string.CompareOrdinal(_text, _position, tag, 0, tag.Length) == 0)
            {
                for (var i = 0; i < tag.Length; i++)
                {
                    Copy();
                }

                return;
            }

            if (_text[_position] == '{' && Peek(1) == '{')
            {
                Substitute(Context.DollarBody, tag);
            }
            else
            {
                Copy();
            }
        }

        throw Unterminated($"dollar-quoted body ({tag})", startLine);
    }

    private void Substitute(Context context, string? dollarTag, bool backslashEscapes = false)
    {
        var close = _text.IndexOf("}}", _position + 2, StringComparison.Ordinal);
        if (close < 0)
        {
            throw new RedshiftInputException($"{_source} line {_line}: '{{{{' has no closing '}}}}'. Nothing was run.");
        }

        var expression = _text[(_position + 2)..close].Trim();
        if (!PlaceholderName().IsMatch(expression))
        {
            throw new RedshiftInputException(
                $"{_source} line {_line}: '{{{{ {expression} }}}}' is not supported; only '{{{{ name }}}}' placeholders are (no filters or expressions). Nothing was run.");
        }

        _line += _text.AsSpan(_position, close - _position).Count('\n');
        _position = close + 2;
        if (!_parameters.TryGetValue(expression, out var value))
        {
            var mention = $"{{{{ {expression} }}}} (line {_line})";
            if (!_unknown.Contains(mention))
            {
                _unknown.Add(mention);
            }

            return;
        }

        _current.Append(context switch
        {
            Context.Code => CodeValue(value),
            Context.Literal => SqlText.LiteralContent(TextValue(expression, value, "a string literal"), backslashEscapes),
            Context.QuotedIdentifier => SqlText.IdentifierContent(TextValue(expression, value, "a quoted identifier")),
            _ => DollarValue(expression, value, dollarTag!),
        });
    }

    private string CodeValue(object? value) => value switch
    {
        null => "NULL",
        bool b => b ? "TRUE" : "FALSE",
        SqlIdentifier identifier => identifier.ToString(),
        TableName table => table.ToSql(),
        sbyte or byte or short or ushort or int or uint or long or ulong or decimal or double or float => Number(SqlText.Invariant(value)!),
        _ => SqlText.Literal(SqlText.Invariant(value)!, _backslashEscapes),
    };

    /// <summary>A negative number in parentheses, so <c>x -{{ n }}</c> never becomes the comment <c>x --5</c>.</summary>
    private static string Number(string text) => text.StartsWith('-') ? $"({text})" : text;

    private string TextValue(string name, object? value, string where) => value switch
    {
        null => throw new RedshiftInputException($"{_source} line {_line}: {{{{ {name} }}}} is null, which cannot go inside {where}. Nothing was run."),
        SqlIdentifier identifier => identifier.Name,
        TableName table => table.ToString(),
        _ => SqlText.Invariant(value)!,
    };

    private string DollarValue(string name, object? value, string tag)
    {
        var text = TextValue(name, value, "a dollar-quoted body");
        if (text.Contains(tag, StringComparison.Ordinal))
        {
            throw new RedshiftInputException($"{_source} line {_line}: the value of {{{{ {name} }}}} contains {tag}, which would end the dollar-quoted body. Nothing was run.");
        }

        return text;
    }

    private RedshiftInputException Unterminated(string what, int line) =>
        new($"{_source} line {line}: unterminated {what}. Nothing was run.");

    private void EndStatement()
    {
        if (_hasCode)
        {
            _statements.Add(new SqlStatement(_current.ToString().Trim(), _statementLine));
        }

        _current.Clear();
        _hasCode = false;
    }

    /// <summary>The statement starts where its first code is, not at a comment before it.</summary>
    private void MarkCode()
    {
        if (!_hasCode)
        {
            _hasCode = true;
            _statementLine = _line;
        }
    }
}
