using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Cluster;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

// One image, N identical replicas on one PostgreSQL database: every replica is a worker of Quartz's cluster. All
// configuration comes from the environment (Flows__Store__ConnectionString, Flows__Orchestration__MaxConcurrentRuns,
// ASPNETCORE_HTTP_PORTS, ...); nothing differs between replicas. See docs/deploying.md.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders().AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss ";
});
builder.Logging.AddFilter("Quartz", LogLevel.Warning).AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

builder.Services.AddFlowsPostgreSqlStore();
builder.Services.AddFlows().AddOrchestration(Deployments.Declare);
builder.Services.AddHealthChecks().AddFlowsOrchestration(tags: ["ready"]);
builder.Services.AddFlowsDashboard(o => o.Title = "Cluster");

var app = builder.Build();
// Liveness: the process answers (no check runs, so a database outage does not get every replica restarted).
app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false });
// Readiness and alerting: the scheduler runs and both stores answer; Degraded (signals reconnecting, a queue with
// overdue work) still answers 200, so a replica is not taken out of rotation for what it cannot fix.
app.MapHealthChecks("/healthz/ready", new HealthCheckOptions
{
    Predicate = check => check.Tags.Contains("ready"),
    ResultStatusCodes = { [HealthStatus.Degraded] = StatusCodes.Status200OK },
});
// The run dashboard, read-only: its endpoints carry no authorization. Behind your sign-in, add
// .RequireAuthorization("operators") and it can cancel, retry, pause and run too (docs/dashboard.md).
app.MapFlowsDashboard("/flows");
await app.RunAsync();
