using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using CsvHelper;
using Flows.Redshift.Loading;
using Flows.Redshift.Logging;
using Flows.Redshift.Sql;

namespace Flows.Redshift.S3;

/// <summary>
/// Writes rows as gzip CSV files (RFC 4180 through CsvHelper) with a COPY manifest into S3. NULL is written as an
/// unquoted <c>\N</c> and every string is quoted, so a string that reads <c>\N</c> stays a string.
/// </summary>
internal sealed class S3Stager : IDisposable
{
    /// <summary>The NULL marker of staged files; COPY is told <c>NULL AS '\N'</c>.</summary>
    public const string NullMarker = "\\N";

    private readonly S3StagingOptions _options;
    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;

    public S3Stager(S3StagingOptions options)
    {
        _options = options;
        if (options.RowsPerFile <= 0)
        {
            throw new RedshiftInputException($"S3StagingOptions.RowsPerFile is {options.RowsPerFile}; it must be positive.");
        }

        _client = options.Client ?? CreateClient(options);
        _ownsClient = options.Client is null;
    }

    public S3StagingOptions Options => _options;

    public IAmazonS3 Client => _client;

    /// <summary>Fails with the bucket's name when it does not exist; a bucket we may not list counts as existing.</summary>
    public static async Task EnsureBucketExistsAsync(IAmazonS3 client, string bucket, CancellationToken cancellationToken)
    {
        try
        {
            await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1 }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket" || ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new RedshiftInputException($"S3 bucket '{bucket}' does not exist. Nothing was run.", ex);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Forbidden)
        {
            // Listing is not ours to do; Redshift's role may still read or write it.
        }
    }

    /// <summary>Stages the rows; returns the manifest's address and the files written with their sizes.</summary>
    public async Task<StagedLoad> StageAsync<T>(IReadOnlyList<T> rows, IReadOnlyList<LoadColumn> columns, CancellationToken cancellationToken)
    {
        var folder = $"{_options.Prefix}{Guid.CreateVersion7():N}/";
        var files = new List<StagedFile>();
        for (int start = 0, part = 0; start < rows.Count || part == 0; start += _options.RowsPerFile, part++)
        {
            var key = $"{folder}part-{part:D5}.csv.gz";
            var bytes = WriteCsv(rows, start, Math.Min(_options.RowsPerFile, rows.Count - start), columns);
            await PutAsync(key, bytes, "application/gzip", cancellationToken).ConfigureAwait(false);
            files.Add(new StagedFile(key, bytes.Length));
        }

        var manifest = new
        {
            entries = files.Select(f => new { url = $"s3://{_options.Bucket}/{f.Key}", mandatory = true, meta = new { content_length = f.Size } }),
        };
        var manifestKey = folder + "manifest.json";
        await PutAsync(manifestKey, JsonSerializer.SerializeToUtf8Bytes(manifest), "application/json", cancellationToken).ConfigureAwait(false);
        return new StagedLoad(new S3Location(_options.Bucket, manifestKey), folder, files);
    }

    /// <summary>Deletes what a load staged; failures are logged, not thrown, since the load itself is done.</summary>
    public async Task DeleteAsync(StagedLoad staged, CancellationToken cancellationToken)
    {
        try
        {
            var request = new DeleteObjectsRequest
            {
                BucketName = _options.Bucket,
                Objects = [.. staged.Files.Select(f => f.Key).Append(staged.Manifest.Key).Select(key => new KeyVersion { Key = key })],
            };
            await _client.DeleteObjectsAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException ex)
        {
            RedshiftLog.StagedCleanupFailed(RedshiftLog.Current, ex, _options.Bucket, staged.Folder);
        }
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    /// <summary>One gzip CSV file of rows [start, start + count).</summary>
    internal static byte[] WriteCsv<T>(IReadOnlyList<T> rows, int start, int count, IReadOnlyList<LoadColumn> columns)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var csv = CsvWriter.Create(gzip, new CsvWriterOptions { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true))
        {
            for (var i = start; i < start + count; i++)
            {
                foreach (var column in columns)
                {
                    var value = column.Read(rows[i]!);
                    if (value is null)
                    {
                        csv.WriteField(NullMarker, CsvQuoting.WhenNeeded);
                    }
                    else
                    {
                        csv.WriteField(SqlText.Invariant(value), column.IsText ? CsvQuoting.Always : CsvQuoting.WhenNeeded);
                    }
                }

                csv.EndRecord();
            }
        }

        return buffer.ToArray();
    }

    private async Task PutAsync(string key, byte[] bytes, string contentType, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        await _client.PutObjectAsync(
            new PutObjectRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                InputStream = stream,
                ContentType = contentType,
                // A plain body with Content-Length: S3-compatible servers such as s3rver corrupt aws-chunked uploads.
                UseChunkEncoding = false,
                AutoCloseStream = false,
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static AmazonS3Client CreateClient(S3StagingOptions options)
    {
        var config = new AmazonS3Config();
        if (options.ServiceUrl is not null)
        {
            config.ServiceURL = options.ServiceUrl.ToString();
            config.ForcePathStyle = true;
            config.AuthenticationRegion = options.Region ?? "us-east-1";
            // Checksums ride in aws-chunked trailers, which S3-compatible test servers do not all understand.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        else if (options.Region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return options.Credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(options.Credentials, config);
    }
}

/// <summary>A file a load staged, with the size written.</summary>
internal sealed record StagedFile(string Key, long Size);

/// <summary>What one load staged: the manifest for COPY and the files it lists.</summary>
internal sealed record StagedLoad(S3Location Manifest, string Folder, IReadOnlyList<StagedFile> Files);
