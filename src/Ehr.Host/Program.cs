using System.CommandLine;
using Ehr.Host.Cli;

// `Ehr.Host <verb>`: serve (the default), up, worker, migrate, tenants, token, audit. `./ehr` runs these.
// Ctrl-C and SIGTERM are left to the host's own lifetime, which drains requests and stops the job server cleanly.
return await Commands.Build()
    .Parse(args.Length == 0 ? ["serve"] : args)
    .InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
