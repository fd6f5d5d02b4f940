// The database tables (drizzle). Row types are inferred from here; migrations are generated from here.
import { sql } from 'drizzle-orm';
import { blob, check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';

const timestamps = {
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  /** Bumped by every update: the resource's ETag, checked against If-Match inside the write. */
  version: integer('version').notNull().default(1),
};

/**
 * The network a venue, speaker or participant belongs to: only that network's tokens (and admins) may change
 * it or see its private fields. Null only for records from before networks owned them that no network used
 * (migration 0006): only admins see and delete those.
 */
const owningNetwork = () => text('network_slug').references((): AnySQLiteColumn => networks.slug, { onDelete: 'restrict' });

export const venues = sqliteTable(
  'venues',
  {
    id: text('id').primaryKey(),
    networkSlug: owningNetwork(),
    name: text('name').notNull(),
    streetAddress: text('street_address').notNull().default(''),
    postalCode: text('postal_code').notNull().default(''),
    city: text('city').notNull().default(''),
    latitude: real('latitude'),
    longitude: real('longitude'),
    ...timestamps,
  },
  (t) => [index('venues_network').on(t.networkSlug, t.name, t.id)],
);

export const networks = sqliteTable('networks', {
  slug: text('slug').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  purpose: text('purpose').notNull().default(''),
  organiserName: text('organiser_name').notNull().default(''),
  organiserEmail: text('organiser_email'),
  organiserPhone: text('organiser_phone'),
  organiserAddress: text('organiser_address'),
  seasonStart: text('season_start'),
  seasonEnd: text('season_end'),
  timeZone: text('time_zone').notNull().default('Europe/Copenhagen'),
  standardMeetingMinutes: integer('standard_meeting_minutes').notNull().default(360),
  defaultVenueId: text('default_venue_id').references(() => venues.id, { onDelete: 'restrict' }),
  /** Sign-up window as local wall time `YYYY-MM-DDTHH:MM` in the network's zone; both inclusive. */
  signupOpens: text('signup_opens'),
  signupDeadline: text('signup_deadline'),
  targetGroup: text('target_group').notNull().default(''),
  /** Cluster (klynge) size bounds, when the network groups its members. */
  clusterMinSize: integer('cluster_min_size'),
  clusterMaxSize: integer('cluster_max_size'),
  /** The agenda template (agenda-templates/, by key) a cluster's meeting series starts from. */
  defaultTemplate: text('default_template'),
  ...timestamps,
});

export const meetingStatuses = ['draft', 'announced', 'cancelled'] as const;

export const meetings = sqliteTable(
  'meetings',
  {
    id: text('id').primaryKey(),
    networkSlug: text('network_slug')
      .notNull()
      .references(() => networks.slug, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    date: text('date').notNull(),
    startTime: text('start_time').notNull(),
    endTime: text('end_time').notNull(),
    timeZone: text('time_zone').notNull(),
    venueId: text('venue_id').references(() => venues.id, { onDelete: 'restrict' }),
    status: text('status', { enum: meetingStatuses }).notNull().default('draft'),
    description: text('description').notNull().default(''),
    capacity: integer('capacity'),
    /** Registration closes after this local wall time `YYYY-MM-DDTHH:MM` (inclusive); null = at the start. */
    registrationDeadline: text('registration_deadline'),
    /** The cluster the meeting belongs to, in networks that work in clusters. */
    clusterId: text('cluster_id'),
    /** Its place (1, 2, …) in its cluster's meeting series; null: not a series meeting. */
    seriesNumber: integer('series_number'),
    ...timestamps,
  },
  (t) => [index('meetings_network_date').on(t.networkSlug, t.date, t.startTime, t.id), index('meetings_cluster').on(t.clusterId)],
);

export const tracks = sqliteTable(
  'tracks',
  {
    id: text('id').primaryKey(),
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    audience: text('audience').notNull().default(''),
    room: text('room'),
    sortOrder: integer('sort_order').notNull().default(0),
    capacity: integer('capacity'),
    ...timestamps,
  },
  (t) => [index('tracks_meeting').on(t.meetingId, t.sortOrder, t.id)],
);

export const themes = sqliteTable(
  'themes',
  {
    id: text('id').primaryKey(),
    networkSlug: text('network_slug')
      .notNull()
      .references(() => networks.slug, { onDelete: 'restrict' }),
    key: text('key').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    ...timestamps,
  },
  (t) => [uniqueIndex('themes_network_key').on(t.networkSlug, t.key)],
);

export const speakers = sqliteTable(
  'speakers',
  {
    id: text('id').primaryKey(),
    networkSlug: owningNetwork(),
    name: text('name').notNull(),
    title: text('title').notNull().default(''),
    organisation: text('organisation').notNull().default(''),
    email: text('email'),
    ...timestamps,
  },
  (t) => [index('speakers_network').on(t.networkSlug, t.name, t.id)],
);

export const itemKinds = [
  'welcome',
  'presentation',
  'discussion',
  'peer-sparring',
  'workshop',
  'break',
  'lunch',
  'other',
] as const;

export const agendaItems = sqliteTable(
  'agenda_items',
  {
    id: text('id').primaryKey(),
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    trackId: text('track_id').references(() => tracks.id, { onDelete: 'cascade' }),
    startTime: text('start_time').notNull(),
    endTime: text('end_time').notNull(),
    title: text('title').notNull(),
    kind: text('kind', { enum: itemKinds }).notNull(),
    description: text('description').notNull().default(''),
    ...timestamps,
  },
  (t) => [index('items_meeting_time').on(t.meetingId, t.startTime, t.id), index('items_track').on(t.trackId)],
);

export const itemThemes = sqliteTable(
  'item_themes',
  {
    itemId: text('item_id')
      .notNull()
      .references(() => agendaItems.id, { onDelete: 'cascade' }),
    themeId: text('theme_id')
      .notNull()
      .references(() => themes.id, { onDelete: 'restrict' }),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.themeId] }), index('item_themes_theme').on(t.themeId)],
);

export const itemSpeakers = sqliteTable(
  'item_speakers',
  {
    itemId: text('item_id')
      .notNull()
      .references(() => agendaItems.id, { onDelete: 'cascade' }),
    speakerId: text('speaker_id')
      .notNull()
      .references(() => speakers.id, { onDelete: 'restrict' }),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.speakerId] }), index('item_speakers_speaker').on(t.speakerId)],
);

/** A frozen agenda of a meeting: what participants see until the next release. */
export const releases = sqliteTable(
  'releases',
  {
    id: text('id').primaryKey(),
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    note: text('note').notNull().default(''),
    createdBy: text('created_by').notNull().default(''),
    /** JSON: the agenda as released (meeting, tracks, items with themes and public speaker data). */
    snapshot: text('snapshot').notNull(),
    /** JSON: the changes against the previous release. */
    changelog: text('changelog').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('releases_meeting_number').on(t.meetingId, t.number)],
);

/**
 * Calendar events as last published in feeds, one row per UID. Kept after the meeting or item is gone
 * (no foreign keys) so feeds can go on announcing the cancellation; SEQUENCE lives here.
 */
export const feedEvents = sqliteTable(
  'feed_events',
  {
    uid: text('uid').primaryKey(),
    kind: text('kind', { enum: ['meeting', 'item'] }).notNull(),
    networkSlug: text('network_slug').notNull(),
    meetingId: text('meeting_id').notNull(),
    itemId: text('item_id'),
    trackId: text('track_id'),
    /** JSON array of theme keys. */
    themeKeys: text('theme_keys').notNull().default('[]'),
    sequence: integer('sequence').notNull().default(0),
    /** Hash of everything a subscriber sees; a change bumps `sequence`. */
    fingerprint: text('fingerprint').notNull(),
    /** JSON: the event as published. */
    content: text('content').notNull(),
    createdAt: text('created_at').notNull(),
    lastModified: text('last_modified').notNull(),
    cancelledAt: text('cancelled_at'),
    /** 1 while the event is in what its meeting publishes now; 0 once gone (deleted, unreleased, back to draft). */
    published: integer('published').notNull().default(0),
    /** 0 for rows written before per-feed history existed: their feeds are worked out from the row itself once. */
    scoped: integer('scoped').notNull().default(0),
    /** Feed order: date, start time, meeting before items, UID. */
    sortKey: text('sort_key').notNull().default(''),
    /** The TZID the event is written with (its VTIMEZONE goes into every feed holding it); null = UTC. */
    tzid: text('tzid'),
    /** The VEVENT as rendered (folded lines, CRLF), without SEQUENCE, DTSTAMP and LAST-MODIFIED (set per feed). */
    icsLive: text('ics_live'),
    /** The same event as cancelled: STATUS:CANCELLED and "AFLYST: " before the summary. */
    icsCancelled: text('ics_cancelled'),
  },
  (t) => [index('feed_events_network').on(t.networkSlug), index('feed_events_meeting').on(t.meetingId)],
);

/**
 * Which events each feed (scope) holds and in what state: one row per scope and UID, kept after the event
 * leaves the scope (`present` 0) so the feed goes on announcing it as cancelled for 30 days, with a SEQUENCE
 * of its own that only grows. Scopes: `network:{slug}`, `meeting:{id}`, `meeting-items:{id}`, `track:{id}`,
 * `theme:{slug}/{key}`, `cluster:{id}`, `personal:{participantId}`.
 */
export const feedScopeEvents = sqliteTable(
  'feed_scope_events',
  {
    scope: text('scope').notNull(),
    uid: text('uid').notNull(),
    meetingId: text('meeting_id').notNull(),
    sequence: integer('sequence').notNull(),
    present: integer('present').notNull(),
    /** When the event last entered, changed in or left this scope. */
    changedAt: text('changed_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.uid] }),
    index('feed_scope_events_meeting').on(t.meetingId),
    index('feed_scope_events_scope_meeting').on(t.scope, t.meetingId),
  ],
);

/**
 * A feed body in pieces: one meeting's shown events in one scope, framed for that feed (SEQUENCE, DTSTAMP,
 * LAST-MODIFIED after each UID) and in feed order, so a change to one meeting re-assembles its piece only.
 * Triggers (migrations/0008) delete a piece whenever its meeting's events or their scope rows change; a piece
 * whose cancelled event has dropped out since (`expires_at_ms`) is assembled again when read.
 */
export const feedScopeChunks = sqliteTable(
  'feed_scope_chunks',
  {
    scope: text('scope').notNull(),
    meetingId: text('meeting_id').notNull(),
    /** The smallest sort key of the meeting's events in this scope: pieces go out in this order. */
    firstKey: text('first_key').notNull(),
    text: blob('text', { mode: 'buffer' }).notNull(),
    lastModifiedMs: integer('last_modified_ms').notNull(),
    expiresAtMs: integer('expires_at_ms'),
    /** The time zones (TZIDs) of the shown events, comma-separated; null when none. */
    tzids: text('tzids'),
  },
  (t) => [primaryKey({ columns: [t.scope, t.meetingId] }), index('feed_scope_chunks_meeting').on(t.meetingId)],
);

/**
 * Work for the feed publisher, written by triggers in the same transaction as the change that causes it and
 * drained right after: `meeting` (re-publish a meeting's events and their feeds), `personal`
 * (`{meetingId} {participantId}`: a registration changed), `body` (rebuild one scope's feed body),
 * `network` (rebuild the network-level feeds' headers).
 */
export const feedQueue = sqliteTable(
  'feed_queue',
  {
    kind: text('kind').notNull(),
    key: text('key').notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key] })],
);

/** Each feed as served: the plain bytes and their gzip and brotli forms, built once per change. */
export const feedBodies = sqliteTable('feed_bodies', {
  scope: text('scope').primaryKey(),
  etag: text('etag').notNull(),
  lastModifiedMs: integer('last_modified_ms').notNull(),
  /** When the next cancelled event drops out (ms), null when none will. */
  expiresAtMs: integer('expires_at_ms'),
  plain: blob('plain', { mode: 'buffer' }).notNull(),
  gzip: blob('gzip', { mode: 'buffer' }).notNull(),
  br: blob('br', { mode: 'buffer' }).notNull(),
});

/**
 * Keys the service made for itself, by name: 'link' is the key personal feed secrets are derived from when
 * LINK_SECRET is not set (32 random bytes, base64url). Not audited: the trail must not copy a key.
 */
export const serviceKeys = sqliteTable('service_keys', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: text('created_at').notNull(),
});

/** Settings the stored feed fragments were rendered with (base URL, TTL, renderer version). */
export const feedMeta = sqliteTable('feed_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const tokenRoles = ['admin', 'coordinator', 'reader'] as const;

export const apiTokens = sqliteTable('api_tokens', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role', { enum: tokenRoles }).notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: text('created_at').notNull(),
  lastUsedAt: text('last_used_at'),
  revokedAt: text('revoked_at'),
  expiresAt: text('expires_at').default(sql`NULL`),
});

/** The networks a coordinator or reader token may act in (admins act everywhere). */
export const tokenNetworks = sqliteTable(
  'token_networks',
  {
    tokenId: text('token_id')
      .notNull()
      .references(() => apiTokens.id, { onDelete: 'cascade' }),
    networkSlug: text('network_slug')
      .notNull()
      .references(() => networks.slug, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.tokenId, t.networkSlug] })],
);

/** Every write, recorded by triggers (migrations/0003) inside the writing transaction. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    actor: text('actor').notNull(),
    tokenId: text('token_id'),
    action: text('action', { enum: ['create', 'update', 'delete'] }).notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id').notNull(),
    networkSlug: text('network_slug'),
    /** JSON of the row before and after (null for create/delete respectively). */
    before: text('before'),
    after: text('after'),
  },
  (t) => [
    index('audit_network').on(t.networkSlug, t.id),
    index('audit_entity').on(t.entity, t.entityId),
    index('audit_token').on(t.tokenId, t.id),
    index('audit_at').on(t.at),
  ],
);

/** Responses to POSTs sent with an Idempotency-Key, per token, so a retry creates nothing new. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    tokenId: text('token_id').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    bodyHash: text('body_hash').notNull(),
    /** null while the first request is still being handled. */
    status: integer('status'),
    response: text('response'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tokenId, t.key] })],
);

export type VenueRow = typeof venues.$inferSelect;
export type NetworkRow = typeof networks.$inferSelect;
export type MeetingRow = typeof meetings.$inferSelect;
export type TrackRow = typeof tracks.$inferSelect;
export type ThemeRow = typeof themes.$inferSelect;
export type SpeakerRow = typeof speakers.$inferSelect;
export type ItemRow = typeof agendaItems.$inferSelect;
export type TokenRow = typeof apiTokens.$inferSelect;
export type ReleaseRow = typeof releases.$inferSelect;
export type FeedEventRow = typeof feedEvents.$inferSelect;
export type FeedScopeEventRow = typeof feedScopeEvents.$inferSelect;
export type MeetingStatus = (typeof meetingStatuses)[number];
export type ItemKind = (typeof itemKinds)[number];
export type TokenRole = (typeof tokenRoles)[number];

export const regions = ['Region Hovedstaden', 'Region Sjælland', 'Region Syddanmark', 'Region Midtjylland', 'Region Nordjylland'] as const;

/** Denmark's 98 municipalities (reference data, loaded by migration 0005). */
export const municipalities = sqliteTable('municipalities', {
  code: integer('code').primaryKey(),
  name: text('name').notNull(),
  region: text('region', { enum: regions }).notNull(),
});

/** Clusters (klynger) of member municipalities within a network. */
export const clusters = sqliteTable(
  'clusters',
  {
    id: text('id').primaryKey(),
    networkSlug: text('network_slug')
      .notNull()
      .references(() => networks.slug, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** 1: members signed up by the network's deadline, 2: later ones; null: proposed for all members at once. */
    wave: integer('wave'),
    /** The person who facilitates the cluster's meeting series (shown on every series meeting). */
    facilitator: text('facilitator').notNull().default(''),
    ...timestamps,
  },
  (t) => [index('clusters_network').on(t.networkSlug)],
);

export const memberStatuses = ['active', 'withdrawn'] as const;

/** A municipality's membership of a network, with its contact person. */
export const members = sqliteTable(
  'members',
  {
    id: text('id').primaryKey(),
    networkSlug: text('network_slug')
      .notNull()
      .references(() => networks.slug, { onDelete: 'cascade' }),
    municipalityCode: integer('municipality_code')
      .notNull()
      .references(() => municipalities.code),
    contactName: text('contact_name').notNull(),
    contactEmail: text('contact_email').notNull(),
    contactRole: text('contact_role').notNull().default(''),
    /** The contact person's phone number ('' when not given). Personal data, like the name and e-mail. */
    contactPhone: text('contact_phone').notNull().default(''),
    status: text('status', { enum: memberStatuses }).notNull().default('active'),
    clusterId: text('cluster_id').references(() => clusters.id, { onDelete: 'set null' }),
    signedUpAt: text('signed_up_at').notNull(),
    withdrawnAt: text('withdrawn_at'),
    ...timestamps,
  },
  (t) => [uniqueIndex('members_network_municipality').on(t.networkSlug, t.municipalityCode), index('members_cluster').on(t.clusterId)],
);

/**
 * People who take part in a network's meetings: one record per person and network. Personal data: never in
 * public outputs or logs; erasable.
 */
export const participants = sqliteTable(
  'participants',
  {
    id: text('id').primaryKey(),
    networkSlug: owningNetwork(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    role: text('role').notNull().default(''),
    municipalityCode: integer('municipality_code').references(() => municipalities.code),
    /**
     * SHA-256 of the personal feed's secret (the raw secret is shown when created or rotated). Not unique:
     * a person's records in several networks that were one record before migration 0006 share their secret,
     * and the feed at that secret shows all of them.
     */
    feedTokenHash: text('feed_token_hash').notNull(),
    /**
     * How often the personal feed secret was rotated. Since migration 0012 the secret is derived:
     * HMAC-SHA256(link key, `personal-feed:{id}:{generation}`) (participants/feed-secrets.ts), so the service can put
     * it in e-mails while storing only its hash. Records made before keep their random secret until rotated.
     */
    generation: integer('generation').notNull().default(0),
    /** The language of the e-mails the participant gets: 'da' (default) or 'en'. */
    language: text('language', { enum: ['da', 'en'] }).notNull().default('da'),
    /** 0 = no e-mails about changes to their meetings (receipts are always sent). */
    changeEmails: integer('change_emails', { mode: 'boolean' }).notNull().default(true),
    /** The secret of the participant's e-mail preference link (List-Unsubscribe); made with their first e-mail. */
    emailToken: text('email_token'),
    ...timestamps,
  },
  (t) => [
    index('participants_network').on(t.networkSlug, t.name, t.id),
    index('participants_feed_token').on(t.feedTokenHash),
    uniqueIndex('participants_email_token').on(t.emailToken),
  ],
);

export const registrationStatuses = ['registered', 'waitlisted', 'cancelled'] as const;

export const registrations = sqliteTable(
  'registrations',
  {
    id: text('id').primaryKey(),
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    participantId: text('participant_id')
      .notNull()
      .references(() => participants.id, { onDelete: 'cascade' }),
    trackId: text('track_id').references(() => tracks.id, { onDelete: 'set null' }),
    status: text('status', { enum: registrationStatuses }).notNull(),
    /** Order on the waiting list (and of registration): a monotonically increasing number. */
    queuedAt: integer('queued_at').notNull(),
    ...timestamps,
  },
  (t) => [
    index('registrations_meeting').on(t.meetingId, t.status, t.queuedAt),
    index('registrations_participant').on(t.participantId),
  ],
);

export const proposalStatuses = ['open', 'accepted', 'declined'] as const;

/** Themes or questions participants propose for a network's meetings. */
export const themeProposals = sqliteTable(
  'theme_proposals',
  {
    id: text('id').primaryKey(),
    networkSlug: text('network_slug')
      .notNull()
      .references(() => networks.slug, { onDelete: 'cascade' }),
    meetingId: text('meeting_id').references(() => meetings.id, { onDelete: 'set null' }),
    /** null once the author is erased: the proposal stays, anonymous. */
    participantId: text('participant_id').references(() => participants.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    status: text('status', { enum: proposalStatuses }).notNull().default('open'),
    themeId: text('theme_id').references(() => themes.id, { onDelete: 'set null' }),
    itemId: text('item_id').references(() => agendaItems.id, { onDelete: 'set null' }),
    decisionNote: text('decision_note').notNull().default(''),
    decidedAt: text('decided_at'),
    ...timestamps,
  },
  (t) => [index('proposals_network').on(t.networkSlug, t.status)],
);

export const proposalVotes = sqliteTable(
  'proposal_votes',
  {
    proposalId: text('proposal_id')
      .notNull()
      .references(() => themeProposals.id, { onDelete: 'cascade' }),
    participantId: text('participant_id')
      .notNull()
      .references(() => participants.id, { onDelete: 'cascade' }),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.proposalId, t.participantId] })],
);

export type MunicipalityRow = typeof municipalities.$inferSelect;
export type MemberRow = typeof members.$inferSelect;
export type ClusterRow = typeof clusters.$inferSelect;
export type ParticipantRow = typeof participants.$inferSelect;
export type RegistrationRow = typeof registrations.$inferSelect;
export type ProposalRow = typeof themeProposals.$inferSelect;

export const webhookEventTypes = [
  'release.published',
  'meeting.cancelled',
  'meeting.changed',
  'registration.confirmed',
  'registration.waitlisted',
  'registration.promoted',
  'registration.cancelled',
  'member.signed-up',
  'member.withdrawn',
  'proposal.accepted',
] as const;

/**
 * The durable outbox: one row per change someone must hear about, written in the same transaction as the
 * change. The worker (server/outbox/outbox-worker.ts) fans each message out into deliveries once.
 */
export const outboxMessages = sqliteTable(
  'outbox_messages',
  {
    /** Stable: the webhook-id of every webhook delivery and the base of every e-mail's Message-ID. */
    id: text('id').primaryKey(),
    networkSlug: text('network_slug').notNull(),
    type: text('type', { enum: webhookEventTypes }).notNull(),
    /** JSON: the webhook payload's `data`. */
    payload: text('payload').notNull(),
    /** JSON array of participant ids to e-mail, decided when the change was written. */
    recipients: text('recipients').notNull().default('[]'),
    createdAt: text('created_at').notNull(),
    /** Set in the transaction that created its deliveries; null while still to be fanned out. */
    fannedOutAt: text('fanned_out_at'),
  },
  (t) => [index('outbox_messages_unfanned').on(t.fannedOutAt, t.createdAt)],
);

export const webhookStatuses = ['active', 'disabled'] as const;

/** Where a network's changes are POSTed (Standard Webhooks), with the endpoint's signing secret. */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    networkSlug: text('network_slug')
      .notNull()
      .references(() => networks.slug, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    /** JSON array of event types. */
    events: text('events').notNull(),
    /** `whsec_` + base64 of 32 random bytes; shown once, when created. */
    secret: text('secret').notNull(),
    status: text('status', { enum: webhookStatuses }).notNull().default('active'),
    /** Deliveries that failed for good in a row; reset by a success. */
    failures: integer('failures').notNull().default(0),
    disabledAt: text('disabled_at'),
    disabledReason: text('disabled_reason'),
    ...timestamps,
  },
  (t) => [index('webhook_endpoints_network').on(t.networkSlug, t.id)],
);

export const deliveryChannels = ['webhook', 'email'] as const;
export const deliveryStatuses = ['pending', 'delivered', 'failed', 'skipped'] as const;

/** One message to one recipient (a webhook endpoint or a participant's e-mail): delivered at most once. */
export const outboxDeliveries = sqliteTable(
  'outbox_deliveries',
  {
    id: text('id').primaryKey(),
    messageId: text('message_id')
      .notNull()
      .references(() => outboxMessages.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: deliveryChannels }).notNull(),
    /** The webhook endpoint's id or the participant's id. */
    target: text('target').notNull(),
    status: text('status', { enum: deliveryStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** When the next attempt is due (ms since the epoch). */
    nextAttemptAtMs: integer('next_attempt_at_ms').notNull(),
    /** Set while an attempt is under way; one left set at start-up was cut off by a crash and is tried again. */
    claimedAtMs: integer('claimed_at_ms'),
    lastAttemptAt: text('last_attempt_at'),
    /** HTTP status of the last webhook attempt (null: no answer). */
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    deliveredAt: text('delivered_at'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('outbox_deliveries_message_target').on(t.messageId, t.channel, t.target),
    index('outbox_deliveries_due').on(t.status, t.nextAttemptAtMs),
    index('outbox_deliveries_target').on(t.channel, t.target, t.createdAt),
  ],
);

export type OutboxMessageRow = typeof outboxMessages.$inferSelect;
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type OutboxDeliveryRow = typeof outboxDeliveries.$inferSelect;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/**
 * Manage links (self-service capability URLs, server/self-service/manage-links.ts): a municipality's contact
 * manages its membership, a participant their registrations and data, each by a secret URL of 128+ random
 * bits. Only the secret's SHA-256 is stored. Exactly one of member and participant is set; the link goes
 * with its record (erasure of a participant removes it).
 */
export const manageLinks = sqliteTable(
  'manage_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    memberId: text('member_id').references(() => members.id, { onDelete: 'cascade' }),
    participantId: text('participant_id').references(() => participants.id, { onDelete: 'cascade' }),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    index('manage_links_member').on(t.memberId),
    index('manage_links_participant').on(t.participantId),
    check('manage_links_one_holder', sql`(${t.memberId} IS NULL) <> (${t.participantId} IS NULL)`),
  ],
);

export type ManageLinkRow = typeof manageLinks.$inferSelect;
