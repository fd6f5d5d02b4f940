// GET /openapi.json is a valid OpenAPI document covering every /api/v1 route the app registers; /docs serves.
import t from 'tap';
import SwaggerParser from '@apidevtools/swagger-parser';
import { NAME_PATTERN, TEXT_PATTERN, TIME_ZONE_PATTERN } from '../server/http/fields.js';
import { makeApp, registeredRoutes } from './helpers.js';

type JsonSchema = {
  $ref?: string;
  type?: string;
  pattern?: string;
  enum?: unknown[];
  format?: string;
  minLength?: number;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
};


type Operation = {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  security?: Record<string, unknown>[];
  summary?: string;
  tags?: string[];
};

t.test('the document is valid OpenAPI 3 and documents every /api/v1 route', async (t) => {
  const { app } = await makeApp(t);
  const res = await app.inject({ url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  const doc = res.json();
  t.equal(doc.openapi, '3.0.3');
  t.match(doc.info, { title: 'netagenda', version: '1.0.0' });
  t.same(doc.servers, [{ url: 'http://127.0.0.1:3000' }]);
  t.same(doc.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer' });
  for (const name of ['Problem', 'Network', 'Venue', 'Meeting', 'Track', 'Theme', 'Speaker', 'AgendaItem', 'Agenda', 'Moment', 'Participant', 'ParticipantExport']) {
    t.ok(doc.components.schemas[name], `component ${name}`);
  }

  const validated = await SwaggerParser.validate(structuredClone(doc));
  t.ok(validated.paths, 'swagger-parser accepts it');

  const routes = registeredRoutes(app).filter(([method, path]) => path.startsWith('/api/v1/') && method !== 'HEAD');
  // The routes of the core API are all there (the list may grow; it must not shrink).
  const core = [
    'GET /api/v1/networks', 'POST /api/v1/networks', 'GET /api/v1/networks/{slug}', 'PATCH /api/v1/networks/{slug}', 'DELETE /api/v1/networks/{slug}',
    'GET /api/v1/venues', 'GET /api/v1/venues/{id}', 'PATCH /api/v1/venues/{id}', 'DELETE /api/v1/venues/{id}',
    'GET /api/v1/networks/{slug}/venues', 'POST /api/v1/networks/{slug}/venues',
    'GET /api/v1/networks/{slug}/meetings', 'POST /api/v1/networks/{slug}/meetings',
    'GET /api/v1/meetings/{id}', 'PATCH /api/v1/meetings/{id}', 'DELETE /api/v1/meetings/{id}',
    'GET /api/v1/meetings/{id}/tracks', 'POST /api/v1/meetings/{id}/tracks', 'GET /api/v1/tracks/{id}', 'PATCH /api/v1/tracks/{id}', 'DELETE /api/v1/tracks/{id}',
    'GET /api/v1/networks/{slug}/themes', 'POST /api/v1/networks/{slug}/themes',
    'GET /api/v1/networks/{slug}/themes/{key}', 'PATCH /api/v1/networks/{slug}/themes/{key}', 'DELETE /api/v1/networks/{slug}/themes/{key}',
    'GET /api/v1/speakers', 'GET /api/v1/speakers/{id}', 'PATCH /api/v1/speakers/{id}', 'DELETE /api/v1/speakers/{id}',
    'GET /api/v1/networks/{slug}/speakers', 'POST /api/v1/networks/{slug}/speakers',
    'GET /api/v1/participants', 'GET /api/v1/participants/{id}', 'PATCH /api/v1/participants/{id}', 'DELETE /api/v1/participants/{id}',
    'POST /api/v1/participants/{id}/feed-token',
    'GET /api/v1/networks/{slug}/participants', 'POST /api/v1/networks/{slug}/participants',
    'GET /api/v1/meetings/{id}/items', 'POST /api/v1/meetings/{id}/items', 'GET /api/v1/items/{id}', 'PATCH /api/v1/items/{id}', 'DELETE /api/v1/items/{id}',
    'GET /api/v1/meetings/{id}/agenda',
  ];
  const registered = routes.map(([m, p]) => `${m} ${p}`);
  for (const route of core) t.ok(registered.includes(route), `${route} is registered`);
  // Venues, speakers and participants are created under their network: the flat creation routes are gone.
  for (const route of ['POST /api/v1/venues', 'POST /api/v1/speakers', 'POST /api/v1/participants']) {
    t.notOk(registered.includes(route), `${route} is gone`);
    const [method, path] = route.split(' ') as [string, string];
    t.notOk(doc.paths[path]?.[method.toLowerCase()], `${route} is not documented`);
  }

  for (const [method, path] of routes) {
    const op: Operation | undefined = doc.paths[path]?.[method.toLowerCase()];
    t.ok(op, `${method} ${path} is documented`);
    if (!op) continue;
    t.ok(op.summary, `${method} ${path} has a summary`);
    t.ok(op.tags && op.tags.length > 0, `${method} ${path} has a tag`);
    const statuses = Object.keys(op.responses);
    const success = statuses.filter((s) => s.startsWith('2'));
    t.ok(success.length > 0, `${method} ${path} documents a success response`);
    for (const s of success) {
      if (s === '204') continue;
      // The exchange formats (server/exchange) answer in the type their extension names; everything else JSON.
      const exported = ({ xml: 'application/xml', csv: 'text/csv' } as Record<string, string>)[/\.(\w+)$/.exec(path)?.[1] ?? ''];
      if (exported) t.ok(op.responses[s]!.content?.[exported]?.schema, `${method} ${path} ${s} is documented as ${exported}`);
      else t.ok(op.responses[s]!.content?.['application/json']?.schema, `${method} ${path} ${s} has a JSON schema`);
    }
    for (const s of statuses.filter((x) => /^[45]/.test(x))) {
      t.ok(op.responses[s]!.content?.['application/problem+json']?.schema, `${method} ${path} ${s} is problem+json`);
    }
    if (['POST', 'PATCH', 'PUT'].includes(method)) {
      t.ok(op.requestBody?.content?.['application/json']?.schema, `${method} ${path} documents its request body`);
    }
    // The e-mail preference link is a secret URL (like a personal feed): it is its own key, no token.
    if (method !== 'GET' && !path.startsWith('/api/v1/email-preferences/')) {
      t.ok(statuses.includes('401'), `${method} ${path} documents 401`);
      t.same(op.security, [{ bearerAuth: [] }], `${method} ${path} needs the bearer token`);
    }
    if (path.includes('{')) t.ok(statuses.includes('404') || statuses.includes('400'), `${method} ${path} documents a missing resource`);
  }

  // Nothing documented that does not exist.
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(ops)) {
      if (['parameters', 'summary', 'description'].includes(method)) continue;
      t.ok(registered.includes(`${method.toUpperCase()} ${path}`) || !path.startsWith('/api/v1/'), `documented ${method} ${path} is registered`);
    }
  }
  // Internal routes stay out of the document.
  t.notOk(doc.paths['/healthz']);
  t.notOk(doc.paths['/openapi.json']);
});

t.test('request and response schemas are the real ones', async (t) => {
  const { app } = await makeApp(t);
  const doc = (await app.inject({ url: '/openapi.json' })).json();
  const api = await SwaggerParser.dereference(structuredClone(doc));
  const createNetwork = (api.paths as Record<string, Record<string, Operation>>)['/api/v1/networks']!.post!;
  const body = createNetwork.requestBody!.content!['application/json']!.schema as { required: string[]; properties: Record<string, unknown>; additionalProperties: boolean };
  t.same([...body.required].sort(), ['name', 'slug']);
  t.equal(body.additionalProperties, false, 'unknown fields are refused, as documented');
  t.ok(body.properties.organiser);
  const created = createNetwork.responses['201']!.content!['application/json']!.schema as { properties: Record<string, unknown> };
  t.ok(created.properties.feeds);
  t.ok(created.properties.slug);
  const problem = createNetwork.responses['409']!.content!['application/problem+json']!.schema as { properties: Record<string, unknown> };
  t.ok(problem.properties.code);
  t.ok(problem.properties.errors);

  const listMeetings = (api.paths as Record<string, Record<string, Operation & { parameters: { name: string; in: string }[] }>>)['/api/v1/networks/{slug}/meetings']!.get!;
  const params = listMeetings.parameters.map((p) => `${p.in}:${p.name}`);
  for (const p of ['path:slug', 'query:from', 'query:to', 'query:status', 'query:limit', 'query:cursor']) t.ok(params.includes(p), p);

  // Venues, speakers and participants name their network; the lists page per network and filter by it.
  const schemas = (api as unknown as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }).components.schemas;
  for (const name of ['Venue', 'Speaker', 'Participant']) t.ok(schemas[name]!.properties.networkSlug, `${name}.networkSlug`);
  t.ok(schemas.ParticipantExport!.properties.records, 'ParticipantExport.records');
  const paths = api.paths as Record<string, Record<string, Operation & { parameters: { name: string; in: string }[] }>>;
  for (const kind of ['venues', 'speakers', 'participants']) {
    const perNetwork = paths[`/api/v1/networks/{slug}/${kind}`]!.get!.parameters.map((p) => `${p.in}:${p.name}`);
    for (const p of ['path:slug', 'query:limit', 'query:cursor']) t.ok(perNetwork.includes(p), `/networks/{slug}/${kind} ${p}`);
    const flat = paths[`/api/v1/${kind}`]!.get!.parameters.map((p) => `${p.in}:${p.name}`);
    for (const p of ['query:network', 'query:limit', 'query:cursor']) t.ok(flat.includes(p), `/${kind} ${p}`);
    const create = paths[`/api/v1/networks/{slug}/${kind}`]!.post!;
    t.equal(
      (create.requestBody!.content!['application/json']!.schema as { additionalProperties: boolean }).additionalProperties,
      false,
      `POST /networks/{slug}/${kind} refuses unknown fields`,
    );
  }
  const networkBody = createNetwork.requestBody!.content!['application/json']!.schema as { properties: Record<string, unknown> };
  t.notOk(networkBody.properties.defaultVenueId, 'a network is created without a default venue (its venues come after it)');
});

t.test('request-body strings state the rules the server enforces', async (t) => {
  const { app } = await makeApp(t);
  const doc = (await app.inject({ url: '/openapi.json' })).json();
  const components = doc.components.schemas as Record<string, JsonSchema>;
  // Keys of things that must exist already (themes, templates, networks): an unknown one is refused by name
  // (unknown-theme, unknown-template, …), so no outline says more than the lookup does.
  const lookups = ['ItemCreateInput.themes[]', 'ItemPatchInput.themes[]', 'ApplyTemplateInput.template', 'TokenCreateInput.networks[]', 'ProposalAcceptInput.themeKey'];
  const loose: string[] = [];
  const seen = new Set<string>();
  const walk = (s: JsonSchema | undefined, where: string): void => {
    if (!s) return;
    if (s.$ref) {
      const name = s.$ref.split('/').pop()!;
      if (seen.has(name)) return;
      seen.add(name);
      return walk(components[name], name);
    }
    // A string the server checks says how: a pattern, an enum, a format, or at least one character (ids).
    if (s.type === 'string' && !s.pattern && !s.enum && !s.format && !((s.minLength ?? 0) >= 1)) loose.push(where);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${where}.${k}`);
    if (s.items) walk(s.items, `${where}[]`);
    for (const v of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) walk(v, where);
  };
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, op] of Object.entries(item)) walk(op.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined, `${method.toUpperCase()} ${path}`);
  }
  t.ok(seen.size > 10, `${seen.size} request schemas walked`);
  t.same(loose.filter((w) => !lookups.includes(w)), [], 'every request-body string has a pattern, enum, format or minLength');
  // Names: not blank, no controls; free text: no controls (what name() and text() refine).
  t.match(components.NetworkCreateInput!.properties!.name, { pattern: NAME_PATTERN });
  t.match(components.MeetingCreateInput!.properties!.description, { pattern: TEXT_PATTERN });
  t.match(components.MeetingCreateInput!.properties!.timeZone, { pattern: TIME_ZONE_PATTERN });
});

t.test('GET /docs serves Swagger UI', async (t) => {
  const { app } = await makeApp(t);
  let res = await app.inject({ url: '/docs' });
  for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 5; hops++) {
    res = await app.inject({ url: new URL(String(res.headers.location), 'http://localhost/docs').pathname });
  }
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/html/);
  t.match(res.body, /swagger-ui/i);
  const json = await app.inject({ url: '/docs/json' });
  t.equal(json.statusCode, 200);
  t.equal(json.json().openapi, '3.0.3');
});

t.test('GET /healthz', async (t) => {
  const { app } = await makeApp(t);
  const res = await app.inject({ url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  t.same(res.json(), { status: 'ok', outbox: { depth: 0, oldestUndeliveredAgeSeconds: null } });
});
