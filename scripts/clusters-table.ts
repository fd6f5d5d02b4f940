// Prints the 2016 programme's clusters for all 98 municipalities as a Markdown table, from the running
// service: starts the app on a fresh in-memory database with the seed network, listens on a loopback port,
// signs up all 98 municipalities over HTTP (admin override: the 2016 window is long closed), asks for a
// proposal and prints it. The README's table is this script's output.
//
// Run: node --import tsx scripts/clusters-table.ts
import { MUNICIPALITIES } from '../db/municipalities.js';
import { PROGRAMME_SLUG } from '../db/seed-data.js';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';

interface Proposal {
  members: number;
  largestKm: number;
  meanKm: number;
  clusters: { name: string; municipalities: { name: string }[]; host: { name: string }; largestKm: number; meanKm: number }[];
}

const app = await buildApp(testConfig({ seed: true }));
try {
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const { raw } = createToken(app.db, { name: 'clusters-table', role: 'admin' });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${raw}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };
  for (const m of MUNICIPALITIES) {
    await call('POST', `/networks/${PROGRAMME_SLUG}/members?override=true`, { municipalityCode: m.code, contact: { name: `Kontakt ${m.name}`, email: `kontakt${m.code}@kommune.example` } });
  }
  const p = (await call('POST', `/networks/${PROGRAMME_SLUG}/clusters/propose`)) as Proposal;
  const lines = [
    '| Klynge | Kommuner | Vært | Største afstand (km) | Middel (km) |',
    '|---|---|---|---:|---:|',
    ...p.clusters.map((c) => `| ${c.name} | ${c.municipalities.map((m) => m.name).join(', ')} | ${c.host.name} | ${c.largestKm} | ${c.meanKm} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n\n${p.members} members in ${p.clusters.length} clusters; largest distance ${p.largestKm} km, mean ${p.meanKm} km.\n`);
} finally {
  await app.close();
}
