// A polyfill must have the namespace the compiler looks for, not the folder's: a documented exception to IDE0130.
#pragma warning disable IDE0130
namespace System.Runtime.CompilerServices;
#pragma warning restore IDE0130

// netstandard2.0 lacks this marker; the compiler needs it for records and init accessors.
internal static class IsExternalInit
{
}
