using Ehr.Host.Cli;

// `Ehr.Host <verb>`: serve (the default), up, worker, migrate, tenants, token, audit. `./ehr` runs these.
return await Commands.Build().Parse(args.Length == 0 ? ["serve"] : args).InvokeAsync();
