/**
 * What must never be in a log (issue 12): passwords, session tokens, e-mail addresses and
 * query parameters. Known values (the canaries) are looked for literally; the rest by shape.
 */
const SHAPES: Array<{ kind: string; pattern: RegExp }> = [
  {
    kind: 'e-mail address',
    pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/,
  },
  { kind: 'session cookie', pattern: /oa_session=/ },
  { kind: 'cookie header', pattern: /"(cookie|set-cookie)":\s*"(?!\[redacted\])/i },
  { kind: 'authorization header', pattern: /"authorization":\s*"(?!\[redacted\])/i },
  { kind: 'password field', pattern: /"password":\s*"(?!\[redacted\])/i },
  { kind: 'query string', pattern: /"(url|path|route)":\s*"[^"]*\?/ },
];

export interface Finding {
  kind: string;
  excerpt: string;
}

export function findSecrets(
  text: string,
  secrets: Array<{ kind: string; value: string }>,
): Finding[] {
  const found: Finding[] = [];
  const excerpt = (at: number) => text.slice(Math.max(0, at - 80), at + 80).replace(/\n/g, ' ');
  for (const { kind, value } of secrets) {
    if (value.length < 6) continue;
    const at = text.indexOf(value);
    if (at >= 0) found.push({ kind, excerpt: excerpt(at) });
  }
  for (const { kind, pattern } of SHAPES) {
    const m = pattern.exec(text);
    if (m) found.push({ kind, excerpt: excerpt(m.index) });
  }
  return found;
}
