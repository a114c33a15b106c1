namespace Flows.Redshift.S3;

/// <summary>An <c>s3://bucket/key</c> address, checked before it goes into SQL or a request.</summary>
internal readonly record struct S3Location(string Bucket, string Key)
{
    public static S3Location Parse(string uri, string what)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.StartsWith("s3://", StringComparison.Ordinal))
        {
            throw new RedshiftInputException($"{what} '{uri}' is not an s3://bucket/key address.");
        }

        var rest = uri["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        if (bucket.Length == 0)
        {
            throw new RedshiftInputException($"{what} '{uri}' names no bucket.");
        }

        return new S3Location(bucket, slash < 0 ? string.Empty : rest[(slash + 1)..]);
    }

    public override string ToString() => $"s3://{Bucket}/{Key}";
}
