// Great-circle distance between two WGS84 points (haversine), in kilometres. Pure.

export interface Point {
  latitude: number;
  longitude: number;
}

/** Mean Earth radius (IUGG), km. */
const EARTH_RADIUS_KM = 6371.0088;

const rad = (deg: number) => (deg * Math.PI) / 180;

export function haversineKm(a: Point, b: Point): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export type Landmass = 'Jylland' | 'Fyn' | 'Sjælland';

// The fixed links between the landmasses: the Little Belt bridges (Middelfart–Fredericia) and the Great Belt
// link (Knudshoved on Funen to Halsskov on Zealand).
const LITTLE_BELT: Point = { latitude: 55.52, longitude: 9.74 };
const GREAT_BELT_FUNEN: Point = { latitude: 55.305, longitude: 10.86 };
const GREAT_BELT_ZEALAND: Point = { latitude: 55.34, longitude: 11.12 };
const ORDER: Landmass[] = ['Jylland', 'Fyn', 'Sjælland'];

/**
 * Kilometres by land between two points: the great-circle distance on one landmass, otherwise the
 * great-circle legs through the bridges between them (a crow cannot drive across the Belts).
 */
export function overlandKm(a: Point & { landmass: Landmass }, b: Point & { landmass: Landmass }): number {
  const ia = ORDER.indexOf(a.landmass);
  const ib = ORDER.indexOf(b.landmass);
  if (ia === ib) return haversineKm(a, b);
  const [from, to] = ia < ib ? [a, b] : [b, a];
  const lo = Math.min(ia, ib);
  const hi = Math.max(ia, ib);
  const path: Point[] = [from];
  if (lo === 0) path.push(LITTLE_BELT);
  if (hi === 2) path.push(GREAT_BELT_FUNEN, GREAT_BELT_ZEALAND);
  path.push(to);
  let km = 0;
  for (let i = 1; i < path.length; i++) km += haversineKm(path[i - 1]!, path[i]!);
  return km;
}
