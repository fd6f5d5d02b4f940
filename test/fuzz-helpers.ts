// Building blocks for test/fuzz.test.ts: arbitraries built from the OpenAPI document's JSON schemas,
// nasty strings, placeholders for real ids (resolved when the request is sent, so they follow the
// database as the fuzzer creates and deletes things), and the checks every response must pass.
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { PROBLEM_CODES } from '../server/http/problem-codes.js';

// ---------------------------------------------------------------------------------------------------
// Real ids: a placeholder picked when the request is generated, resolved when it is sent.

/**
 * A pool of real values, read from the database when a request is sent:
 *  - a named pool below (`network`, `meeting`, …; `secret` and `admin` are tokens, not rows);
 *  - `tbl:<name>:<column>`: a guess for resources this file does not know (added later): the table
 *    `<name>`, `<name>s`, `<name>es` or `<nam>ies`, its column `<column>` (or one ending in `_<column>`),
 *    else its primary key. A guess that finds no table yields the Pick's fallback.
 */
export type PoolName = string;

const NAMED_POOLS: Record<string, string> = {
  network: 'SELECT slug FROM networks',
  venue: 'SELECT id FROM venues',
  meeting: 'SELECT id FROM meetings',
  track: 'SELECT id FROM tracks',
  themeKey: 'SELECT DISTINCT key FROM themes',
  speaker: 'SELECT id FROM speakers',
  item: 'SELECT id FROM agenda_items',
  releaseNumber: 'SELECT DISTINCT number FROM releases',
  // Aligned pairs: the n-th theme's network and key, for /networks/{slug}/themes/{key}.
  themeOfNetwork: 'SELECT network_slug FROM themes ORDER BY id',
  themeKeyOfNetwork: 'SELECT key FROM themes ORDER BY id',
};

/** "The n-th value of a pool, whatever it holds when the request is sent". */
export class Pick {
  constructor(
    readonly pool: PoolName,
    readonly n: number,
    /** Used when the pool is empty or does not exist; otherwise some real id of any kind. */
    readonly fallback?: string | number,
    /** Send as a JSON number. */
    readonly numeric = false,
  ) {}
  toString(): string {
    return `<${this.pool}#${this.n}>`;
  }
}

export const pick = (pool: PoolName): fc.Arbitrary<Pick> => fc.nat().map((n) => new Pick(pool, n));

interface TableInfo {
  columns: string[];
  pk: string | undefined;
}
const schemaCache = new WeakMap<FastifyInstance, Map<string, TableInfo>>();

function tablesOf(app: FastifyInstance): Map<string, TableInfo> {
  let tables = schemaCache.get(app);
  if (!tables) {
    const client = app.db.$client;
    tables = new Map();
    const names = client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    for (const name of names) {
      const cols = client.pragma(`table_info("${name.replace(/"/g, '""')}")`) as { name: string; pk: number }[];
      tables.set(name, { columns: cols.map((c) => c.name), pk: cols.find((c) => c.pk === 1)?.name ?? (cols.some((c) => c.name === 'id') ? 'id' : undefined) });
    }
    schemaCache.set(app, tables);
  }
  return tables;
}

const preparedCache = new WeakMap<FastifyInstance, Map<string, { all(): unknown[] }>>();

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_').toLowerCase();

/** The real values of the database, read lazily (once per pool per request). */
export class Pools {
  private readonly cache = new Map<string, string[]>();
  constructor(
    private readonly app: FastifyInstance,
    private readonly admin: { id: string; secret: string },
    private readonly secrets: string[],
  ) {}

  private column(sql: string): string[] {
    let statements = preparedCache.get(this.app);
    if (!statements) preparedCache.set(this.app, (statements = new Map()));
    try {
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = this.app.db.$client.prepare(sql).pluck() as { all(): unknown[] }));
      return statement.all().map(String);
    } catch {
      return []; // a table or column that does not exist (yet)
    }
  }

  get(name: PoolName): string[] {
    const cached = this.cache.get(name);
    if (cached) return cached;
    let values: string[];
    if (name === 'admin') values = [this.admin.secret];
    else if (name === 'secret') values = this.secrets;
    // The fuzzer's own admin token is never revoked by the fuzzer (every later request would be 401).
    else if (name === 'token') values = this.column('SELECT id FROM api_tokens').filter((id) => id !== this.admin.id);
    else if (name === 'template') values = (this.app.templates as { key: string }[]).map((tpl) => tpl.key);
    else if (name === 'any') values = ['network', 'venue', 'meeting', 'track', 'speaker', 'item'].flatMap((k) => this.get(k));
    else if (NAMED_POOLS[name]) values = this.column(NAMED_POOLS[name]!);
    else if (name.startsWith('tbl:')) values = this.guess(name);
    else values = [];
    this.cache.set(name, values);
    return values;
  }

  private guess(name: string): string[] {
    const [, base = '', col = ''] = name.split(':');
    const tables = tablesOf(this.app);
    const b = snake(base);
    const table = [b, `${b}s`, `${b}es`, b.replace(/y$/, 'ies')].find((t) => tables.has(t));
    if (!table) return [];
    const info = tables.get(table)!;
    const c = snake(col);
    const column = (c && info.columns.find((x) => x === c)) || (c && info.columns.find((x) => x.endsWith(`_${c}`))) || info.pk;
    if (!column) return [];
    return this.column(`SELECT DISTINCT "${column}" FROM "${table}" LIMIT 1000`);
  }
}

export function resolvePick(p: Pick, pools: Pools): string | number {
  const own = pools.get(p.pool);
  if (own.length > 0) {
    const v = own[p.n % own.length]!;
    return p.numeric && /^-?\d+$/.test(v) ? Number(v) : v;
  }
  if (p.fallback !== undefined) return p.fallback;
  const any = pools.get('any');
  // An empty pool still yields a well-formed (if unknown) id.
  return any.length > 0 ? any[p.n % any.length]! : `missing-${p.pool}`;
}

/** Replaces every Pick in a (JSON-like) value by a real value. */
export function resolveDeep(value: unknown, pools: Pools): unknown {
  if (value instanceof Pick) return resolvePick(value, pools);
  if (Array.isArray(value)) return value.map((v) => resolveDeep(v, pools));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // defineProperty so that a generated "__proto__" key stays an own property.
      Object.defineProperty(out, k, { value: resolveDeep(v, pools), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** Which pool a path parameter draws from: by the path segment before it (`/meetings/{id}` → meeting). */
export function poolForParam(pathTemplate: string, param: string): PoolName {
  const before = pathTemplate.slice(0, pathTemplate.indexOf(`{${param}}`)).replace(/\/$/, '');
  const segment = before.slice(before.lastIndexOf('/') + 1);
  const bySegment: Record<string, PoolName> = {
    networks: 'network',
    venues: 'venue',
    meetings: 'meeting',
    tracks: 'track',
    themes: 'themeKey',
    speakers: 'speaker',
    items: 'item',
    tokens: 'token',
    'agenda-templates': 'template',
    releases: 'releaseNumber',
    'copy-agenda-from': 'meeting',
  };
  // A segment we do not know (a new resource): the table of that name, if there is one.
  return bySegment[segment] ?? (/^[a-z][a-z0-9_-]*$/.test(segment) ? `tbl:${segment}:${param}` : 'any');
}

/** Which pool a body or query field that names another resource draws from, by its name. */
export function poolForField(name: string | undefined): PoolName | undefined {
  if (!name) return undefined;
  if (/venueid$/i.test(name)) return 'venue';
  if (/^track(id)?$/i.test(name)) return 'track';
  if (/^speaker(id|ids)$/i.test(name)) return 'speaker';
  if (/^(themes?|themekeys?)$/i.test(name)) return 'themeKey';
  if (/^(networks?|networkslug)$/i.test(name)) return 'network';
  if (/^template$/i.test(name)) return 'template';
  if (/^(meetingid|otherid)$/i.test(name)) return 'meeting';
  if (/^itemid$/i.test(name)) return 'item';
  if (/^(token|tokenid)$/i.test(name)) return 'token';
  if (/^entityid$/i.test(name)) return 'any';
  return undefined;
}

/**
 * A guessed pool for a field this file does not know: `clusterId` → clusters, `municipalityCodes` →
 * municipalities.code, `cluster` → clusters. Harmless when wrong: a Pick with a fallback.
 */
export function guessedPool(name: string | undefined, bare = false): PoolName | undefined {
  if (!name) return undefined;
  const m = /^([a-z][a-zA-Z]*?)(Id|Ids|Code|Codes|Slug|Key|Keys)?$/.exec(name);
  // Body fields need the suffix (a `title` is no table); query parameters may be bare (`?cluster=`).
  if (!m || !m[1] || m[1] === 'id' || (!m[2] && !bare)) return undefined;
  const col = (m[2] ?? '').replace(/s$/, '').toLowerCase();
  return `tbl:${m[1]}:${col}`;
}

// ---------------------------------------------------------------------------------------------------
// Nasty values.

/** Strings that tend to break things; all are sent percent-encoded in URLs. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '.',
  '..',
  '...',
  '%00',
  '\u0000',
  'æøå',
  'ÆØÅ',
  'Ærø-møde på Fyn',
  'naïve café',
  'İstanbul',
  'ß',
  'ＡＢＣ',
  '😀',
  '👩‍👩‍👧‍👦',
  '\u202eevil',
  '\u200b',
  '\uFEFF',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  'true',
  '-1',
  '0',
  '1',
  '1.5',
  '1e309',
  '-0',
  '0x10',
  '9007199254740993',
  '9'.repeat(40),
  'a'.repeat(40),
  'a'.repeat(41),
  'a'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(100),
  'a'.repeat(101),
  'a'.repeat(200),
  'a'.repeat(201),
  'ø'.repeat(150),
  'x'.repeat(5000),
  "' OR 1=1 --",
  '"; DROP TABLE meetings; --',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '..\\..\\windows',
  '/',
  '?',
  '#',
  '&',
  '=',
  '+',
  ';',
  '\\',
  '${process.exit()}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '\r\nX-Injected: 1',
  '\t',
  'mtg_',
  'ven_',
  'trk_',
  'itm_',
  'kl-konsulentnetvaerk-2019-2020 ',
  'KL-KONSULENTNETVAERK-2019-2020',
  'plenary',
  'released',
  'working',
];

/** Path segments inserted into the URL as they are (not encoded): broken percent-encoding and friends. */
export const RAW_SEGMENTS: readonly string[] = [
  '%',
  '%%',
  '%zz',
  '%0',
  '%00',
  '%2F',
  '%2f..%2f',
  '%5C',
  '%C0%AE',
  '%ff',
  '%E6%F8%E5', // æøå in Latin-1: not UTF-8
  '%F0%9F%98%80',
  '%u0000',
  '%2e%2e',
  ';',
  ':',
  '@',
  '!',
  '..;',
  '*',
  '~',
  '$',
  "'",
  '(x)',
  'a,b',
];

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 150, maxLength: 400 }) },
);

/** Values of the wrong type (or the right type but absurd) for a JSON field. */
export const garbageValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      0,
      -1,
      -0,
      1.5,
      1e308,
      -1e308,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER + 2,
      2 ** 31,
      -(2 ** 31) - 1,
      '',
      ' ',
      '0',
      '1',
      'true',
      'null',
      '2019-02-30',
      '2019-13-01',
      '0000-01-01',
      '9999-12-31',
      '24:00',
      '23:60',
      '-01:00',
      '2019-09-11T10:00:00Z',
      'Europe/Atlantis',
      'UTC',
      'Etc/GMT+14',
      'Pacific/Kiritimati',
      'America/St_Johns',
      'Australia/Lord_Howe',
      'æøå',
      'x'.repeat(10_001),
      [],
      [null],
      [1, 2, 3],
      Array.from({ length: 200 }, (_, i) => `x${i}`),
      {},
      { a: 1 },
    ),
  },
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double().map((d) => (Number.isFinite(d) ? d : 0)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

// ---------------------------------------------------------------------------------------------------
// JSON schema (as in the OpenAPI document) → arbitrary of valid-shaped values.

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

export type Components = Record<string, JsonSchema>;

export function deref(schema: JsonSchema | undefined, components: Components): JsonSchema {
  let s: JsonSchema = schema ?? {};
  for (let i = 0; i < 20 && s.$ref; i++) {
    const name = s.$ref.replace(/^#\/components\/schemas\//, '');
    s = { ...components[name], ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== '$ref')) };
  }
  return s;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

const DATE_RE = String.raw`^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$`;
const TIME_RE = String.raw`^([01]\d|2[0-3]):[0-5]\d$`;

/** Realistic dates (mostly), including DST change days in Europe and impossible-but-matching ones. */
const dateArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.date({ min: new Date('2018-01-01'), max: new Date('2032-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)) },
  { weight: 1, arbitrary: fc.constantFrom('2019-03-31', '2019-10-27', '2024-02-29', '2025-02-29', '2019-02-31', '2019-04-31', '0000-01-01', '9999-12-31', '1970-01-01', '1900-02-29') },
  { weight: 1, arbitrary: fc.stringMatching(new RegExp(DATE_RE)) },
);

const timeArb: fc.Arbitrary<string> = fc.oneof(
  // Mostly inside a typical meeting day (the seed's meetings run 10:00–16:00), so agenda items fit.
  { weight: 14, arbitrary: fc.tuple(fc.integer({ min: 10, max: 15 }), fc.constantFrom(0, 15, 30, 45)).map(([h, m]) => `${pad(h)}:${pad(m)}`) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 7, max: 18 }), fc.constantFrom(0, 15, 30, 45)).map(([h, m]) => `${pad(h)}:${pad(m)}`) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${pad(h)}:${pad(m)}`) },
  { weight: 1, arbitrary: fc.constantFrom('00:00', '23:59', '02:30', '12:00') },
);

const dateTimeArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.constantFrom('2019-09-11T10:00:00+02:00', '2019-09-11T10:00:00.123456789Z', '2099-12-31T23:59:59-23:59', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2000-02-29T00:00:00+00:00') },
);

const emailArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('anna@kl.dk', 'soren@example.dk', 'a.b+c@sub.example.com', "o'neil@example.org", 'x@y.zz') },
  { weight: 4, arbitrary: fc.tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,10}[a-z0-9]$/), fc.constantFrom('kl.dk', 'kommune.dk', 'example.org')).map(([l, d]) => `${l}@${d}`) },
  { weight: 1, arbitrary: fc.constantFrom('søren@example.dk', 'a@b', '@kl.dk', 'a..b@kl.dk') },
  { weight: 1, arbitrary: fc.emailAddress() },
);

const TZ = ['Europe/Copenhagen', 'Europe/London', 'UTC', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Chatham', 'Australia/Lord_Howe', 'Etc/GMT-14', 'Atlantic/Faroe', 'America/Nuuk'];

function plainStringArb(minLength: number, maxLength: number, name: string | undefined): fc.Arbitrary<string> {
  if (name && /timezone/i.test(name)) return fc.constantFrom(...TZ);
  const cap = Math.min(maxLength, 60);
  const words = fc.constantFrom('Netværksmøde', 'Frokost', 'Pause', 'Velkomst', 'Dagtilbud og skole', 'Odense', 'Aarhus', 'Åbningsoplæg', 'KL', 'Peer-sparring');
  const arbs: fc.Arbitrary<string>[] = [
    fc.string({ minLength: Math.min(minLength, cap), maxLength: cap }),
    fc.string({ unit: 'grapheme', minLength: Math.min(minLength, cap), maxLength: cap }),
    words,
    fc.constant('ø'.repeat(Math.max(minLength, Math.min(maxLength, 5000)))),
  ];
  return fc.oneof(...arbs).filter((s) => s.length >= minLength && s.length <= maxLength);
}

/** Generators of structured strings: for a pattern, those whose samples (mostly) match it are used. */
const STRUCTURED: fc.Arbitrary<string>[] = [
  dateArb,
  timeArb,
  dateTimeArb,
  fc.tuple(dateArb, timeArb).map(([d, tm]) => `${d}T${tm}`),
  fc.tuple(dateArb, timeArb).map(([d, tm]) => `${d}T${tm}:00`),
  fc.tuple(dateArb, timeArb).map(([d, tm]) => `${d} ${tm}`),
  emailArb,
];
const structuredFor = new Map<string, fc.Arbitrary<string>[]>();

function patternArb(pattern: string, name: string | undefined): fc.Arbitrary<string> {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    return fc.string();
  }
  // Slugs and keys: mostly short and readable, so creations rarely collide by accident … or do.
  if (/\^\[a-z0-9\]/.test(pattern)) {
    return fc
      .oneof(
        fc.stringMatching(/^[a-z]{2,8}(-[a-z0-9]{1,6}){0,2}$/),
        fc.constantFrom('aktuelt', 'lovgivning', 'fuzz', 'fuzz-net', 'abc'),
        fc.stringMatching(re),
      )
      .filter((s) => re.test(s));
  }
  if (pattern === TIME_RE) {
    // Start early / end late now and then, so meetings are long enough for the items generated for them.
    if (name === 'startTime') return fc.oneof({ weight: 2, arbitrary: timeArb }, { weight: 1, arbitrary: fc.constant('10:00') });
    if (name === 'endTime') return fc.oneof({ weight: 2, arbitrary: timeArb }, { weight: 1, arbitrary: fc.constant('16:00') });
    return timeArb;
  }
  let fits = structuredFor.get(pattern);
  if (!fits) {
    fits = STRUCTURED.filter((arb) => fc.sample(arb, { numRuns: 40, seed: 1 }).filter((s) => re.test(s)).length >= 30);
    structuredFor.set(pattern, fits);
  }
  if (name && /email/i.test(name) && fits.length === 0) fits = [emailArb];
  const matching = fc.stringMatching(re);
  return fits.length > 0
    ? fc.oneof({ weight: 9, arbitrary: fc.oneof(...fits).filter((s) => re.test(s)) }, { weight: 1, arbitrary: matching })
    : matching;
}

/**
 * A pattern that any ordinary sentence fits (names, free text: "not blank, no control characters") says
 * what is refused, not what the text looks like: such strings come from plainStringArb (words, unicode,
 * blanks, controls), not from samples of the pattern.
 */
function freeText(pattern: string): boolean {
  try {
    return new RegExp(pattern).test('Velkomst, kaffe & 10:00 — æøå');
  } catch {
    return false;
  }
}

export interface SchemaArbOptions {
  components: Components;
  /** Name of the property this schema is for (hints real ids). */
  name?: string;
  /** How far into nested objects to go. */
  depth?: number;
  /** The value is a query parameter (its name may be a bare resource name, like `cluster`). */
  query?: boolean;
}

/** An arbitrary of values that (mostly) satisfy the schema; id-like fields often hold real ids (as Picks). */
export function schemaArb(schema0: JsonSchema | undefined, opts: SchemaArbOptions): fc.Arbitrary<unknown> {
  const schema = deref(schema0, opts.components);
  const depth = opts.depth ?? 0;
  const base = schemaArbInner(schema, opts, depth);
  // A nullable reference to another resource (trackId, venueId): null as often as not.
  const nullWeight = poolForField(opts.name) || guessedPool(opts.name, opts.query) ? 4 : 1;
  return schema.nullable ? fc.oneof({ weight: 4, arbitrary: base }, { weight: nullWeight, arbitrary: fc.constant(null) }) : base;
}

function schemaArbInner(schema: JsonSchema, opts: SchemaArbOptions, depth: number): fc.Arbitrary<unknown> {
  const { components, name } = opts;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts && alts.length > 0) return fc.oneof(...alts.map((a) => schemaArb(a, { components, name, depth })));
  if (schema.allOf && schema.allOf.length > 0) return schemaArb(Object.assign({}, ...schema.allOf.map((a) => deref(a, components))), opts);
  const type = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
  switch (type ?? (schema.properties ? 'object' : undefined)) {
    case 'string': {
      const min = schema.minLength ?? 0;
      const max = schema.maxLength ?? 300;
      const pool = poolForField(name);
      let arb: fc.Arbitrary<string>;
      if (schema.pattern && !freeText(schema.pattern)) arb = patternArb(schema.pattern, name);
      else if (schema.format === 'date-time') arb = dateTimeArb;
      else if (schema.format === 'email') arb = emailArb;
      else arb = plainStringArb(min, max, name);
      const checked = arb.filter((s) => s.length >= min && s.length <= max);
      if (pool) return fc.oneof({ weight: 12, arbitrary: pick(pool) as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: checked });
      const guess = guessedPool(name, opts.query);
      if (guess) return fc.oneof({ weight: 4, arbitrary: fc.tuple(fc.nat(), checked).map(([n, s]) => new Pick(guess, n, s) as unknown) }, { weight: 1, arbitrary: checked });
      return checked;
    }
    case 'integer': {
      const min = Math.max(schema.minimum ?? -1_000_000, Number.MIN_SAFE_INTEGER);
      const max = Math.min(schema.maximum ?? 1_000_000, Number.MAX_SAFE_INTEGER);
      const lo = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : min;
      const hi = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - 1 : max;
      const ints = fc.oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(lo, hi));
      const guess = guessedPool(name, opts.query);
      if (guess) return fc.oneof({ weight: 4, arbitrary: fc.tuple(fc.nat(), ints).map(([n, i]) => new Pick(guess, n, i, true) as unknown) }, { weight: 1, arbitrary: ints });
      return ints;
    }
    case 'number': {
      const min = schema.minimum ?? -1e9;
      const max = schema.maximum ?? 1e9;
      return fc.oneof(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(min, max, (min + max) / 2));
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const maxItems = Math.min(schema.maxItems ?? 5, 5);
      const minItems = Math.min(schema.minItems ?? 0, maxItems);
      return fc.array(schemaArb(schema.items, { components, name, depth: depth + 1 }), { minLength: minItems, maxLength: maxItems });
    }
    case 'object': {
      if (depth > 4) return fc.constant({});
      const props = schema.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) model[k] = schemaArb(v, { components, name: k, depth: depth + 1 });
      const required = (schema.required ?? []).filter((k) => k in model);
      const record = fc.record(model, { requiredKeys: required });
      // Ranges (startTime/endTime, seasonStart/seasonEnd, …Min…/…Max…): mostly in order, so range checks
      // pass and handlers run.
      const pairs = rangePairs(Object.keys(model));
      if (pairs.length > 0) return fc.tuple(record, fc.constantFrom(true, true, true, false)).map(([v, order]) => (order ? orderRanges(v, pairs) : v));
      return record;
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A valid-shaped object with one thing wrong: a field of the wrong type, a missing required field, an extra field. */
export function mutatedArb(schema0: JsonSchema | undefined, components: Components): fc.Arbitrary<unknown> {
  const schema = deref(schema0, components);
  const valid = schemaArb(schema, { components });
  const keys = Object.keys(schema.properties ?? {});
  const required = schema.required ?? [];
  const mutations: fc.Arbitrary<(v: unknown) => unknown>[] = [
    fc.tuple(keys.length ? fc.constantFrom(...keys) : fc.constant('x'), garbageValue).map(([k, g]) => (v: unknown) => withKey(v, k, g)),
    fc.tuple(fc.constantFrom('unknownField', 'id', 'version', 'createdAt', 'isAdmin', 'constructor', 'toString', 'valueOf'), garbageValue).map(
      ([k, g]) => (v: unknown) => withKey(v, k, g),
    ),
    fc.constant((v: unknown) => [v]),
    fc.constant((v: unknown) => JSON.stringify(v)),
  ];
  if (required.length) {
    mutations.push(
      fc.constantFrom(...required).map((k) => (v: unknown) => {
        if (!isObject(v)) return v;
        const copy = { ...v };
        delete copy[k];
        return copy;
      }),
    );
  }
  return fc.tuple(valid, fc.oneof(...mutations)).map(([v, m]) => m(v));
}

const RANGE_WORDS: [RegExp, string][] = [
  [/Start/, 'End'],
  [/^start/, 'end'],
  [/Min/, 'Max'],
  [/^min/, 'max'],
  [/Opens/, 'Deadline'],
  [/^from$/, 'to'],
  [/After$/, 'Before'],
];

function rangePairs(keys: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (const k of keys) {
    for (const [re, other] of RANGE_WORDS) {
      const counterpart = k.replace(re, other);
      if (counterpart !== k && keys.includes(counterpart)) pairs.push([k, counterpart]);
    }
  }
  return pairs;
}

function orderRanges(v: Record<string, unknown>, pairs: [string, string][]): Record<string, unknown> {
  const out = { ...v };
  for (const [lo, hi] of pairs) {
    const a = out[lo];
    const b = out[hi];
    if ((typeof a === 'string' && typeof b === 'string') || (typeof a === 'number' && typeof b === 'number')) {
      if (a > b) {
        out[lo] = b;
        out[hi] = a;
      }
    }
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function withKey(v: unknown, k: string, value: unknown): unknown {
  if (!isObject(v)) return v;
  const copy: Record<string, unknown> = {};
  for (const [kk, vv] of Object.entries(v)) copy[kk] = vv;
  Object.defineProperty(copy, k, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

// ---------------------------------------------------------------------------------------------------
// Response checks.

export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

export interface CheckOptions {
  /** The route serves text/calendar on 200. */
  calendar?: boolean;
  /** A public page (server/pages/): its 200s and its 4xx pages are text/html (the router's own 400s stay problem+json). */
  page?: boolean;
}

/** What is wrong with a response, or null. */
export function responseProblem(req: SentRequest, res: LightMyRequestResponse, opts: CheckOptions = {}): string | null {
  const status = res.statusCode;
  const ct = String(res.headers['content-type'] ?? '');
  if (status >= 500) return `server error ${status}`;
  if (status >= 400) {
    if (opts.page && /^text\/html; charset=utf-8$/.test(ct)) return null;
    if (!/^application\/problem\+json/.test(ct)) return `${status} with content-type '${ct}' (expected application/problem+json)`;
    if (req.method === 'HEAD') return null;
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return `${status} body is not JSON`;
    }
    if (!isObject(body)) return `${status} body is not an object`;
    if (typeof body.type !== 'string') return `${status} problem without a string 'type'`;
    if (typeof body.title !== 'string') return `${status} problem without a string 'title'`;
    if (body.status !== status) return `${status} problem with status ${JSON.stringify(body.status)}`;
    if (typeof body.code !== 'string' || body.code === '') return `${status} problem without a string 'code'`;
    const listed = (PROBLEM_CODES as Record<string, { status: number }>)[body.code];
    if (!listed) return `${status} problem with code '${body.code}', which is not in the catalogue (server/http/problem-codes.ts)`;
    if (listed.status !== status) return `${status} problem '${body.code}', which the catalogue lists with ${listed.status}`;
    return null;
  }
  if (opts.calendar && status === 200 && !/^text\/calendar/.test(ct)) return `feed 200 with content-type '${ct}' (expected text/calendar)`;
  if (opts.page && status === 200 && !/^text\/html; charset=utf-8$/.test(ct)) return `page 200 with content-type '${ct}' (expected text/html)`;
  return null;
}

export function describeExchange(req: SentRequest, res: LightMyRequestResponse | undefined, error?: unknown): string {
  const clip = (s: string, n = 600) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, clip(v, 200)]));
  const lines = [
    `request: ${req.method} ${clip(req.url, 400)}`,
    `headers: ${JSON.stringify(headers)}`,
    `body: ${req.payload === undefined ? '(none)' : JSON.stringify(clip(req.payload))}`,
  ];
  if (res) lines.push(`response: ${res.statusCode} ${String(res.headers['content-type'] ?? '')} ${clip(res.body, 800)}`);
  if (error) lines.push(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return lines.join('\n');
}

export { registeredRoutes } from './helpers.js';
