// A meeting's registrations as CSV for spreadsheets, as a plain function. Made for Danish Excel: UTF-8 with
// a byte order mark (without it Excel reads the bytes as Windows-1252 and æ ø å break), `;` between fields
// (Danish Excel's list separator: `,` is the decimal comma), CRLF line ends, a header row, quoting by
// csv-stringify. Cells a spreadsheet would run as a formula (starting with = + - @, or tab / carriage return
// which some spreadsheets skip before one) get a leading apostrophe (OWASP's CSV injection advice).
import { stringify } from 'csv-stringify/sync';
import type { RegistrationExportRow } from '../registrations/registrations.repository.js';

export const CSV_DELIMITER = ';';
const BOM = '\uFEFF';

const STATUS_LABELS: Record<RegistrationExportRow['status'], string> = {
  registered: 'tilmeldt',
  waitlisted: 'venteliste',
  cancelled: 'afmeldt',
};

export const CSV_HEADER = [
  'Kønummer',
  'Navn',
  'E-mail',
  'Rolle',
  'Kommunekode',
  'Kommune',
  'Spor',
  'Status',
  'Plads på ventelisten',
  'Tilmeldt (UTC)',
  'Ændret (UTC)',
  'Tilmeldings-id',
];

/** A text cell a spreadsheet would take for a formula, made inert with a leading apostrophe. */
export function guardFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** The CSV text, starting with the BOM (sent as UTF-8, it is the bytes EF BB BF). */
export function registrationsCsv(rows: RegistrationExportRow[]): string {
  const records = rows.map((r) => [
    String(r.queuedAt),
    guardFormula(r.participant.name),
    guardFormula(r.participant.email),
    guardFormula(r.participant.role),
    r.participant.municipalityCode === null ? '' : String(r.participant.municipalityCode),
    guardFormula(r.participant.municipality ?? ''),
    guardFormula(r.trackName ?? ''),
    STATUS_LABELS[r.status],
    r.waitlistPosition === null ? '' : String(r.waitlistPosition),
    r.createdAt,
    r.updatedAt,
    r.id,
  ]);
  const text = stringify([CSV_HEADER, ...records], { delimiter: CSV_DELIMITER, record_delimiter: 'windows' });
  return BOM + text;
}
