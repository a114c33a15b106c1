using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Flows.Tests.Secrets;

/// <summary>
/// A stand-in for AWS Systems Manager on loopback that speaks the <c>GetParameter</c> operation of the JSON 1.1
/// protocol (<c>POST /</c>, <c>X-Amz-Target: AmazonSSM.GetParameter</c>, <c>application/x-amz-json-1.1</c>), as the
/// real service does: the signing region must be its own, a <c>SecureString</c> is returned decrypted only when asked
/// with <c>WithDecryption</c>, unknown names answer <c>ParameterNotFound</c> and denied names
/// <c>AccessDeniedException</c>.
/// </summary>
internal sealed class FakeSsmEndpoint : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, (string Type, string Value)> _parameters = new(StringComparer.Ordinal);
    private readonly HashSet<string> _denied = new(StringComparer.Ordinal);
    private readonly List<(string Name, bool WithDecryption)> _requests = [];
    private readonly Task _serving;

    public FakeSsmEndpoint(string region)
    {
        Region = region;
        var port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Region { get; }

    public Uri Url { get; }

    public IReadOnlyList<(string Name, bool WithDecryption)> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public FakeSsmEndpoint With(string name, string value, string type = "SecureString")
    {
        _parameters[name] = (type, value);
        return this;
    }

    public FakeSsmEndpoint Denying(string name)
    {
        _denied.Add(name);
        return this;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var response = context.Response;
            var (status, body) = await AnswerAsync(context.Request);
            var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
            response.StatusCode = (int)status;
            response.ContentType = "application/x-amz-json-1.1";
            response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes);
        }
    }

    private async Task<(HttpStatusCode, JsonObject)> AnswerAsync(HttpListenerRequest request)
    {
        if (request.HttpMethod != "POST" || request.Headers["X-Amz-Target"] != "AmazonSSM.GetParameter")
        {
            return Error("UnknownOperationException", $"Unsupported: {request.HttpMethod} {request.Headers["X-Amz-Target"]}");
        }

        // Authorization: AWS4-HMAC-SHA256 Credential=AKID/20300101/us-east-1/ssm/aws4_request, SignedHeaders=..., Signature=...
        var scope = request.Headers["Authorization"]?.Split("Credential=", 2) is [_, var credential] ? credential.Split(',')[0].Split('/') : [];
        if (scope.Length < 5 || scope[3] != "ssm")
        {
            return Error("MissingAuthenticationTokenException", "Request is missing Authentication Token");
        }

        if (scope[2] != Region)
        {
            return Error("InvalidSignatureException", $"Credential should be scoped to a valid region, not '{scope[2]}'. ");
        }

        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        var input = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
        var name = (string)input["Name"]!;
        var withDecryption = input["WithDecryption"]?.GetValue<bool>() ?? false;
        lock (_requests)
        {
            _requests.Add((name, withDecryption));
        }

        if (_denied.Contains(name))
        {
            return Error("AccessDeniedException", $"User: arn:aws:iam::123456789012:user/etl is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:{Region}:123456789012:parameter{name} because no identity-based policy allows the ssm:GetParameter action");
        }

        if (!_parameters.TryGetValue(name, out var parameter))
        {
            return Error("ParameterNotFound", string.Empty);
        }

        var value = parameter.Type == "SecureString" && !withDecryption
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes("kms-ciphertext:" + parameter.Value))
            : parameter.Value;
        return (HttpStatusCode.OK, new JsonObject
        {
            ["Parameter"] = new JsonObject
            {
                ["ARN"] = $"arn:aws:ssm:{Region}:123456789012:parameter{name}",
                ["DataType"] = "text",
                ["LastModifiedDate"] = 1.7e9,
                ["Name"] = name,
                ["Type"] = parameter.Type,
                ["Value"] = value,
                ["Version"] = 1,
            },
        });
    }

    private static (HttpStatusCode, JsonObject) Error(string type, string message) =>
        (HttpStatusCode.BadRequest, new JsonObject { ["__type"] = type, ["message"] = message });
}
