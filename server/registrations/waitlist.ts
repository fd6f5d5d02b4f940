// The waiting-list rule, as plain functions over plain values (the repository loads and writes).
//
// A meeting has places (`capacity`, null = unlimited) and so may each of its tracks. A registration holds a
// place in the meeting and, when it has a track, in that track. Waiting registrations are taken in queue
// order (lowest `queuedAt` first) and each is promoted when both the meeting and its track still have a
// free place; one whose track is full is passed over (it keeps its turn for when its track frees up), so
// someone later in the queue for a track with room may go ahead. No one is ever demoted.

export type ActiveStatus = 'registered' | 'waitlisted';

export interface Seat {
  id: string;
  trackId: string | null;
  status: ActiveStatus;
  queuedAt: number;
}

export interface Capacities {
  /** Places in the meeting; null = unlimited. */
  meeting: number | null;
  /** Places per track id; a track missing here or with null is unlimited. */
  tracks: ReadonlyMap<string, number | null>;
}

const hasRoom = (taken: number, capacity: number | null | undefined) => capacity === null || capacity === undefined || taken < capacity;

/** The ids of the waiting registrations to promote now, in the order they are promoted. */
export function promotions(capacities: Capacities, seats: readonly Seat[]): string[] {
  let inMeeting = 0;
  const inTrack = new Map<string, number>();
  for (const s of seats) {
    if (s.status !== 'registered') continue;
    inMeeting += 1;
    if (s.trackId) inTrack.set(s.trackId, (inTrack.get(s.trackId) ?? 0) + 1);
  }
  const queue = seats.filter((s) => s.status === 'waitlisted').sort((a, b) => a.queuedAt - b.queuedAt);
  const promoted: string[] = [];
  for (const s of queue) {
    if (!hasRoom(inMeeting, capacities.meeting)) break;
    if (s.trackId && !hasRoom(inTrack.get(s.trackId) ?? 0, capacities.tracks.get(s.trackId))) continue;
    promoted.push(s.id);
    inMeeting += 1;
    if (s.trackId) inTrack.set(s.trackId, (inTrack.get(s.trackId) ?? 0) + 1);
  }
  return promoted;
}

/**
 * The status a new registration gets: it joins the end of the queue, and the queue is settled with it.
 * Registered when it is promoted (so it never jumps anyone already waiting who fits), waitlisted otherwise.
 * Also returns the waiting registrations promoted first (non-empty only when places were added since).
 */
export function admit(capacities: Capacities, seats: readonly Seat[], newcomer: Omit<Seat, 'status'>): { status: ActiveStatus; promoted: string[] } {
  const promoted = promotions(capacities, [...seats, { ...newcomer, status: 'waitlisted' }]);
  const admitted = promoted.includes(newcomer.id);
  return { status: admitted ? 'registered' : 'waitlisted', promoted: promoted.filter((id) => id !== newcomer.id) };
}

/** 1-based positions on the meeting's waiting list, by queue order. */
export function waitlistPositions(seats: readonly Seat[]): Map<string, number> {
  return new Map(
    seats
      .filter((s) => s.status === 'waitlisted')
      .sort((a, b) => a.queuedAt - b.queuedAt)
      .map((s, i) => [s.id, i + 1]),
  );
}
