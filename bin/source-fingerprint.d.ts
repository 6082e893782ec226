export const STAMP_FILE: string;
export function sourceFingerprint(srcDir: string): string;
export function distIsFresh(srcDir: string, distDir: string): boolean;
