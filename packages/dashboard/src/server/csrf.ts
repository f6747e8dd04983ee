import { randomBytes, timingSafeEqual } from 'node:crypto';

/** The header an action POST carries its CSRF token in. */
export const CSRF_HEADER = 'x-dashboard-csrf';

/** A random per-dashboard token, embedded in the page and required on every action POST. */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares a presented token with the dashboard's in constant time; a missing one fails. */
export function csrfMatches(expected: string, presented: string | null | undefined): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
