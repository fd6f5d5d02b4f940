// Every problem `code` the service answers with: its HTTP status and a title an integrator can show. The one
// list: AppError, problemBody and the error helpers take a ProblemCode, so a code that is not here does not
// compile; the OpenAPI document lists them all (the Problem schema's `code` enum, and a table in its
// description); test/problem-codes.test.ts checks that each is used somewhere and answered with its status.
export const PROBLEM_CODES = {
  // Requests the service cannot read
  'bad-request': { status: 400, title: 'The request is not valid HTTP, or its body does not match its headers' },
  'bad-url': { status: 400, title: 'The URL is malformed (invalid percent-encoding)' },
  'invalid-json': { status: 400, title: 'The body is not valid JSON, or empty although declared JSON' },
  'invalid-utf8': { status: 400, title: 'The body is not valid UTF-8' },
  'invalid-body': { status: 400, title: 'The body is not what this operation takes' },
  'validation-failed': { status: 400, title: 'Fields do not match the schema; `errors` names each' },
  'invalid-cursor': { status: 400, title: 'The pagination cursor is not one this list gave out' },
  'invalid-idempotency-key': { status: 400, title: 'The Idempotency-Key header is malformed' },
  'request-timeout': { status: 408, title: 'The request did not arrive in time' },
  'payload-too-large': { status: 413, title: 'The body is too large' },
  'uri-too-long': { status: 414, title: 'The URL, or a segment of it, is too long' },
  'unsupported-media-type': { status: 415, title: 'Send JSON with Content-Type: application/json' },
  'unsupported-charset': { status: 415, title: 'JSON bodies are UTF-8' },
  'headers-too-large': { status: 431, title: 'The request line and headers exceed 16 KiB' },
  // Who may do what
  unauthorized: { status: 401, title: 'The bearer token is missing, unknown, expired or revoked' },
  forbidden: { status: 403, title: 'The token’s role or network does not allow this' },
  'rate-limited': { status: 429, title: 'Too many requests for this token or address; see Retry-After' },
  'too-many-auth-failures': { status: 429, title: 'Too many failed authentications from this address' },
  'last-admin-token': { status: 409, title: 'The last active admin token cannot be revoked' },
  'invalid-scope': { status: 400, title: 'A coordinator token needs a network, an admin token none' },
  'invalid-expiry': { status: 400, title: 'The token’s expiry is not in the future' },
  'idempotent-secret-withheld': { status: 409, title: 'A secret shown once is not shown again to a repeated request' },
  // Lookups
  'not-found': { status: 404, title: 'The resource does not exist (or is not visible to you)' },
  'route-not-found': { status: 404, title: 'No such operation' },
  'unknown-network': { status: 400, title: 'A network named in the body does not exist' },
  'unknown-venue': { status: 400, title: 'A venue named in the body does not exist in this network' },
  'unknown-speaker': { status: 400, title: 'A speaker named in the body does not exist in this network' },
  'unknown-theme': { status: 400, title: 'A theme named in the body does not exist in this network' },
  'unknown-participant': { status: 400, title: 'A participant named in the body does not exist in this network' },
  'unknown-municipality': { status: 400, title: 'Not one of Denmark’s 98 municipality codes' },
  'unknown-cluster': { status: 400, title: 'A cluster named in the body does not exist in this network' },
  'item-not-in-network': { status: 400, title: 'An agenda item named is not in this network' },
  'track-not-in-meeting': { status: 400, title: 'The track is not one of this meeting’s' },
  // Concurrency and retries
  'precondition-failed': { status: 412, title: 'The resource changed since the ETag sent in If-Match' },
  'precondition-required': { status: 428, title: 'Send If-Match with the ETag you read' },
  'idempotency-key-reused': { status: 422, title: 'This Idempotency-Key was used with another request' },
  'constraint-violation': { status: 409, title: 'The change conflicts with existing data' },
  'confirmation-required': { status: 409, title: 'The deletion takes registrations or releases with it: repeat with ?confirm=true' },
  // Networks, members, sign-up
  'slug-taken': { status: 409, title: 'The slug is taken' },
  'network-not-empty': { status: 409, title: 'The network still has meetings' },
  'invalid-season': { status: 400, title: 'The season’s end is before its start' },
  'invalid-signup-window': { status: 400, title: 'The sign-up window’s deadline is before its opening' },
  'signup-not-open': { status: 409, title: 'The network’s sign-up window has not opened' },
  'signup-closed': { status: 409, title: 'The network’s sign-up deadline has passed' },
  'already-member': { status: 409, title: 'The municipality is already an active member' },
  'not-a-member': { status: 400, title: 'A municipality named is not an active member' },
  'duplicate-municipality': { status: 400, title: 'A municipality appears twice' },
  // Clusters
  'invalid-cluster-size': { status: 400, title: 'The cluster size bounds are not min ≤ max' },
  'cluster-size-unset': { status: 400, title: 'Give the size bounds: the network sets no default' },
  'cluster-size': { status: 409, title: 'A cluster is outside the network’s size bounds' },
  'pins-need-travel': { status: 400, title: 'Pins apply to the proposal by travel only' },
  'pin-conflict': { status: 400, title: 'Municipalities are pinned both together and apart' },
  'pin-too-large': { status: 400, title: 'More municipalities pinned together than a cluster may hold' },
  'pins-unsatisfiable': { status: 409, title: 'No grouping within the size bounds keeps every pin' },
  'facilitator-required': { status: 409, title: 'A series needs the cluster’s facilitator' },
  'cluster-empty': { status: 409, title: 'The cluster has no active members to host meetings' },
  'unknown-template': { status: 400, title: 'No agenda template with this key' },
  'default-template-missing': { status: 409, title: 'The network’s default agenda template is not installed' },
  'series-out-of-range': { status: 400, title: 'The series would run past the year 9999' },
  // Meetings, items, agenda
  'invalid-meeting': { status: 400, title: 'The meeting’s fields do not fit together' },
  'invalid-time-range': { status: 400, title: 'The end is not after the start' },
  'nonexistent-local-time': { status: 400, title: 'The wall time does not exist in the zone (daylight-saving gap)' },
  'item-outside-meeting': { status: 409, title: 'The item must lie within the meeting’s hours' },
  'items-outside-meeting': { status: 409, title: 'The change would leave agenda items outside the meeting’s hours' },
  'shift-out-of-meeting': { status: 409, title: 'The shift would move items outside the meeting’s hours' },
  'same-meeting': { status: 400, title: 'Source and target are the same meeting' },
  'track-required': { status: 400, title: 'This meeting runs parallel tracks: name one' },
  'agenda-conflict': { status: 409, title: 'The change would make agenda items overlap' },
  'agenda-has-errors': { status: 409, title: 'The agenda has errors; `errors` lists them' },
  'agenda-does-not-fit': { status: 409, title: 'The agenda does not fit the target meeting' },
  'missing-themes': { status: 409, title: 'The template names themes the network lacks: pass createMissingThemes' },
  'template-does-not-fit': { status: 409, title: 'The template does not fit the meeting’s hours' },
  'link-required': { status: 400, title: 'An online or hybrid meeting needs a link' },
  'speaker-in-use': { status: 409, title: 'The speaker is on agenda items' },
  'theme-in-use': { status: 409, title: 'The theme is on agenda items' },
  'theme-key-taken': { status: 409, title: 'The theme key is taken in this network' },
  'venue-in-use': { status: 409, title: 'The venue is used by meetings' },
  'no-changes': { status: 409, title: 'Nothing changed since the last release' },
  'meeting-not-announced': { status: 409, title: 'The meeting is not announced' },
  // Registrations and proposals
  'registration-closed': { status: 409, title: 'Registration for the meeting is closed' },
  'registration-cancelled': { status: 409, title: 'The registration is cancelled' },
  'already-registered': { status: 409, title: 'The participant is already registered for the meeting' },
  'proposal-closed': { status: 409, title: 'The proposal is no longer open' },
  'already-voted': { status: 409, title: 'The participant has already voted for this proposal' },
  // Webhooks
  'webhook-target-forbidden': { status: 400, title: 'The webhook URL is not allowed (scheme, or a private, loopback or link-local address)' },
  'webhook-disabled': { status: 409, title: 'The webhook endpoint is disabled: register it again' },
  'delivery-in-progress': { status: 409, title: 'The delivery is being attempted right now' },
  // The service itself
  'internal-error': { status: 500, title: 'Something went wrong on our side' },
  overloaded: { status: 503, title: 'The service is overloaded; see Retry-After' },
  'write-not-saved': { status: 503, title: 'The change could not be saved; nothing was stored, retry' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export const problemCodes = Object.keys(PROBLEM_CODES) as ProblemCode[];

/** The catalogue as a Markdown table, for the OpenAPI document's description. */
export function problemCodeTable(): string {
  const rows = problemCodes.map((code) => `| \`${code}\` | ${PROBLEM_CODES[code].status} | ${PROBLEM_CODES[code].title} |`);
  return ['| code | status | meaning |', '|---|---|---|', ...rows].join('\n');
}
