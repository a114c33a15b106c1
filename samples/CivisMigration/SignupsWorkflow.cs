using System.Net.Http.Json;
using Flows;
using Flows.Redshift;
using Flows.Runs;
using Microsoft.Extensions.Logging;

namespace CivisMigration;

/// <summary>
/// The Civis workflow "Daily signups", migrated: its container script (pull the API, load raw_signups) and its SQL
/// script (refresh daily_signups) are tasks of one flow; the workflow's on-success / on-error notifications are
/// the flow's hooks. Each step keeps its retries and its log lines with the run.
/// </summary>
public sealed class SignupsWorkflow(RedshiftDatabase warehouse, HttpClient signupApi, string sqlFolder)
{
    /// <summary>The container script's pull: every page of the API, the whole pull again if a page fails.</summary>
    [Task("pull-signups", Retries = 3, RetryDelaySeconds = 0.2, Backoff = Backoff.Exponential, RetryOn = [typeof(HttpRequestException)])]
    public async Task<IReadOnlyList<Signup>> PullSignups(DateOnly since, CancellationToken cancellationToken)
    {
        var signups = new List<Signup>();
        for (int? page = 1; page is not null;)
        {
            var answer = await signupApi.GetFromJsonAsync<SignupPage>($"v1/signups?page={page}", SignupApiStub.JsonOptions, cancellationToken)
                ?? throw new InvalidOperationException($"The signup API answered page {page} with nothing.");
            signups.AddRange(answer.Data.Where(s => DateOnly.FromDateTime(s.SignedUpAt) >= since));
            page = answer.NextPage;
        }

        Flow.Logger.LogInformation("Pulled {Count} signups since {Since:yyyy-MM-dd}", signups.Count, since);
        return signups;
    }

    /// <summary>The container script's load (it used civis.io.dataframe_to_civis with existing_table_rows="upsert").</summary>
    [Task("load-raw-signups", Retries = 2, RetryOn = [typeof(RedshiftTransientException)])]
    public Task<int> LoadRawSignups(IReadOnlyList<Signup> signups, string schema) =>
        warehouse.LoadAsync(signups, new TableName(schema, "raw_signups"), new LoadOptions
        {
            ExistingRows = ExistingRows.Upsert,
            Keys = ["Id"],
            DistKey = "Id",
            SortKeys = ["signed_up_at"],
        });

    /// <summary>The SQL script, unchanged, with the parameters Civis used to fill in.</summary>
    [Task("refresh-daily-signups", Retries = 2, RetryOn = [typeof(RedshiftTransientException)])]
    public Task<SqlFileResult> RefreshDailySignups(string schema, DateOnly since, DateTime refreshedAt) =>
        warehouse.RunSqlFileAsync(Path.Combine(sqlFolder, "refresh_daily_signups.sql"), new Dictionary<string, object?>
        {
            ["schema"] = new SqlIdentifier(schema),
            ["since"] = since,
            ["refreshed_at"] = refreshedAt,
        });

    [Task("report-daily-signups")]
    public async Task<IReadOnlyList<DailySignups>> Report(string schema, DateOnly since)
    {
        var rows = await warehouse.QueryAsync<DailySignups>(
            $"SELECT signup_date AS SignupDate, source, signups, verified FROM {new TableName(schema, "daily_signups").ToSql()} WHERE signup_date >= @since ORDER BY 1, 2",
            new { since });
        Flow.Logger.LogInformation("daily_signups now has {Rows} rows since {Since:yyyy-MM-dd}, {Signups} signups in all", rows.Count, since, rows.Sum(r => r.Signups));
        return rows;
    }

    /// <summary>The whole workflow, as one flow run.</summary>
    [Flow("daily-signups", OnCompletion = nameof(NotifySuccess), OnFailure = nameof(NotifyFailure))]
    public async Task<IReadOnlyList<DailySignups>> Run(string schema, DateOnly since, DateTime refreshedAt)
    {
        var signups = await PullSignups(since, default);
        await LoadRawSignups(signups, schema);
        await RefreshDailySignups(schema, since, refreshedAt);
        return await Report(schema, since);
    }

    // Civis workflows e-mail on success and on error; here the hooks log, where a team would post to chat.
    internal static void NotifySuccess(RunRecord run) =>
        Flow.Logger.LogInformation("daily-signups succeeded (run {RunId})", run.Id);

    internal static void NotifyFailure(RunRecord run) =>
        Flow.Logger.LogError("daily-signups failed (run {RunId}): {Error}", run.Id, run.Error);
}
