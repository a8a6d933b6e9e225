/** RFC 3339 in UTC, to the second (SPEC §2: `2026-04-20T10:15:30Z`). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
