// Text as it may appear in a feed. ical-generator escapes `\ ; ,` and newlines in event text, but not
// the calendar's NAME/X-WR-CALNAME/X-WR-CALDESC, nor quotes in parameter values (ORGANIZER;CN): the
// helpers here close those gaps, so user text can never end a property or start a new one.
import { escape } from 'ical-generator';

// Halves of a surrogate pair without the other half: not encodable as UTF-8.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// C0 controls except LF (CR is normalised first), DEL and C1 controls: not allowed in iCalendar TEXT.
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

/** User text made safe for a TEXT value: one kind of newline (LF), no control characters, no lone surrogates. */
export function cleanText(value: string): string {
  return value
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(/\t/g, ' ')
    .replace(CONTROLS, '');
}

/** Text on one line (for names): every run of line breaks and spaces becomes one space. */
export function oneLine(value: string): string {
  return cleanText(value).replace(/\s*\n\s*/g, ' ').trim();
}

/** A TEXT value escaped per RFC 5545 3.3.11, for the properties ical-generator writes verbatim. */
export function escapeText(value: string): string {
  return escape(cleanText(value), false);
}

/**
 * A parameter value (e.g. ORGANIZER's CN). ical-generator quotes it but escapes `"` and `\` with a
 * backslash, which RFC 5545 does not know (parameter values have no escapes): drop those characters.
 */
export function paramText(value: string): string {
  return oneLine(value).replace(/["\\]/g, '');
}
