using Microsoft.Extensions.Options;

namespace Flows.Orchestration.Hosting;

/// <summary>
/// Checks <see cref="OrchestrationOptions"/> when they are first read (at the latest when the host starts): each
/// problem names its configuration key, what was expected and what it is.
/// </summary>
internal sealed class OrchestrationOptionsValidation : IValidateOptions<OrchestrationOptions>
{
    /// <summary>Quartz's scheduler-name column holds 120 characters.</summary>
    public const int MaxSchedulerNameLength = 120;

    private static readonly TimeSpan MaxGrace = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, OrchestrationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        void Fail(string key, string expected, object? actual) => errors.Add($"Flows:Orchestration:{key}: {expected} was expected; it is {actual ?? "null"}");

        if (options.ShutdownGrace < TimeSpan.Zero || options.ShutdownGrace > MaxGrace)
        {
            Fail("ShutdownGrace", "a time between 0 and 1.00:00:00", options.ShutdownGrace);
        }

        if (options.LateAfter < TimeSpan.Zero)
        {
            Fail("LateAfter", "zero or more", options.LateAfter);
        }

        if (options.MisfireThreshold <= TimeSpan.Zero || options.MisfireThreshold > MaxGrace)
        {
            Fail("MisfireThreshold", "a time more than 0 and at most 1.00:00:00", options.MisfireThreshold);
        }

        if (options.MaxConcurrentRuns < 1)
        {
            Fail("MaxConcurrentRuns", "at least 1", options.MaxConcurrentRuns);
        }

        if (options.Application is { } application && string.IsNullOrWhiteSpace(application))
        {
            Fail("Application", "a non-empty name (or no setting, for the host's application name)", $"'{application}'");
        }

        if (options.SchedulerName is { } scheduler && (string.IsNullOrWhiteSpace(scheduler) || scheduler.Length > MaxSchedulerNameLength))
        {
            Fail("SchedulerName", $"a non-empty name of at most {MaxSchedulerNameLength} characters (or no setting, for the application's name)", $"'{scheduler}'");
        }

        if (string.IsNullOrEmpty(options.JobStore.TablePrefix) || !options.JobStore.TablePrefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            Fail("JobStore:TablePrefix", "letters, digits and underscores (such as qrtz_)", $"'{options.JobStore.TablePrefix}'");
        }

        if (options.JobStore.Path is { } path && string.IsNullOrWhiteSpace(path))
        {
            Fail("JobStore:Path", "a file path (or no setting, for quartz.db beside the run store)", $"'{path}'");
        }

        CheckQueues(options.Queues, "Queues", errors);
        CheckQueues(options.RefusedQueues, "RefusedQueues", errors);
        if (options.Queues.Count > 0 && options.RefusedQueues.Count > 0)
        {
            errors.Add("Flows:Orchestration:RefusedQueues: the queues to serve (Queues) or the queues to refuse (RefusedQueues) were expected, not both");
        }

        foreach (var (queue, max) in options.QueueLimits)
        {
            if (Queueing.QueueNames.Problem(queue) is { } problem)
            {
                errors.Add($"Flows:Orchestration:QueueLimits:{queue}: {problem}");
            }
            else if (max < 0)
            {
                Fail($"QueueLimits:{queue}", "a number of runs at once, 0 or more (0 holds the queue)", max);
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckQueues(IList<string> queues, string key, List<string> errors)
    {
        for (var i = 0; i < queues.Count; i++)
        {
            if (Queueing.QueueNames.Problem(queues[i]) is { } problem)
            {
                errors.Add($"Flows:Orchestration:{key}:{i}: {problem}");
            }
        }
    }
}
