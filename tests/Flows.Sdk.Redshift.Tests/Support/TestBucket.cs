using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Flows.Redshift.Tests.Support;

/// <summary>A bucket of its own for one test on the test s3rver, emptied and deleted at the end.</summary>
internal sealed class TestBucket : IAsyncDisposable
{
    /// <summary>s3rver's fixed credentials.</summary>
    public static readonly BasicAWSCredentials Credentials = new("S3RVER", "S3RVER");

    private TestBucket(Uri endpoint, string name)
    {
        Endpoint = endpoint;
        Name = name;
        Client = new AmazonS3Client(Credentials, new AmazonS3Config
        {
            ServiceURL = endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });
    }

    public Uri Endpoint { get; }

    public string Name { get; }

    public AmazonS3Client Client { get; }

    public static async Task<TestBucket> CreateAsync()
    {
        var bucket = new TestBucket(TestServices.S3, $"flows-{Guid.NewGuid():N}");
        await bucket.Client.PutBucketAsync(bucket.Name);
        return bucket;
    }

    public S3StagingOptions Staging(int rowsPerFile = 1_000_000, bool keep = false) => new()
    {
        Bucket = Name,
        Prefix = "staging/",
        IamRole = "arn:aws:iam::123456789012:role/Loader",
        ServiceUrl = Endpoint,
        Credentials = Credentials,
        RowsPerFile = rowsPerFile,
        KeepStagedFiles = keep,
    };

    public async Task<IReadOnlyList<S3Object>> ListAsync(string prefix = "") =>
        (await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name, Prefix = prefix })).S3Objects ?? [];

    public async Task<byte[]> ReadAsync(string key)
    {
        using var response = await Client.GetObjectAsync(Name, key);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var item in await ListAsync())
        {
            await Client.DeleteObjectAsync(Name, item.Key);
        }

        await Client.DeleteBucketAsync(Name);
        Client.Dispose();
    }
}
