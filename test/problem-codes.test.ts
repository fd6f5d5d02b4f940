// The catalogue of problem codes (server/http/problem-codes.ts) is complete and honest: the type system
// refuses a code that is not in it (AppError and problemBody take a ProblemCode); here, every code in it is
// used somewhere in the service, every throw site written with a literal status names the catalogue's
// status, and the OpenAPI document lists every code with its status. test/helpers.ts's problem() and the
// fuzz check each answered problem against the catalogue too.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { PROBLEM_CODES, problemCodes, type ProblemCode } from '../server/http/problem-codes.js';
import { makeApp, problem } from './helpers.js';
import { root } from './server-process.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}
const files = [...sources(join(root, 'server')), ...sources(join(root, 'db'))].filter((f) => !f.endsWith('problem-codes.ts'));
const text = new Map(files.map((f) => [relative(root, f), readFileSync(f, 'utf8')]));

t.test('every catalogued code is used by the service', async (t) => {
  for (const code of problemCodes) {
    const users = [...text].filter(([, src]) => src.includes(`'${code}'`)).map(([f]) => f);
    t.ok(users.length > 0, `${code}: used in ${users.join(', ') || 'nothing'}`);
  }
});

t.test('throw sites with a literal status name the catalogue’s status', async (t) => {
  // new AppError(409, 'code' …), problemBody(404, 'code' …), and the helpers with a fixed status.
  const patterns: [RegExp, (m: RegExpExecArray) => [number, string]][] = [
    [/(?:AppError|problemBody)\(\s*(\d{3}),\s*'([a-z0-9-]+)'/g, (m) => [Number(m[1]), m[2]!]],
    [/\bconflict\(\s*'([a-z0-9-]+)'/g, (m) => [409, m[1]!]],
    [/\bbadRequest\(\s*'([a-z0-9-]+)'/g, (m) => [400, m[1]!]],
    [/\[(\d{3}), '([a-z0-9-]+)', '/g, (m) => [Number(m[1]), m[2]!]], // tables of [status, code, detail]
  ];
  let sites = 0;
  for (const [file, src] of text) {
    for (const [pattern, read] of patterns) {
      for (const m of src.matchAll(pattern)) {
        const [status, code] = read(m as RegExpExecArray);
        sites++;
        const listed = PROBLEM_CODES[code as ProblemCode];
        if (!listed) t.fail(`${file}: '${code}' is not in the catalogue`);
        else if (listed.status !== status) t.fail(`${file}: '${code}' thrown with ${status}, catalogued with ${listed.status}`);
      }
    }
  }
  t.ok(sites > 80, `${sites} throw sites checked`);
});

t.test('the OpenAPI document lists every code with its status and meaning', async (t) => {
  const a = await makeApp(t);
  const doc = (await a.app.inject({ url: '/openapi.json' })).json() as {
    components: { schemas: Record<string, { properties: Record<string, { enum?: string[]; description?: string }> }> };
  };
  const code = doc.components.schemas.Problem!.properties.code!;
  t.same([...code.enum!].sort(), [...problemCodes].sort(), 'the Problem schema’s code is the catalogue, as an enum');
  for (const c of problemCodes) {
    t.ok(code.description!.includes(`| \`${c}\` | ${PROBLEM_CODES[c].status} | ${PROBLEM_CODES[c].title} |`), `${c} in the table`);
  }
});

t.test('answered problems carry the catalogue’s status', async (t) => {
  const a = await makeApp(t);
  problem(t, await a.app.inject({ url: '/api/v1/networks/findes-ikke' }), 404, 'not-found');
  problem(t, await a.app.inject({ url: '/api/v1/nowhere' }), 404, 'route-not-found');
  problem(t, await a.app.inject({ method: 'POST', url: '/api/v1/networks', payload: {} }), 401, 'unauthorized');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'Ugyldig slug' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: '{', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
});
