// Imported first by eval/run.ts: the services started in-process log errors only, so the progress and the table stand out.
process.env.KUBERNAUT_LOG_LEVEL ??= 'error';
