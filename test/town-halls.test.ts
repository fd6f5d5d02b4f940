// The town halls' positions (db/town-halls.ts): one for each of the 98 municipalities, every point in
// Denmark and within its own region's extent, ferry-only islands marked, and a few distances anyone
// can check on a map.
import t from 'tap';
import { MUNICIPALITIES } from '../db/municipalities.js';
import { TOWN_HALLS } from '../db/town-halls.js';
import { haversineKm } from '../server/geo/distance.js';

type Box = [south: number, north: number, west: number, east: number];

// Denmark without the Faroes and Greenland: Gedser (54.56N) to Skagen (57.75N), Blåvandshuk (8.07E) to
// Christiansø (15.19E).
const DENMARK: Box = [54.55, 57.76, 8.07, 15.2];

// The regions' extents from known geography, boxes around their land (and their islands).
const REGIONS: Record<string, Box[]> = {
  // North Zealand and Copenhagen (Hundested 11.85E to Dragør 12.68E), and Bornholm.
  'Region Hovedstaden': [[55.56, 56.13, 11.84, 12.7], [54.98, 55.3, 14.67, 15.2]],
  // The rest of Zealand, Møn, Lolland and Falster (Gedser to Sjællands Odde, Lolland's west tip 10.95E).
  'Region Sjælland': [[54.55, 56.0, 10.95, 12.6]],
  // Funen and its islands, and South Jutland up to Vejle (Fanø 8.37E to Langeland 10.96E).
  'Region Syddanmark': [[54.72, 55.9, 8.07, 10.97]],
  // Mid Jutland from Hedensted to Lemvig and Djursland, with Samsø.
  'Region Midtjylland': [[55.65, 56.8, 8.07, 10.96]],
  // Jutland north of the Limfjord region, Mors, Thy and Læsø.
  'Region Nordjylland': [[56.55, 57.76, 8.2, 11.2]],
};

const inside = ([s, n, w, e]: Box, p: { latitude: number; longitude: number }) => p.latitude >= s && p.latitude <= n && p.longitude >= w && p.longitude <= e;

t.test('every municipality has a town hall in Denmark, within its own region', async (t) => {
  t.equal(TOWN_HALLS.size, 98);
  t.same([...TOWN_HALLS.keys()].sort((a, b) => a - b), MUNICIPALITIES.map((m) => m.code).sort((a, b) => a - b), 'the same 98 codes');
  for (const m of MUNICIPALITIES) {
    const hall = TOWN_HALLS.get(m.code)!;
    t.ok(inside(DENMARK, hall), `${m.name} lies in Denmark`);
    t.ok(REGIONS[m.region]!.some((box) => inside(box, hall)), `${m.name} (${hall.latitude}, ${hall.longitude}) lies within ${m.region}`);
    t.equal(Math.round(hall.latitude * 1000) / 1000, hall.latitude, `${m.name}: 3 decimals`);
  }
});

t.test('ferry-only islands are marked, bridged ones are not', async (t) => {
  const ferry = MUNICIPALITIES.filter((m) => TOWN_HALLS.get(m.code)!.ferryOnly).map((m) => m.name).sort();
  t.same(ferry, ['Bornholm', 'Fanø', 'Læsø', 'Samsø', 'Ærø']);
});

t.test('known distances between town halls', async (t) => {
  const km = (a: number, b: number) => haversineKm(TOWN_HALLS.get(a)!, TOWN_HALLS.get(b)!);
  const near = (actual: number, expected: number, tolerance: number, what: string) =>
    t.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual.toFixed(1)} km, expected about ${expected}`);
  near(km(101, 461), 140, 8, 'København–Odense');
  near(km(751, 851), 100, 6, 'Aarhus–Aalborg');
  near(km(101, 400), 150, 8, 'København–Rønne');
  near(km(561, 563), 4, 2, 'Esbjerg–Fanø (Nordby)');
  near(km(580, 540), 27, 4, 'Aabenraa–Sønderborg');
  near(km(813, 860), 33, 4, 'Frederikshavn–Hjørring');
  t.equal(km(101, 101), 0);
});
