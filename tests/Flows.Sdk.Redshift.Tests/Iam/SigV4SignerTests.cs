using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Flows.Redshift.Iam;

namespace Flows.Redshift.Tests.Iam;

/// <summary>Checked against AWS's published Signature Version 4 test suite (get-vanilla and get-vanilla-query-order-key-case).</summary>
public sealed class SigV4SignerTests
{
    private static readonly ImmutableCredentials Example = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    private static readonly DateTimeOffset At = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    [Test]
    public void Sign_MatchesThePublishedGetVanillaVector()
    {
        var signature = SigV4Signer.Sign("GET", new Uri("https://example.amazonaws.com/"), new Dictionary<string, string>(), [], Example, "us-east-1", "service", At);

        Assert.That(signature.CanonicalRequest, Is.EqualTo(
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        Assert.That(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(signature.CanonicalRequest))),
            Is.EqualTo("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"));
        Assert.That(signature.Authorization, Is.EqualTo(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
    }

    [Test]
    public void Sign_SortsTheQuery_AsThePublishedQueryOrderVectorExpects()
    {
        var signature = SigV4Signer.Sign("GET", new Uri("https://example.amazonaws.com/?Param2=value2&Param1=value1"), new Dictionary<string, string>(), [], Example, "us-east-1", "service", At);

        Assert.That(signature.Authorization, Does.EndWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
    }

    [Test]
    public void Sign_SignsTheSessionToken_WhenTheCredentialsHaveOne()
    {
        var headers = new Dictionary<string, string>();

        var signature = SigV4Signer.Sign("POST", new Uri("https://redshift.us-east-1.amazonaws.com/"), headers, [1, 2], new ImmutableCredentials("AKID", "secret", "token"), "us-east-1", "redshift", At);

        Assert.That(headers["X-Amz-Security-Token"], Is.EqualTo("token"));
        Assert.That(signature.Authorization, Does.Contain("SignedHeaders=host;x-amz-date;x-amz-security-token,"));
    }
}
