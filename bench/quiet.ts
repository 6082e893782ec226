// Imported first by bench/run.ts: services started in-process log warnings only, so the figures stand out.
process.env.KUBERNAUT_LOG_LEVEL ??= 'warn';
