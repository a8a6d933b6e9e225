/** RFC 3339 in UTC, to the second (SPEC §2: `2026-04-20T10:15:30Z`). */
export function rfc3339(date: Date): string {
  const iso = date.toISOString();
  // `YYYY-MM-DDTHH:mm:ss.sssZ` (years 0–9999): drop the milliseconds without a regular expression,
  // this runs twice per status read. Other years have a sign and six digits: same rule, by regex.
  return iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace(/\.\d{3}Z$/, 'Z');
}

/** SPEC-MESSAGING §8 and §11: retries wait 1 s, doubling up to 60 s between tries. */
export function backoffMs(attempt: number): number {
  return Math.min(1_000 * 2 ** Math.min(attempt, 6), 60_000);
}
