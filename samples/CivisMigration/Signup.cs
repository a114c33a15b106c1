using System.ComponentModel.DataAnnotations.Schema;

namespace CivisMigration;

/// <summary>One signup as the API returns it and as raw_signups stores it.</summary>
public sealed record Signup(
    long Id,
    string Email,
    string? Source,
    [property: Column("signed_up_at")] DateTime SignedUpAt,
    bool Verified);

/// <summary>One page of the API's answer.</summary>
public sealed record SignupPage(IReadOnlyList<Signup> Data, int? NextPage);

/// <summary>A row of the refreshed table, for the report.</summary>
public sealed record DailySignups(DateOnly SignupDate, string Source, int Signups, int Verified);
