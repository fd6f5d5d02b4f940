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

/**
 * Content lines folded at 75 octets (RFC 5545 3.1): a CRLF and a space before the octet that would pass 74 on
 * a line, never inside a character. The same output as ical-generator's `foldLines`, which measures each
 * character by encoding it with a new TextEncoder: for 10,000 events that made about 1.4 GB of garbage and was
 * the largest allocation of a release (bench scale run). Here a character's UTF-8 length is read off its code.
 */
export function foldLines(input: string): string {
  const lines = input.split('\r\n');
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l]!;
    let octets = 0;
    let breaks: number[] | undefined;
    for (let i = 0; i < line.length; i++) {
      const start = i;
      const code = line.charCodeAt(i);
      let size: number;
      if (code < 0x80) size = 1;
      else if (code < 0x800) size = 2;
      else if (code >= 0xd800 && code <= 0xdbff) {
        // A high surrogate and the code unit after it count as one character (as ical-generator takes them):
        // four octets for a pair; a lone surrogate encodes as U+FFFD (three), then the next unit its own.
        const next = i + 1 < line.length ? line.charCodeAt(i + 1) : -1;
        i++;
        if (next >= 0xdc00 && next <= 0xdfff) size = 4;
        else size = 3 + (next < 0 ? 0 : next < 0x80 ? 1 : next < 0x800 ? 2 : 3);
      } else size = 3;
      octets += size;
      if (octets > 74) {
        (breaks ??= []).push(start);
        octets = size;
      }
    }
    if (breaks) {
      let folded = '';
      let from = 0;
      for (const at of breaks) {
        folded += `${line.slice(from, at)}\r\n `;
        from = at;
      }
      lines[l] = folded + line.slice(from);
    }
  }
  return lines.join('\r\n');
}
