using System.Text.RegularExpressions;

namespace Flows.Redshift.Sql;

/// <summary>
/// Dollar-quoted bodies: read by the same rules as the rest of the script, checked so that no value closes its body,
/// and refused when a value lands in a body of a language other than SQL.
/// </summary>
internal sealed partial class SqlScript
{
    // As the server's lexer reads a tag: any non-ASCII character counts as a letter.
    [GeneratedRegex(@"\G\$([A-Za-z_\u0080-\uFFFF][A-Za-z0-9_\u0080-\uFFFF]*)?\$")]
    private static partial Regex DollarTag();

    /// <summary>
    /// The index in <see cref="_bodies"/> of the dollar-quoted body whose closing tag starts here, or -1. Whatever
    /// the body's own syntax, the server ends it at the first occurrence of its tag, so every loop stops there.
    /// </summary>
    private int EnclosingTagHere()
    {
        for (var i = 0; i < _bodies.Count; i++)
        {
            if (string.CompareOrdinal(_text, _position, _bodies[i].Tag, 0, _bodies[i].Tag.Length) == 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// A string, quoted identifier or comment inside a body was cut off by an enclosing tag: from that body inwards
    /// the text does not read as SQL, so where a value would land in it cannot be told.
    /// </summary>
    private void CutByEnclosingTag()
    {
        for (var i = EnclosingTagHere(); i < _bodies.Count; i++)
        {
            _bodies[i].ReadsAsSql = false;
        }
    }

    /// <summary>
    /// Copies <c>$tag$ ... $tag$</c>, reading the body as code: values in it are quoted and escaped as anywhere else,
    /// because the function whose body it is will parse them as SQL.
    /// </summary>
    private void CopyDollarQuoted(string tag)
    {
        MarkCode();
        for (var i = 0; i < tag.Length; i++)
        {
            Copy();
        }

        var body = new Body(tag, _line, _current.Length);
        _bodies.Add(body);
        ScanCode();
        _bodies.RemoveAt(_bodies.Count - 1);
        if (_position >= _text.Length)
        {
            throw Unterminated($"dollar-quoted body ({tag})", body.Line);
        }

        var closedHere = string.CompareOrdinal(_text, _position, tag, 0, tag.Length) == 0;
        Check(body, closedHere);
        if (closedHere)
        {
            for (var i = 0; i < tag.Length; i++)
            {
                Copy();
            }
        }

        // Otherwise an enclosing body's tag ended this one too; that body copies its tag.
    }

    /// <summary>Refuses a body whose values cannot be placed safely, naming the placeholder.</summary>
    private void Check(Body body, bool closedHere)
    {
        var values = _values.Where(v => v.Start >= body.OutputStart).ToList();
        if (values.Count == 0)
        {
            return;
        }

        if (!body.ReadsAsSql || !closedHere)
        {
            throw new RedshiftInputException(
                $"{_source} line {values[0].Line}: {{{{ {values[0].Name} }}}} is inside a dollar-quoted body (line {body.Line}) that does not read as SQL "
                + $"(a quote or comment in it is still open where {body.Tag} ends it), so where the value would land cannot be told. "
                + "Pass the value as an argument of the function instead. Nothing was run.");
        }

        // Values are quoted, but a tag inside a quoted value still ends the body: the server looks for nothing else.
        var rendered = _current.ToString(body.OutputStart, _current.Length - body.OutputStart);
        var at = rendered.IndexOf(body.Tag, StringComparison.Ordinal);
        if (at >= 0)
        {
            var start = body.OutputStart + at;
            var culprit = values.FirstOrDefault(v => v.Start < start + body.Tag.Length && start < v.End) ?? values[0];
            throw new RedshiftInputException(
                $"{_source} line {culprit.Line}: the value of {{{{ {culprit.Name} }}}} would put {body.Tag} inside the dollar-quoted body, which ends it. Nothing was run.");
        }
    }

    /// <summary>
    /// A body in Python, Perl or any language but SQL and PL/pgSQL is not read by SQL's rules, so SQL's escaping does
    /// not protect it (in Python <c>""</c> ends a string and starts another): a value placed in one is refused by name.
    /// Any such LANGUAGE in the statement refuses, even one the statement only mentions.
    /// </summary>
    private void RefuseValuesInBodiesOfOtherLanguages()
    {
        if (_values.Count == 0)
        {
            return;
        }

        foreach (Match language in Language().Matches(_current.ToString()))
        {
            var name = language.Groups[1].Value;
            if (!name.Equals("sql", StringComparison.OrdinalIgnoreCase) && !name.Equals("plpgsql", StringComparison.OrdinalIgnoreCase))
            {
                throw new RedshiftInputException(
                    $"{_source} line {_values[0].Line}: {{{{ {_values[0].Name} }}}} is inside a dollar-quoted body of a statement in LANGUAGE {name}, which is not SQL, "
                    + "so SQL's quoting cannot keep the value from being read as code. Pass the value as an argument of the function instead. Nothing was run.");
            }
        }
    }

    [GeneratedRegex(@"\bLANGUAGE\s+['""]?([A-Za-z0-9_]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Language();

    /// <summary>A dollar-quoted body being read: its tag, the line it opens on, and where its text starts in the statement.</summary>
    private sealed class Body(string tag, int line, int outputStart)
    {
        public string Tag { get; } = tag;

        public int Line { get; } = line;

        public int OutputStart { get; } = outputStart;

        /// <summary>False once a quote or comment in it was still open at a closing tag.</summary>
        public bool ReadsAsSql { get; set; } = true;
    }
}
