/** Opaque pagination cursors for the audit query: base64url JSON of the last sequence returned. */
import { ProblemError } from '../../platform/http/app.ts';

export function encodeCursor(lastSequence: number): string {
  return Buffer.from(JSON.stringify({ after: lastSequence })).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Number.isSafeInteger(parsed?.after) && parsed.after >= 0) return parsed.after;
  } catch {
    // fall through to the problem below
  }
  throw new ProblemError(400, 'Invalid Request', 'cursor is not one this server issued', { errors: [{ path: 'cursor', message: 'invalid cursor' }] });
}
