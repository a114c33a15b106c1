using Flows.Redshift.S3;

namespace Flows.Redshift.Tests.S3;

/// <summary>The generated statements, checked as text against the documented COPY and UNLOAD syntax.</summary>
public sealed class S3SqlTests
{
    private const string Role = "arn:aws:iam::123456789012:role/Loader";

    [Test]
    public void Copy_WritesEveryOptionInDocumentedSyntax()
    {
        var sql = S3Sql.Copy(new TableName("analytics", "signups"), new CopyFromS3Options
        {
            From = "s3://warehouse/signups/manifest.json",
            IamRole = Role,
            Columns = ["id", "email"],
            Format = S3DataFormat.Csv,
            Delimiter = "|",
            Gzip = true,
            Manifest = true,
            Region = "us-west-2",
            TimeFormat = "auto",
            DateFormat = "YYYY-MM-DD",
            IgnoreHeader = 1,
            NullAs = "\\N",
            EmptyAsNull = true,
            BlanksAsNull = true,
            TruncateColumns = true,
            AcceptInvalidChars = true,
            MaxErrors = 10,
            CompressionUpdate = false,
            StatisticsUpdate = true,
        });

        Assert.That(sql, Is.EqualTo("""
            COPY "analytics"."signups" ("id", "email")
            FROM 's3://warehouse/signups/manifest.json'
            IAM_ROLE 'arn:aws:iam::123456789012:role/Loader'
            FORMAT AS CSV
            DELIMITER AS '|'
            GZIP
            MANIFEST
            REGION AS 'us-west-2'
            TIMEFORMAT AS 'auto'
            DATEFORMAT AS 'YYYY-MM-DD'
            IGNOREHEADER AS 1
            NULL AS '\\N'
            EMPTYASNULL
            BLANKSASNULL
            TRUNCATECOLUMNS
            ACCEPTINVCHARS
            MAXERROR AS 10
            COMPUPDATE OFF
            STATUPDATE ON
            """));
    }

    [Test]
    public void Copy_Json_UsesAutoOrTheJsonPathsFile()
    {
        var auto = S3Sql.Copy("events", new CopyFromS3Options { From = "s3://b/events/", IamRole = Role, Format = S3DataFormat.Json });
        var paths = S3Sql.Copy("events", new CopyFromS3Options { From = "s3://b/events/", IamRole = Role, Format = S3DataFormat.Json, JsonPaths = "s3://b/paths.json" });

        Assert.That(auto, Does.Contain("\nFORMAT AS JSON 'auto'"));
        Assert.That(paths, Does.Contain("\nFORMAT AS JSON 's3://b/paths.json'"));
    }

    [Test]
    public void Copy_QuotesHostileNamesAndValues()
    {
        var sql = S3Sql.Copy(new TableName("s", "t\"; DROP TABLE x; --"), new CopyFromS3Options
        {
            From = "s3://b/it's\\here",
            IamRole = "arn:aws:iam::1:role/r' ; DROP TABLE x; --",
        });

        Assert.That(sql, Does.StartWith("COPY \"s\".\"t\"\"; DROP TABLE x; --\"\nFROM 's3://b/it''s\\\\here'\nIAM_ROLE 'arn:aws:iam::1:role/r'' ; DROP TABLE x; --'"));
    }

    [Test]
    public void Copy_RefusesGzipWithParquet()
    {
        var error = Assert.Throws<RedshiftInputException>(() =>
            S3Sql.Copy("t", new CopyFromS3Options { From = "s3://b/p/", IamRole = Role, Format = S3DataFormat.Parquet, Gzip = true, TimeFormat = "auto" }));

        Assert.That(error!.Message, Is.EqualTo("Gzip, TimeFormat cannot be used with Parquet files."));
    }

    [Test]
    public void Copy_RefusesAnAddressThatIsNotS3()
    {
        var error = Assert.Throws<RedshiftInputException>(() => S3Sql.Copy("t", new CopyFromS3Options { From = "https://b/p", IamRole = Role }));

        Assert.That(error!.Message, Does.Contain("CopyFromS3Options.From 'https://b/p' is not an s3://bucket/key address"));
    }

    [Test]
    public void Copy_RefusesARoleThatIsNotAnArn()
    {
        var error = Assert.Throws<RedshiftInputException>(() => S3Sql.Copy("t", new CopyFromS3Options { From = "s3://b/p", IamRole = "Loader" }));

        Assert.That(error!.Message, Does.Contain("CopyFromS3Options.IamRole 'Loader' is not an IAM role ARN"));
    }

    [Test]
    public void Unload_WritesEveryOptionInDocumentedSyntax()
    {
        var sql = S3Sql.Unload("SELECT * FROM signups WHERE state = 'OH';", new UnloadToS3Options
        {
            To = "s3://exports/signups/part_",
            IamRole = Role,
            Format = S3DataFormat.Csv,
            PartitionBy = ["state"],
            Manifest = true,
            Header = true,
            Delimiter = ",",
            Gzip = true,
            NullAs = "",
            AllowOverwrite = true,
            Parallel = false,
            MaxFileSizeMb = 100,
            Region = "us-east-2",
        });

        Assert.That(sql, Is.EqualTo("""
            UNLOAD ('SELECT * FROM signups WHERE state = ''OH''')
            TO 's3://exports/signups/part_'
            IAM_ROLE 'arn:aws:iam::123456789012:role/Loader'
            FORMAT AS CSV
            PARTITION BY ("state")
            MANIFEST
            HEADER
            DELIMITER AS ','
            GZIP
            NULL AS ''
            ALLOWOVERWRITE
            PARALLEL OFF
            MAXFILESIZE AS 100 MB
            REGION AS 'us-east-2'
            """));
    }

    [Test]
    public void Unload_Parquet_HasNoCompressionOrTextOptions()
    {
        var sql = S3Sql.Unload("SELECT 1", new UnloadToS3Options { To = "s3://b/p/", IamRole = Role, Format = S3DataFormat.Parquet });
        var error = Assert.Throws<RedshiftInputException>(() =>
            S3Sql.Unload("SELECT 1", new UnloadToS3Options { To = "s3://b/p/", IamRole = Role, Format = S3DataFormat.Parquet, Gzip = true }));

        Assert.That(sql, Is.EqualTo("UNLOAD ('SELECT 1')\nTO 's3://b/p/'\nIAM_ROLE 'arn:aws:iam::123456789012:role/Loader'\nFORMAT AS PARQUET"));
        Assert.That(error!.Message, Is.EqualTo("Gzip cannot be used with Parquet files."));
    }
}
