/**
 * Secrets of the channels: webhook URLs (Slack's carry their token in the path), bearer tokens and
 * HMAC keys. Given inline or as a file (a mounted Secret, read at each delivery so a rotation
 * needs no restart). Nothing that leaves this module for a log, an Event or the status may show
 * one: `redact` removes known secrets and the path and query of every URL.
 */
import { readFile, stat } from 'node:fs/promises';
import { DeliveryError } from './delivery-error.ts';

const MAX_SECRET_FILE_BYTES = 16 * 1024;

/** The trimmed content of a secret file; a missing file is transient (the Secret may not be mounted yet). */
export async function readSecretFile(path: string, what: string): Promise<string> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new DeliveryError('permanent', `${what} file ${path} is not a regular file`);
    if (st.size > MAX_SECRET_FILE_BYTES) throw new DeliveryError('permanent', `${what} file ${path} is larger than ${MAX_SECRET_FILE_BYTES} bytes`);
    const text = (await readFile(path, 'utf8')).trim();
    if (!text) throw new DeliveryError('transient', `${what} file ${path} is empty`);
    return text;
  } catch (err) {
    if (err instanceof DeliveryError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new DeliveryError('transient', `cannot read the ${what} file ${path} (${code})`);
  }
}

/** The inline value, else the file's content. */
export async function secretValue(inline: string | undefined, file: string | undefined, what: string): Promise<string | undefined> {
  if (inline !== undefined) return inline;
  return file === undefined ? undefined : readSecretFile(file, what);
}

const URL_PATTERN = /\b(https?:\/\/[^/\s?#"']+)[^\s"']*/gi;

/** `text` with every known secret and the path/query of every URL replaced by `[REDACTED]`. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[REDACTED]');
  return out.replace(URL_PATTERN, (whole, origin: string) => (whole.length > origin.length ? `${origin}/[REDACTED]` : whole));
}

/** The parts of a URL that may carry a token (the whole, and its path and query): for `redact`. */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const tail = `${u.pathname}${u.search}`;
    return tail.length > 1 ? [url, tail, u.pathname.length > 1 ? u.pathname : ''] : [url];
  } catch {
    return [url];
  }
}

/** Where a URL points, safe to show: scheme, host and port. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
