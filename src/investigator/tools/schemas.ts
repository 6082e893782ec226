/**
 * What the LLM is offered per tool: name, description and the JSON Schema of the arguments,
 * generated from the tool's zod schema and stripped of what costs tokens on every turn without
 * helping the model choose values: `$schema`, the ±2^53 bounds zod gives every integer, string
 * length limits and name patterns. Those are still enforced — the runner validates every call
 * with the full zod schema and says what is wrong — so the model loses nothing but the tokens.
 * Numeric bounds (limit 1-50, tail_lines) and enums stay: they tell the model what to send.
 */
import { z } from 'zod';
import type { JsonSchema, ToolSchema } from '../llm/types.ts';
import type { ToolDefinition } from './types.ts';

export function toolSchema(tool: ToolDefinition): ToolSchema {
  return { name: tool.name, description: tool.description, parameters: argumentsSchema(tool) };
}

export function argumentsSchema(tool: ToolDefinition): JsonSchema {
  const schema = z.toJSONSchema(tool.args, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return compact(schema) as JsonSchema;
}

function compact(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(compact);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$schema' || k === 'minLength' || k === 'maxLength' || k === 'pattern') continue;
    if ((k === 'minimum' || k === 'maximum') && typeof v === 'number' && Math.abs(v) >= Number.MAX_SAFE_INTEGER) continue;
    out[k] = compact(v);
  }
  return out;
}

/** The argument names a tool accepts (its schema's top-level properties). */
export function argumentNames(tool: ToolDefinition): string[] {
  const shape = (tool.args as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}
