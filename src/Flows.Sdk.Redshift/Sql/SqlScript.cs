using System.Text;
using System.Text.RegularExpressions;

namespace Flows.Redshift.Sql;

/// <summary>
/// Splits a SQL script into statements and replaces its <c>{{ name }}</c> placeholders, as Civis SQL scripts use
/// them. PostgreSQL's lexical rules decide what is code, a string, a quoted identifier, a dollar-quoted body or a
/// comment, so a <c>;</c> or <c>{{</c> inside a string is not mistaken for one in code. A dollar-quoted body
/// (<c>$$ ... $$</c>, <c>$fn$ ... $fn$</c>, nested ones too) is read by the same rules, as the function it belongs to
/// will read it. A value goes in as SQL in code (<see cref="PlaceholderValues"/>), as escaped text inside a string
/// or quoted identifier, and never unescaped; a value that would end its body, or one in a body that does not read
/// as SQL, is refused by name. Placeholders in comments are left alone.
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

    /// <summary>The dollar-quoted bodies open around the current position, outermost first.</summary>
    private readonly List<Body> _bodies = [];

    /// <summary>Where values went inside bodies in the current statement, to name the one that breaks a body.</summary>
    private readonly List<PlacedValue> _values = [];
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

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlaceholderName();

    private void Run()
    {
        ScanCode();
        EndStatement();
        if (_unknown.Count > 0)
        {
            var known = _parameters.Count == 0 ? "no parameters were given" : "the parameters given are " + string.Join(", ", _parameters.Keys.Order(StringComparer.Ordinal));
            throw new RedshiftInputException($"{_source} uses {string.Join(", ", _unknown)}, which no parameter supplies ({known}). Nothing was run.");
        }
    }

    /// <summary>
    /// Code, at the top of the script or inside a dollar-quoted body, which is read by the same rules (the body of a
    /// SQL or PL/pgSQL function is SQL). Stops at the end of the text or where an enclosing dollar quote ends.
    /// </summary>
    private void ScanCode()
    {
        while (_position < _text.Length && EnclosingTagHere() < 0)
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
                Substitute(Context.Code);
            }
            else if (c == ';' && _bodies.Count == 0)
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
    }

    private char Peek(int offset) => _position + offset < _text.Length ? _text[_position + offset] : '\0';

    /// <summary>
    /// Whether a <c>$</c> here continues a word: the server reads <c>x$$$</c> as one identifier (<c>$</c> and any
    /// non-ASCII character are identifier characters), never as <c>x$</c> followed by a body.
    /// </summary>
    private bool PreviousIsIdentifierChar() =>
        _position > 0 && _text[_position - 1] is var c && (char.IsLetterOrDigit(c) || c is '_' or '$' || c >= '\u0080');

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
        while (_position < _text.Length && _text[_position] != '\n' && EnclosingTagHere() < 0)
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
            if (EnclosingTagHere() >= 0)
            {
                CutByEnclosingTag();
                return;
            }

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
            if (EnclosingTagHere() >= 0)
            {
                CutByEnclosingTag();
                return;
            }

            var c = _text[_position];
            if (c == '\\' && backslashEscapes && _position + 1 < _text.Length)
            {
                Copy();
                if (EnclosingTagHere() < 0)
                {
                    Copy();
                }
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
                Substitute(context, backslashEscapes);
            }
            else
            {
                Copy();
            }
        }

        throw Unterminated(what, startLine);
    }

    private void Substitute(Context context, bool backslashEscapes = false)
    {
        var line = _line;
        var afterEscapePrefix = context == Context.Code && IsEscapeStringPrefix();
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

        var where = $"{_source} line {line}: {{{{ {expression} }}}}";
        var start = _current.Length;
        _current.Append(context switch
        {
            // After an E the rendered literal is an escape string (e'...'), where a backslash escapes whatever the settings.
            Context.Code => PlaceholderValues.InCode(value, _backslashEscapes || afterEscapePrefix, where),
            Context.Literal => SqlText.LiteralContent(PlaceholderValues.AsText(value, where, "a string literal"), backslashEscapes),
            _ => SqlText.IdentifierContent(PlaceholderValues.AsText(value, where, "a quoted identifier")),
        });
        if (_bodies.Count > 0)
        {
            _values.Add(new PlacedValue(expression, line, start, _current.Length));
        }
    }

    private RedshiftInputException Unterminated(string what, int line) =>
        new($"{_source} line {line}: unterminated {what}. Nothing was run.");

    private void EndStatement()
    {
        if (_hasCode)
        {
            RefuseValuesInBodiesOfOtherLanguages();
            _statements.Add(new SqlStatement(_current.ToString().Trim(), _statementLine));
        }

        _current.Clear();
        _values.Clear();
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

    /// <summary>A placeholder's value as written into the statement, [Start, End).</summary>
    private sealed record PlacedValue(string Name, int Line, int Start, int End);
}
