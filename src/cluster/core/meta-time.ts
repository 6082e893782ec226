/** metav1.Time: RFC 3339 with second precision, as the API machinery serializes it. */
export function metaTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
