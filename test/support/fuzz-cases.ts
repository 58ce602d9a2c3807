import fc from 'fast-check';
import type { z } from 'zod';
import type { RouteEntry } from '../../server/src/app';

/**
 * Invalid input for any route, generated from its schema (params, querystring, body), so a
 * new route is fuzzed without a line here. A case is `invalid` when the route's own schema
 * rejects it (or it is not JSON, too big, of a type the API does not take): the answer must
 * be a 4xx with a message. A `junk` case is input the route ignores (an unknown query
 * parameter, a body on a route that takes none): any answer but a 5xx.
 */
export interface FuzzCase {
  kind: 'params' | 'query' | 'body' | 'json' | 'content-type' | 'size' | 'unicode' | 'junk';
  invalid: boolean;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

/** A valid id no row has: a request that passes validation finds nothing. */
export const ABSENT_ID = '2147483000';
const SEED = 20261123;

type AnyZod = z.ZodType & { _zod: { def: Record<string, unknown> } };

/** The object shape under optional/nullable/default/pipe wrappers, if any. */
function shapeOf(schema: unknown): Record<string, AnyZod> | undefined {
  let s = schema as AnyZod | undefined;
  for (let i = 0; s && i < 10; i++) {
    const def = s._zod.def;
    if (def.type === 'object') return def.shape as Record<string, AnyZod>;
    s = (def.innerType ?? def.in ?? def.schema) as AnyZod | undefined;
  }
  return undefined;
}

const isZod = (s: unknown): s is AnyZod =>
  typeof s === 'object' && s !== null && '_zod' in s && 'safeParse' in s;

const valid = (schema: AnyZod, value: unknown) => schema.safeParse(value).success;

/** Strings that break parsers, normalisers and databases. */
export const UNICODE_EDGES = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  '\u202e\u0031',
  '\u200b',
  '\ufeff',
  'e\u0301',
  '💥'.repeat(50),
  '𝟙𝟚𝟛',
  '١٢٣',
  '１２３',
  'ǅ',
  "'; drop table units; --",
  '${7*7}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'x'.repeat(10_000),
];

/** Ids and numbers around every edge of Postgres' integer and JavaScript's number. */
export const BAD_IDS = [
  '0',
  '-1',
  '-0',
  '1.5',
  '1e3',
  '1e309',
  '0x1F',
  '0b1',
  '2147483648',
  '9007199254740993',
  '99999999999999999999999999',
  'NaN',
  'Infinity',
  '-Infinity',
  'abc',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '1,2',
  '1;select 1',
  ...UNICODE_EDGES.slice(0, 15),
];

const WRONG_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  -0.5,
  1.5,
  2147483648,
  -2147483649,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  'x',
  '1',
  [],
  [1],
  {},
  { nested: { deeper: [] } },
  ...UNICODE_EDGES.slice(1, 12),
];

const MALFORMED_JSON = [
  '{',
  '}',
  '{"version":',
  '{"version":1,}',
  "{'version':1}",
  '{version:1}',
  '[',
  'nul',
  'tru',
  '"unterminated',
  '{"a":1}{"b":2}',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":0x10}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  ' ',
  '\u0000',
];

const deep = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

const sample = <T>(arb: fc.Arbitrary<T>, n: number, offset: number) =>
  fc.sample(arb, { numRuns: n, seed: SEED + offset });

/** encodeURIComponent, with lone surrogates (which it refuses) sent as U+FFFD. */
const encode = (v: string) =>
  encodeURIComponent(
    v.replace(/[\ud800-\udfff]/g, (c, i: number, all: string) => {
      const code = c.charCodeAt(0);
      const pair =
        code < 0xdc00
          ? /[\udc00-\udfff]/.test(all[i + 1] ?? '')
          : /[\ud800-\udbff]/.test(all[i - 1] ?? '');
      return pair ? c : '\ufffd';
    }),
  );

function fillUrl(template: string, params: Record<string, string>, encoded = true): string {
  return template.replace(/:(\w+)/g, (_m, key: string) =>
    encoded ? encode(params[key] ?? ABSENT_ID) : (params[key] ?? ABSENT_ID),
  );
}

/** Every case for one route; `headers` carries the session cookie to send. */
export function casesFor(route: RouteEntry, headers: Record<string, string>): FuzzCase[] {
  const out: FuzzCase[] = [];
  const method = route.method;
  const paramNames = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const baseParams = Object.fromEntries(paramNames.map((p) => [p, ABSENT_ID]));
  const baseUrl = fillUrl(route.url, baseParams);
  const schema = route.schema ?? {};
  const hasBody = isZod(schema.body);
  const takesBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method);
  const json = { ...headers, 'content-type': 'application/json' };
  const add = (c: Omit<FuzzCase, 'method' | 'headers'> & { headers?: Record<string, string> }) =>
    out.push({ method, headers: headers, ...c });
  // A route without a body schema answers a body it ignores; the case checks only "no 5xx".
  const bodyCase = (kind: FuzzCase['kind'], payload: string | Buffer, invalid = hasBody) =>
    add({ kind, invalid, url: baseUrl, headers: json, payload });

  // Path parameters: every bad id the params schema rejects, encoded, and raw broken escapes.
  if (paramNames.length > 0) {
    const paramsSchema = isZod(schema.params) ? schema.params : undefined;
    const generated = sample(
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.string({ unit: 'grapheme', maxLength: 10 }),
        fc.double().map(String),
        fc.bigInt().map(String),
        fc.integer({ max: 0 }).map(String),
      ),
      40,
      1,
    );
    for (const name of paramNames) {
      for (const bad of [...BAD_IDS, ...generated, '9'.repeat(2000)]) {
        const params = { ...baseParams, [name]: bad };
        if (paramsSchema && valid(paramsSchema, params)) continue;
        if (bad === '') continue; // an empty segment is another route, not a bad id
        add({ kind: 'params', invalid: true, url: fillUrl(route.url, params) });
      }
      for (const raw of ['%', '%zz', '%E0%A4%A', '%C0%AF', '%FF']) {
        add({
          kind: 'params',
          invalid: true,
          url: fillUrl(route.url, { ...baseParams, [name]: raw }, false),
        });
      }
    }
  }

  // Query parameters: values the querystring schema rejects, repeated keys, a huge value.
  const query = shapeOf(schema.querystring);
  if (query && isZod(schema.querystring)) {
    const qs = schema.querystring;
    const generated = sample(fc.string({ maxLength: 20 }), 20, 2);
    for (const key of Object.keys(query)) {
      for (const bad of [...BAD_IDS, ...generated, 'x'.repeat(20_000)]) {
        if (valid(qs, { [key]: bad })) continue;
        const search = new URLSearchParams({ [key]: bad }).toString();
        add({ kind: 'query', invalid: true, url: `${baseUrl}?${search}` });
      }
      add({
        kind: 'query',
        invalid: !valid(qs, { [key]: ['1', '2'] }),
        url: `${baseUrl}?${key}=1&${key}=2`,
      });
    }
  }
  // Unknown query parameters are ignored, not refused: junk, with values that must not hurt.
  for (const v of UNICODE_EDGES.slice(0, 12)) {
    add({ kind: 'junk', invalid: false, url: `${baseUrl}?${new URLSearchParams({ zz: v })}` });
  }

  if (!takesBody) return out;

  // Bodies the body schema rejects: generated JSON, each field with a wrong value, a field
  // missing, an unknown field; and whatever is not JSON at all.
  if (hasBody) {
    const body = schema.body as AnyZod;
    const shape = shapeOf(body) ?? {};
    const fields = Object.keys(shape);
    const candidates: unknown[] = [
      ...sample(fc.jsonValue({ maxDepth: 3 }), 40, 3),
      ...sample(fc.object({ maxDepth: 2 }), 20, 4),
      {},
      [],
      'body',
      42,
      true,
    ];
    const full = Object.fromEntries(fields.map((f) => [f, 1]));
    for (const f of fields) {
      for (const w of WRONG_VALUES) candidates.push({ ...full, [f]: w });
      const { [f]: _missing, ...rest } = full;
      candidates.push(rest);
    }
    candidates.push({ ...full, unknownField: 1 }, { ...full, ['x'.repeat(1000)]: 1 });
    for (const c of candidates) {
      if (valid(body, c)) continue;
      bodyCase('body', JSON.stringify(c));
    }
    for (const u of UNICODE_EDGES) {
      const c = Object.fromEntries(fields.map((f) => [f, u]));
      if (!valid(body, c)) bodyCase('unicode', JSON.stringify(c));
    }
    // Invalid UTF-8 in the middle of a JSON document.
    bodyCase(
      'unicode',
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x22, 0x7d]),
    );
  }
  for (const m of MALFORMED_JSON) bodyCase('json', m, true);
  // Parseable oddities: refused by a body schema, ignored by a route without one.
  for (const m of ['\ufeff{"a":1}', '{"a":1e99999}', '{"a":-0}']) bodyCase('json', m);
  // Deep JSON: refused by a body schema, ignored (but parsed without harm) by other routes.
  for (const d of [100, 1000, 10_000]) {
    bodyCase('json', deep(d));
    bodyCase('json', deepArray(d));
  }
  // Just under the body limit (64 KiB) but invalid; over it (413); far over it.
  bodyCase('size', JSON.stringify({ x: 'a'.repeat(60_000) }));
  bodyCase('size', JSON.stringify({ x: 'a'.repeat(70_000) }), true);
  bodyCase('size', JSON.stringify({ x: 'a'.repeat(2_000_000) }), true);
  // Content types the API does not take (or takes as a string where an object is expected).
  for (const [type, payload] of [
    ['text/plain', '{"version":1}'],
    ['application/x-www-form-urlencoded', 'version=1&status=free'],
    [
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
    ],
    ['application/xml', '<version>1</version>'],
    ['application/json; charset=utf-16', '{"version":1}'],
    ['image/png', '\x89PNG'],
    ['', '{"version":1}'],
  ] as const) {
    add({
      kind: 'content-type',
      invalid: hasBody,
      url: baseUrl,
      headers: { ...headers, 'content-type': type },
      payload,
    });
  }
  return out;
}
