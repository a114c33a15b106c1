using Flows.Redshift.Sql;

namespace Flows.Redshift.Tests.Sql;

public sealed class SqlScriptTests
{
    private static IReadOnlyList<SqlStatement> Parse(string text, object? parameters = null, bool backslashEscapes = false)
    {
        var values = parameters switch
        {
            null => new Dictionary<string, object?>(),
            IReadOnlyDictionary<string, object?> given => given,
            _ => parameters.GetType().GetProperties().ToDictionary(p => p.Name, p => p.GetValue(parameters)),
        };
        return SqlScript.Parse(text, "refresh.sql", values, backslashEscapes);
    }

    [Test]
    public void Parse_SplitsAtSemicolonsInCodeOnly()
    {
        var statements = Parse("""
            -- a comment; not a statement
            CREATE TABLE t (note varchar(20));
            INSERT INTO t VALUES ('a;b'), ("x;y");
            /* block; /* nested; */ still comment; */
            SELECT $body$ one; two $body$;
            """);

        Assert.That(statements.Select(s => s.Line), Is.EqualTo(new[] { 2, 3, 5 }));
        Assert.That(statements[1].Text, Is.EqualTo("INSERT INTO t VALUES ('a;b'), (\"x;y\")"));
        Assert.That(statements[2].Text, Does.EndWith("SELECT $body$ one; two $body$"));
    }

    [Test]
    public void Parse_QuotesValuesInCode_AndEscapesThemInsideStrings()
    {
        var statements = Parse(
            "SELECT {{ name }}, '{{ name }}', {{ since }}, '{{ since }}', {{ count }}, {{ flag }}, {{ missing }}",
            new { name = "O'Brien'); DROP TABLE voters; --", since = new DateOnly(2024, 3, 1), count = 42, flag = true, missing = (object?)null });

        Assert.That(statements.Single().Text, Is.EqualTo(
            "SELECT 'O''Brien''); DROP TABLE voters; --', 'O''Brien''); DROP TABLE voters; --', '2024-03-01', '2024-03-01', 42, TRUE, NULL"));
    }

    [Test]
    public void Parse_DoublesBackslashes_WhenTheServerTreatsThemAsEscapes()
    {
        var redshift = Parse("SELECT {{ path }}", new { path = @"C:\temp\' OR 1=1 --" }, backslashEscapes: true);
        var postgres = Parse("SELECT {{ path }}", new { path = @"C:\temp\' OR 1=1 --" }, backslashEscapes: false);

        Assert.That(redshift.Single().Text, Is.EqualTo(@"SELECT 'C:\\temp\\'' OR 1=1 --'"));
        Assert.That(postgres.Single().Text, Is.EqualTo(@"SELECT 'C:\temp\'' OR 1=1 --'"));
    }

    [Test]
    public void Parse_KeepsABackslashEscapedQuoteInsideTheString_OnRedshift()
    {
        var statements = Parse(@"SELECT 'it\'s; fine'; SELECT 2", backslashEscapes: true);

        Assert.That(statements.Select(s => s.Text), Is.EqualTo(new[] { @"SELECT 'it\'s; fine'", "SELECT 2" }));
    }

    [Test]
    public void Parse_InsertsIdentifiersAndTablesQuoted()
    {
        var statements = Parse(
            "CREATE TABLE {{ schema }}.daily AS SELECT * FROM {{ source }}",
            new { schema = new SqlIdentifier("analytics\"; DROP SCHEMA x; --"), source = new TableName("raw", "sign ups") });

        Assert.That(statements.Single().Text, Is.EqualTo("CREATE TABLE \"analytics\"\"; DROP SCHEMA x; --\".daily AS SELECT * FROM \"raw\".\"sign ups\""));
    }

    [Test]
    public void Parse_EscapesValuesInsideADollarQuotedBody_AsAnywhereElse()
    {
        var statements = Parse(
            "CREATE FUNCTION allowed(s text) RETURNS boolean LANGUAGE sql AS $$ SELECT s = '{{ k }}' OR s = {{ k }} OR s IN (SELECT \"{{ k }}\" FROM {{ t }}) $$",
            new { k = "x' OR 'a'='a", t = new SqlIdentifier("states") });

        Assert.That(statements.Single().Text, Is.EqualTo(
            "CREATE FUNCTION allowed(s text) RETURNS boolean LANGUAGE sql AS $$ SELECT s = 'x'' OR ''a''=''a' OR s = 'x'' OR ''a''=''a' OR s IN (SELECT \"x' OR 'a'='a\" FROM \"states\") $$"));
    }

    [Test]
    public void Parse_ReadsNestedDollarQuotes_AndCommentsInsideABody()
    {
        var statements = Parse("""
            DO $fn$
            BEGIN
              -- {{ not_a_parameter }}: comments are left alone here too
              EXECUTE $q$DELETE FROM t WHERE s = '{{ k }}'$q$;
              PERFORM {{ n }};
            END $fn$;
            SELECT 1
            """, new { k = "x' OR 'a'='a", n = -1 });

        Assert.That(statements.Select(s => s.Text), Is.EqualTo(new[]
        {
            "DO $fn$\nBEGIN\n  -- {{ not_a_parameter }}: comments are left alone here too\n  EXECUTE $q$DELETE FROM t WHERE s = 'x'' OR ''a''=''a'$q$;\n  PERFORM (-1);\nEND $fn$",
            "SELECT 1",
        }));
    }

    [TestCase("SELECT $$ {{ v }} $$", "x$$y", "$$")]
    [TestCase("SELECT $$ '{{ v }}$' $$", "x$", "$$")]
    [TestCase("SELECT $a$ $b$ {{ v }} $b$ $a$", "$a$", "$a$")]
    public void Parse_AValueThatWouldEndItsDollarQuotedBody_IsRefusedByName(string sql, string value, string tag)
    {
        var error = Assert.Throws<RedshiftInputException>(() => Parse(sql, new { v = value }));

        Assert.That(error!.Message, Is.EqualTo($"refresh.sql line 1: the value of {{{{ v }}}} would put {tag} inside the dollar-quoted body, which ends it. Nothing was run."));
    }

    [Test]
    public void Parse_ReadsDollarsInsideAnIdentifier_AsTheServerDoes_NotAsABody()
    {
        // PostgreSQL and Redshift read x$$$ as one identifier; read as a body, the quote after it would seem to open a string around the value.
        var statements = Parse("SELECT 1 AS x$$$, 'q$$', {{ k }} -- '", new { k = "'; DROP TABLE voters; --" });

        Assert.That(statements.Single().Text, Is.EqualTo("SELECT 1 AS x$$$, 'q$$', '''; DROP TABLE voters; --' -- '"));
    }

    [Test]
    public void Parse_AValueRightAfterAnEPrefix_HasItsBackslashesDoubled()
    {
        // e{{ k }} renders as e'...', an escape string, where \' is a quote inside it whatever the server's settings.
        var statements = Parse("SELECT e{{ k }}", new { k = @"\'; DROP TABLE voters; --" });

        Assert.That(statements.Single().Text, Is.EqualTo(@"SELECT e'\\''; DROP TABLE voters; --'"));
    }

    [Test]
    public void Parse_ReadsANonAsciiDollarTag_AsABody()
    {
        var error = Assert.Throws<RedshiftInputException>(() => Parse("SELECT $é$ {{ v }} $é$", new { v = "$é$; DROP TABLE voters; --" }));

        Assert.That(error!.Message, Does.Contain("the value of {{ v }} would put $é$ inside the dollar-quoted body"));
    }

    [TestCase("CREATE FUNCTION f(a varchar) RETURNS varchar STABLE AS $$\n  return \"{{ v }}\" + a\n$$ LANGUAGE plpythonu")]
    [TestCase("CREATE FUNCTION f(a text) RETURNS text LANGUAGE 'plperl' AS $$ return '{{ v }}' . $_[0]; $$")]
    [TestCase("DO $$ plpy.notice(\"{{ v }}\") $$ LANGUAGE plpython3u")]
    public void Parse_APlaceholderInABodyInAnotherLanguageThanSql_IsRefusedByName(string sql)
    {
        // SQL's escaping does not protect a Python or Perl body: in Python "" ends a string and starts another.
        var error = Assert.Throws<RedshiftInputException>(() => Parse(sql, new { v = "\" + __import__('os').system('id') + \"" }));

        Assert.That(error!.Message, Does.Contain("{{ v }} is inside a dollar-quoted body").And.Contain("not SQL"));
    }

    [TestCase("CREATE FUNCTION f(a int) RETURNS int STABLE AS $$ SELECT a + {{ v }} $$ LANGUAGE sql")]
    [TestCase("CREATE PROCEDURE p() AS $$ BEGIN PERFORM {{ v }}; END $$ LANGUAGE plpgsql")]
    [TestCase("DO $$ BEGIN PERFORM {{ v }}; END $$")]
    public void Parse_APlaceholderInASqlOrPlpgsqlBody_IsStillEscaped(string sql) =>
        Assert.That(Parse(sql, new { v = 1 }).Single().Text, Does.Contain(" 1"));

    [Test]
    public void Parse_APlaceholderInABodyThatDoesNotReadAsSql_IsRefusedByName()
    {
        var error = Assert.Throws<RedshiftInputException>(() => Parse(
            "CREATE FUNCTION f(x int) RETURNS int AS $$\n# it's python\nreturn x + {{ n }}\n$$ LANGUAGE plpythonu",
            new { n = 1 }));

        Assert.That(error!.Message, Does.StartWith("refresh.sql line 3: {{ n }} is inside a dollar-quoted body (line 1) that does not read as SQL"));
    }

    [Test]
    public void Parse_LeavesABodyThatDoesNotReadAsSql_AsWritten_WhenItHasNoPlaceholders()
    {
        var statements = Parse("CREATE FUNCTION f(x int) RETURNS int AS $$\n# it's python; /* is text here\nreturn x\n$$ LANGUAGE plpythonu; SELECT 2");

        Assert.That(statements.Select(s => s.Text), Is.EqualTo(new[] { "CREATE FUNCTION f(x int) RETURNS int AS $$\n# it's python; /* is text here\nreturn x\n$$ LANGUAGE plpythonu", "SELECT 2" }));
    }

    [Test]
    public void Parse_ExpandsAListToCommaSeparatedValues()
    {
        var statements = Parse(
            "DELETE FROM voters WHERE state IN ({{ states }}) AND id IN ({{ ids }}) AND day IN ({{ days }}); SELECT {{ columns }} FROM t",
            new
            {
                states = new[] { "OH", "PA", "O'Hare" },
                ids = new List<long> { 1, -2 },
                days = new[] { 1, 2 }.Select(d => new DateOnly(2024, 3, d)),
                columns = new[] { new SqlIdentifier("id"), new SqlIdentifier("na\"me") },
            });

        Assert.That(statements.Select(s => s.Text), Is.EqualTo(new[]
        {
            "DELETE FROM voters WHERE state IN ('OH', 'PA', 'O''Hare') AND id IN (1, (-2)) AND day IN ('2024-03-01', '2024-03-02')",
            "SELECT \"id\", \"na\"\"me\" FROM t",
        }));
    }

    [Test]
    public void Parse_AnEmptyList_IsAnErrorNamingThePlaceholder()
    {
        var error = Assert.Throws<RedshiftInputException>(() => Parse("DELETE FROM voters WHERE state IN ({{ states }})", new { states = Array.Empty<string>() }));

        Assert.That(error!.Message, Does.StartWith("refresh.sql line 1: {{ states }} is an empty list"));
    }

    public static IEnumerable<TestCaseData> Unrenderable() =>
    [
        new TestCaseData(new { City = "Columbus" }, "<>f__AnonymousType"),
        new TestCaseData(new Dictionary<string, int> { ["OH"] = 1 }, "Dictionary<String, Int32>"),
        new TestCaseData(new List<int[]> { new[] { 1 } }, "List<Int32[]>"),
        new TestCaseData(new byte[] { 1, 2 }, "Byte[]"),
        new TestCaseData(TimeSpan.FromHours(1), "TimeSpan"),
        new TestCaseData(new object[] { 1, new Uri("https://example.org") }, "Uri"),
    ];

    [TestCaseSource(nameof(Unrenderable))]
    public void Parse_ATypeTheRendererDoesNotKnow_IsRefused_NamingThePlaceholderAndTheType(object value, string typeName)
    {
        var error = Assert.Throws<RedshiftInputException>(() => Parse("SELECT {{ v }}", new { v = value }));

        Assert.That(error!.Message, Does.StartWith("refresh.sql line 1: {{ v }} "));
        Assert.That(error.Message, Does.Contain(typeName));
    }

    [TestCase("SELECT {{ v }}")]
    [TestCase("SELECT 'x{{ v }}'")]
    [TestCase("SELECT {{ vs }}")]
    public void Parse_ANulCharacterInAValue_IsRefusedByName(string sql)
    {
        var error = Assert.Throws<RedshiftInputException>(() => Parse(sql, new { v = "a\0b", vs = new[] { "a\0b" } }));

        Assert.That(error!.Message, Does.Match(@"^refresh\.sql line 1: \{\{ vs? \}\} contains a NUL character"));
    }

    [Test]
    public void Parse_AListInsideAString_IsRefused()
    {
        var error = Assert.Throws<RedshiftInputException>(() => Parse("SELECT '{{ v }}'", new { v = new[] { "a" } }));

        Assert.That(error!.Message, Does.StartWith("refresh.sql line 1: {{ v }} is a list (String[]), which cannot go inside a string literal"));
    }

    public static IEnumerable<TestCaseData> Renderable() =>
    [
        new TestCaseData(null, "NULL"),
        new TestCaseData(DBNull.Value, "NULL"),
        new TestCaseData(true, "TRUE"),
        new TestCaseData((sbyte)-3, "(-3)"),
        new TestCaseData((byte)3, "3"),
        new TestCaseData((short)3, "3"),
        new TestCaseData((ushort)3, "3"),
        new TestCaseData(3u, "3"),
        new TestCaseData(-3L, "(-3)"),
        new TestCaseData(ulong.MaxValue, "18446744073709551615"),
        new TestCaseData((Int128)3, "3"),
        new TestCaseData((UInt128)3, "3"),
        new TestCaseData(10.50m, "10.50"),
        new TestCaseData(1.5d, "1.5"),
        new TestCaseData(0.25f, "0.25"),
        new TestCaseData("it's", "'it''s'"),
        new TestCaseData('\'', "''''"),
        new TestCaseData(new DateOnly(2024, 3, 1), "'2024-03-01'"),
        new TestCaseData(new DateTime(2024, 3, 1, 4, 5, 6, 789), "'2024-03-01 04:05:06.789'"),
        new TestCaseData(new DateTimeOffset(2024, 3, 1, 4, 5, 6, TimeSpan.FromHours(2)), "'2024-03-01 02:05:06+00'"),
        new TestCaseData(new TimeOnly(4, 5, 6), "'04:05:06'"),
        new TestCaseData(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), "'0f8fad5b-d9cb-469f-a165-70867728950e'"),
        new TestCaseData(DayOfWeek.Monday, "'Monday'"),
        new TestCaseData(new SqlIdentifier("a b"), "\"a b\""),
        new TestCaseData(new TableName("s", "t"), "\"s\".\"t\""),
        new TestCaseData(new int?[] { 1, null }, "1, NULL"),
    ];

    [TestCaseSource(nameof(Renderable))]
    public void Parse_RendersEachSupportedType(object? value, string expected) =>
        Assert.That(Parse("SELECT {{ v }}", new Dictionary<string, object?> { ["v"] = value }).Single().Text, Is.EqualTo($"SELECT {expected}"));

    [Test]
    public void Parse_PutsNegativeNumbersInParentheses_SoTheyCannotStartAComment()
    {
        var statements = Parse("SELECT 10 -{{ n }}", new { n = -5 });

        Assert.That(statements.Single().Text, Is.EqualTo("SELECT 10 -(-5)"));
    }

    [Test]
    public void Parse_LeavesPlaceholdersInCommentsAlone()
    {
        var statements = Parse("-- uses {{ not_a_parameter }}\nSELECT 1");

        Assert.That(statements.Single().Text, Does.StartWith("-- uses {{ not_a_parameter }}"));
    }

    [Test]
    public void Parse_UnknownPlaceholders_AreNamedWithTheirLines()
    {
        var error = Assert.Throws<RedshiftInputException>(() => Parse("SELECT 1;\nSELECT {{ start_dat }}, {{ end_date }}", new { start_date = 1 }));

        Assert.That(error!.Message, Does.Contain("refresh.sql uses {{ start_dat }} (line 2), {{ end_date }} (line 2)"));
        Assert.That(error.Message, Does.Contain("the parameters given are start_date"));
    }

    [Test]
    public void Parse_RefusesExpressions_WhichCivisTemplatesAllowButThisDoesNot()
    {
        var error = Assert.Throws<RedshiftInputException>(() => Parse("SELECT {{ name | upper }}", new { name = "x" }));

        Assert.That(error!.Message, Does.Contain("line 1: '{{ name | upper }}' is not supported"));
    }

    [Test]
    public void Parse_NullInsideAString_IsAnError()
    {
        var error = Assert.Throws<RedshiftInputException>(() => Parse("SELECT 'day {{ d }}'", new { d = (object?)null }));

        Assert.That(error!.Message, Does.Contain("{{ d }} is null"));
    }

    [Test]
    public void Parse_UnterminatedString_NamesItsLine()
    {
        var error = Assert.Throws<RedshiftInputException>(() => Parse("SELECT 1;\nSELECT 'oops"));

        Assert.That(error!.Message, Does.Contain("refresh.sql line 2: unterminated string literal"));
    }

    [Test]
    public void CommitsOnItsOwn_SeesTruncateAfterComments()
    {
        var statements = Parse("-- empty it\nTRUNCATE staging; DELETE FROM t; SELECT 'TRUNCATE'");

        Assert.That(statements.Select(SqlScript.CommitsOnItsOwn), Is.EqualTo(new[] { true, false, false }));
    }

    [Test]
    public void ControlsTransactions_SeesBeginAndCommitAfterComments()
    {
        Assert.That(SqlScript.ControlsTransactions(Parse("-- load\nBEGIN; SELECT 1; COMMIT;")), Is.True);
        Assert.That(SqlScript.ControlsTransactions(Parse("SELECT 'BEGIN'; SELECT begin_date FROM t")), Is.False);
    }
}
