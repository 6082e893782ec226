/**
 * The page: the HTML shell on every page route, and the bundle (app.js, app.css, ...) under
 * `/assets/`, read from the folder `npm run build` writes (dist/console/web/assets of this checkout,
 * the same relative path from src/ and dist/). Only plain file names of known types are served,
 * resolved inside that folder (no path traversal); each with an ETag and `no-cache`, so a rebuilt
 * bundle is picked up at once and an unchanged one costs a 304. Without a built bundle the
 * page answers 503 and says how to build it.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ProblemError } from '../../platform/http/app.ts';
import { INDEX_HTML, PAGE_ROUTES } from './index-html.ts';

export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../../dist/console/web/assets', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file name of the bundle: letters, digits, `-`, `_`, `.`; one level of subfolder at most; no dot files. */
const ASSET_NAME = /^(?:[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}\/)?[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/;
/** The bundle files are small; anything bigger than this is not ours to serve. */
const MAX_ASSET_BYTES = 16 * 1024 * 1024;

const NOT_BUILT = 'console assets are not built: run npm run build';

interface Cached {
  mtimeMs: number;
  size: number;
  body: Buffer;
  etag: string;
}

export function registerStaticRoutes(app: FastifyInstance, assetsDir = DEFAULT_ASSETS_DIR): void {
  const root = resolve(assetsDir);
  const cache = new Map<string, Cached>();
  const built = () => existsSync(join(root, 'app.js'));
  const indexEtag = `"${createHash('sha256').update(INDEX_HTML).digest('hex').slice(0, 32)}"`;

  const notModified = (ifNoneMatch: string | undefined, etag: string) => !!ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);

  const sendIndex = async (req: { headers: Record<string, string | string[] | undefined> }, reply: FastifyReply) => {
    if (!built()) throw new ProblemError(503, 'Service Unavailable', NOT_BUILT);
    reply.header('cache-control', 'no-cache').header('etag', indexEtag);
    if (notModified(req.headers['if-none-match'] as string | undefined, indexEtag)) return reply.code(304).send();
    return reply.type('text/html; charset=utf-8').send(INDEX_HTML);
  };
  for (const route of PAGE_ROUTES) app.get(route, (req, reply) => sendIndex(req, reply));

  app.get<{ Params: { '*': string } }>('/assets/*', async (req, reply) => {
    const name = req.params['*'] ?? '';
    const type = CONTENT_TYPES[extname(name).toLowerCase()];
    const notFound = () => new ProblemError(404, 'Not Found', `no console asset ${JSON.stringify(name.slice(0, 100))}`);
    if (!ASSET_NAME.test(name) || name.split('/').some((part) => part === '..' || part === '.') || !type) throw notFound();
    const path = resolve(root, name);
    if (!path.startsWith(root + sep)) throw notFound();
    if (!built()) throw new ProblemError(503, 'Service Unavailable', NOT_BUILT);
    let info;
    try {
      info = await stat(path);
    } catch {
      throw notFound();
    }
    if (!info.isFile() || info.size > MAX_ASSET_BYTES) throw notFound();
    let file = cache.get(path);
    if (!file || file.mtimeMs !== info.mtimeMs || file.size !== info.size) {
      const body = await readFile(path);
      file = { mtimeMs: info.mtimeMs, size: info.size, body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
      cache.set(path, file);
    }
    reply.header('cache-control', 'no-cache').header('etag', file.etag);
    if (notModified(req.headers['if-none-match'], file.etag)) return reply.code(304).send();
    return reply.type(type).send(file.body);
  });
}
