/**
 * Structured logging for every component (pino); one root logger, children per component.
 * Lines go to stdout unless the command line sends them to a file (`kubernaut up` does, so its
 * human progress lines are not buried in JSON); the sink can change after loggers exist.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';

export type { Logger };

const level = process.env.KUBERNAUT_LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info');

interface Sink {
  write(line: string): unknown;
}

let sink: Sink = process.stdout;

export const rootLogger: Logger = pino({ level, base: undefined }, { write: (line: string) => sink.write(line) });

export function componentLogger(component: string): Logger {
  return rootLogger.child({ component });
}

const WARN = 40;

/**
 * Sends every log line to `file` (appended; written synchronously so nothing is lost on exit) and
 * echoes warnings and errors to stderr as one readable line each, since nobody watches the file.
 */
export function logToFile(file: string, stderr: Sink = process.stderr): void {
  mkdirSync(dirname(file), { recursive: true });
  const out = pino.destination({ dest: file, append: true, sync: true });
  sink = {
    write(line: string) {
      out.write(line);
      const entry = JSON.parse(line) as { level: number; component?: string; msg?: string; err?: unknown };
      if (entry.level >= WARN) stderr.write(humanLine(entry));
    },
  };
}

function humanLine(entry: { level: number; component?: string; msg?: string; err?: unknown }): string {
  const label = pino.levels.labels[entry.level] ?? 'error';
  const where = entry.component ? ` [${entry.component}]` : '';
  const err = entry.err === undefined ? '' : `: ${typeof entry.err === 'string' ? entry.err : ((entry.err as { message?: string }).message ?? JSON.stringify(entry.err))}`;
  return `${label}${where} ${entry.msg ?? ''}${err}\n`;
}
