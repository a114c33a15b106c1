using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Flows.Redshift.Loading;
using Flows.Redshift.S3;
using Flows.Redshift.Tests.Support;
using Npgsql;

namespace Flows.Redshift.Tests.S3;

/// <summary>
/// Loads staged in S3, against s3rver on loopback. PostgreSQL cannot COPY from S3, so where a load needs the COPY
/// the test reads the staged files back from s3rver and feeds them to PostgreSQL's COPY FROM STDIN with the same
/// CSV rules Redshift is told (<c>CSV</c>, <c>NULL AS '\N'</c>).
/// </summary>
public sealed class StagingTests
{
    private static readonly Row[] Awkward =
    [
        new(1, "plain", 1.5),
        new(2, "comma, \"quote\" and\nnewline", null),
        new(3, null, -2),
        new(4, "\\N", 0),
        new(5, "", 3.25),
    ];

    [Test]
    public async Task Stage_UploadsGzipCsvFilesAndAManifest_WithTheSizesWritten()
    {
        await using var bucket = await TestBucket.CreateAsync();
        using var stager = new S3Stager(bucket.Staging(rowsPerFile: 1_000));
        var rows = Enumerable.Range(1, 2_500).Select(i => new Row(i, $"name {i}", i / 2.0)).ToList();

        var staged = await stager.StageAsync(rows, LoadColumn.For(typeof(Row)), CancellationToken.None);

        Assert.That(staged.Files, Has.Count.EqualTo(3));
        foreach (var file in staged.Files)
        {
            var stored = await bucket.Client.GetObjectMetadataAsync(bucket.Name, file.Key);
            var bytes = await bucket.ReadAsync(file.Key);
            Assert.That(stored.ContentLength, Is.EqualTo(file.Size), file.Key);
            Assert.That(bytes, Has.Length.EqualTo(file.Size), file.Key);
        }

        var lines = staged.Files.Sum(f => Gunzip(bucket.ReadAsync(f.Key).Result).Count(c => c == '\n'));
        Assert.That(lines, Is.EqualTo(2_500));
        using var manifest = JsonDocument.Parse(await bucket.ReadAsync(staged.Manifest.Key));
        Assert.That(
            manifest.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("url").GetString()),
            Is.EqualTo(staged.Files.Select(f => $"s3://{bucket.Name}/{f.Key}")));
    }

    [Test]
    public async Task StagedCsv_KeepsNullsEmptyStringsQuotesAndNewlines_ThroughCopy()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var bucket = await TestBucket.CreateAsync();
        using var stager = new S3Stager(bucket.Staging());
        var staged = await stager.StageAsync(Awkward, LoadColumn.For(typeof(Row)), CancellationToken.None);
        await schema.ExecuteAsync("CREATE TABLE awkward (id int, name varchar(100), score double precision)");

        await using (var connection = new NpgsqlConnection(schema.ConnectionString))
        {
            await connection.OpenAsync();
            await CopyFromStdinAsync(connection, bucket, "awkward", ["id", "name", "score"], staged);
        }

        await using var database = new RedshiftDatabase(schema.Options());
        Assert.That(await database.QueryAsync<Row>("SELECT id, name, score FROM awkward ORDER BY id"), Is.EqualTo(Awkward));
    }

    [Test]
    public async Task Load_WithStaging_UpsertsThroughTheStagedFiles_AndDeletesThem()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var bucket = await TestBucket.CreateAsync();
        await using var database = new RedshiftDatabase(schema.Options(o => o.Staging = bucket.Staging()));
        var copies = new List<string>();
        database.StagedCopy = async (connection, transaction, copy, ct) =>
        {
            copies.Add(copy.Sql);
            await CopyFromStdinAsync(connection, bucket, copy.Target.ToSql(), copy.Columns, copy.Staged);
        };

        await database.LoadAsync(Awkward, "awkward");
        await database.LoadAsync([new Row(2, "changed", 9), new Row(6, "added", null)], "awkward", new LoadOptions { ExistingRows = ExistingRows.Upsert, Keys = ["id"] });

        var names = await database.QueryAsync<string?>("SELECT name FROM awkward ORDER BY id");
        Assert.That(names, Is.EqualTo(new[] { "plain", "changed", null, "\\N", "", "added" }));
        Assert.That(copies[1], Does.Match("""^COPY "flows_stage_[0-9a-f]{32}" \("id", "name", "score"\)\nFROM 's3://flows-[0-9a-f]+/staging/[0-9a-f]{32}/manifest.json'\nIAM_ROLE 'arn:aws:iam::123456789012:role/Loader'\nFORMAT AS CSV\nGZIP\nMANIFEST\nTIMEFORMAT AS 'auto'\nDATEFORMAT AS 'auto'\nNULL AS '\\\\N'\nCOMPUPDATE OFF$"""));
        Assert.That(await bucket.ListAsync("staging/"), Is.Empty);
    }

    [Test]
    public async Task Load_WithStaging_IntoABucketThatDoesNotExist_NamesIt_BeforeAnyStatementRuns()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var bucket = await TestBucket.CreateAsync();
        var staging = bucket.Staging();
        await using var database = new RedshiftDatabase(schema.Options(o => o.Staging = new S3StagingOptions
        {
            Bucket = "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8],
            IamRole = staging.IamRole,
            ServiceUrl = staging.ServiceUrl,
            Credentials = staging.Credentials,
        }));

        var error = Assert.ThrowsAsync<RedshiftInputException>(() => database.LoadAsync(Awkward, "awkward", new LoadOptions { ExistingRows = ExistingRows.Drop }));

        Assert.That(error!.Message, Does.Match("^S3 bucket 'no-such-bucket-[0-9a-f]{8}' does not exist. Nothing was run.$"));
        Assert.That(await schema.TableExistsAsync("awkward"), Is.False);
    }

    [Test]
    public async Task CopyFromS3_FromABucketThatDoesNotExist_NamesIt_BeforeAnyStatementRuns()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var bucket = await TestBucket.CreateAsync();
        await using var database = new RedshiftDatabase(schema.Options(o => o.Staging = bucket.Staging()));

        var error = Assert.ThrowsAsync<RedshiftInputException>(() => database.CopyFromS3Async("awkward", new CopyFromS3Options
        {
            From = "s3://missing-exports/signups/",
            IamRole = "arn:aws:iam::123456789012:role/Loader",
        }));

        Assert.That(error!.Message, Is.EqualTo("S3 bucket 'missing-exports' does not exist. Nothing was run."));
    }

    private static async Task CopyFromStdinAsync(NpgsqlConnection connection, TestBucket bucket, string table, IReadOnlyList<string> columns, StagedLoad staged)
    {
        var columnList = string.Join(", ", columns.Select(c => $"\"{c}\""));
        foreach (var file in staged.Files)
        {
            await using var writer = await connection.BeginTextImportAsync($"COPY {table} ({columnList}) FROM STDIN (FORMAT csv, NULL '\\N')");
            await writer.WriteAsync(Gunzip(await bucket.ReadAsync(file.Key)));
        }
    }

    private static string Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public sealed record Row(int Id, string? Name, double? Score);
}
