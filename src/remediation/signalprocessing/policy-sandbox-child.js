/**
 * The child process in which SignalProcessing evaluates its CEL policies (see policy-sandbox.ts).
 * Plain JavaScript on purpose: it runs as-is both from the sources (tests, tsx) and from dist/ (the
 * build copies it), without a TypeScript loader.
 *
 * first message: { init: { variables: {policy: {name: celType}}, options } }   answer: { ready: true }
 * request:       { id, policy, text, vars }
 * answer:        { id, ok: true, value } | { id, ok: false, error }
 */
import { Environment } from '@marcbachmann/cel-js';

// The controller went away (even killed): nobody will ever ask again.
process.on('disconnect', () => process.exit(0));

const environments = new Map();
/** Parsed programs by policy and text; a handful of texts are ever in use, the cap only guards. */
const programs = new Map();
const MAX_PROGRAMS = 64;

function init({ variables, options }) {
  for (const [policy, declared] of Object.entries(variables)) {
    let env = new Environment(options);
    for (const [name, type] of Object.entries(declared)) env = env.registerVariable(name, type);
    environments.set(policy, env);
  }
}

function program(policy, text) {
  const key = `${policy}\u0000${text}`;
  let p = programs.get(key);
  if (!p) {
    const env = environments.get(policy);
    if (!env) throw new Error(`unknown policy ${policy}`);
    p = env.parse(text);
    if (programs.size >= MAX_PROGRAMS) programs.clear();
    programs.set(key, p);
  }
  return p;
}

/** A CEL value as plain data (maps as objects, ints as numbers). */
function plain(v) {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (v instanceof Date) return v.toISOString();
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  throw new Error(`the result contains a value of an unsupported type (${v?.constructor?.name ?? typeof v})`);
}

process.on('message', (req) => {
  if (req.init) {
    init(req.init);
    process.send({ ready: true });
    return;
  }
  try {
    const value = plain(program(req.policy, req.text)(req.vars));
    process.send({ id: req.id, ok: true, value });
  } catch (err) {
    // cel-js messages carry a caret diagram of the expression after the first line.
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    process.send({ id: req.id, ok: false, error: message });
  }
});
