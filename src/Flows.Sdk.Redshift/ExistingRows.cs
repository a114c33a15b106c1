namespace Flows.Redshift;

/// <summary>What a load does with a table that already exists, as Civis's <c>existing_table_rows</c>.</summary>
public enum ExistingRows
{
    /// <summary>Refuse to load into an existing table.</summary>
    Fail,

    /// <summary>Delete every row, then load (in one transaction, so readers never see it empty).</summary>
    Truncate,

    /// <summary>Add the rows to what is there.</summary>
    Append,

    /// <summary>Drop the table and create it again from the row type.</summary>
    Drop,

    /// <summary>Replace rows whose keys match and add the others, through a staging table in one transaction.</summary>
    Upsert,
}
