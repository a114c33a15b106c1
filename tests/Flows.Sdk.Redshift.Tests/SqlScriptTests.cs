namespace Flows.Redshift.Tests;

public sealed class SqlScriptTests
{
    private static IReadOnlyList<SqlStatement> Parse(string text, object? parameters = null, bool backslashEscapes = false)
    {
        var values = parameters is null
            ? new Dictionary<string, object?>()
            : parameters.GetType().GetProperties().ToDictionary(p => p.Name, p => p.GetValue(parameters));
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
    public void ControlsTransactions_SeesBeginAndCommitAfterComments()
    {
        Assert.That(SqlScript.ControlsTransactions(Parse("-- load\nBEGIN; SELECT 1; COMMIT;")), Is.True);
        Assert.That(SqlScript.ControlsTransactions(Parse("SELECT 'BEGIN'; SELECT begin_date FROM t")), Is.False);
    }
}
