namespace Flows.Cli;

/// <summary>
/// Bad input found by a verb (an unknown run id, a parameter that does not bind, a store that cannot be reached): the
/// command line prints the message alone, naming what was wrong and where, and exits with <see cref="ExitCodes.BadInput"/>.
/// </summary>
internal sealed class CommandLineException(string message) : Exception(message);
