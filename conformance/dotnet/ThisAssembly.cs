// What plivo-dotnet's build tool (Nerdbank.GitVersioning) generates from its version.json; the
// SDK reads it for its User-Agent. Compiled with the SDK's sources (see tests/conformance.py).
internal static partial class ThisAssembly
{
    internal const string AssemblyVersion = "5.53.0";
    internal const string AssemblyFileVersion = "5.53.0";
    internal const string AssemblyInformationalVersion = "5.53.0";
}
