/** Structured logging for every component (pino); one root logger, children per component. */
import { pino, type Logger } from 'pino';

export type { Logger };

const level = process.env.KUBERNAUT_LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info');

export const rootLogger: Logger = pino({ level, base: undefined });

export function componentLogger(component: string): Logger {
  return rootLogger.child({ component });
}
