/** The investigator's tools (investigation.md §4, §9); see README.md. */
export { ALL_TOOLS, TOOL_NAMES, createToolset } from './toolset.ts';
export { createToolsetFrom, DEFAULT_CALL_TIMEOUT_MS, type ToolsetOptions } from './runner.ts';
export { MAX_RESULT_CHARS } from './envelope.ts';
export { detectLabels } from './context/detected-labels.ts';
export { contextQuery } from './catalog/discovery.ts';
export * from './types.ts';
