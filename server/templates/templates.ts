// Agenda templates: JSON files in agenda-templates/ describing a typical meeting day (tracks, themes,
// items in minutes after the start). Loaded and validated as a whole at start-up; laid out onto a
// concrete start time when a meeting is created from one. See agenda-templates/README.md.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { itemKinds } from '../../db/schema.js';
import { checkAgenda, errorsOnly } from '../checks/agenda-checks.js';
import { TIME_RE, fromMinutes, toMinutes } from '../time/local-time.js';

export const TEMPLATE_KEY_RE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** The last minute of the day a laid-out meeting may end at (23:59). */
const LAST_MINUTE = 23 * 60 + 59;
/** Where the template is laid out for validation, unless it is too long to fit after it. */
const CHECK_START = 10 * 60;

const key = z.string().regex(TEMPLATE_KEY_RE, 'must be lower-case letters, digits and inner hyphens, at most 40 characters');
const title = (max: number) => z.string().trim().min(1, 'must not be blank').max(max);
const prose = z.string().max(5000).default('');

const templateTrack = z.strictObject({
  key,
  name: title(200),
  audience: z.string().max(500).default(''),
  description: prose,
});

const templateTheme = z.strictObject({
  key,
  name: title(200),
  description: prose,
});

const templateItem = z.strictObject({
  start: z.int().min(0).describe('Minutes after the meeting’s start'),
  minutes: z.int().min(5).describe('Length in minutes'),
  title: title(300),
  kind: z.enum(itemKinds),
  track: key.nullable().default(null).describe('A track key of this template; null = plenary'),
  themes: z.array(key).max(20).default([]).describe('Theme keys declared in this template’s `themes`'),
  description: z.string().max(10000).default(''),
});

const templateObject = z.strictObject({
  key,
  name: title(200),
  description: prose,
  lengthMinutes: z.int().min(5).max(LAST_MINUTE).describe('The meeting’s length in minutes'),
  tracks: z.array(templateTrack).max(20).default([]),
  themes: z.array(templateTheme).max(50).default([]),
  items: z.array(templateItem).min(1).max(200),
});

/** The full template, as served by the API. */
export const templateDetailSchema = templateObject.meta({
  id: 'AgendaTemplate',
  description: 'A typical meeting day: tracks, themes and items placed in minutes after the meeting’s start',
});

/** A template file, with every cross-reference and the agenda checks validated. */
export const templateSchema = templateObject.superRefine((t, ctx) => {
  const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  let broken = false;
  const fail = (path: (string | number)[], message: string) => {
    broken = true;
    problem(path, message);
  };

  const unique = (list: { key: string }[], what: 'tracks' | 'themes') => {
    const seen = new Set<string>();
    list.forEach((entry, i) => {
      if (seen.has(entry.key)) fail([what, i, 'key'], `duplicate ${what.slice(0, -1)} key "${entry.key}"`);
      seen.add(entry.key);
    });
    return seen;
  };
  const trackKeys = unique(t.tracks, 'tracks');
  const themeKeys = unique(t.themes, 'themes');

  t.items.forEach((item, i) => {
    if (item.start + item.minutes > t.lengthMinutes) {
      fail(['items', i], `"${item.title}" ends ${item.start + item.minutes} minutes after the start, beyond lengthMinutes ${t.lengthMinutes}`);
    }
    if (item.track !== null && !trackKeys.has(item.track)) {
      fail(['items', i, 'track'], `unknown track "${item.track}"; declare it in tracks`);
    }
    item.themes.forEach((theme, j) => {
      if (!themeKeys.has(theme)) fail(['items', i, 'themes', j], `unknown theme "${theme}"; declare it in themes`);
      else if (item.themes.indexOf(theme) !== j) fail(['items', i, 'themes', j], `theme "${theme}" is listed twice`);
    });
  });
  if (broken) return;

  const startTime = fromMinutes(t.lengthMinutes <= LAST_MINUTE - CHECK_START ? CHECK_START : 0);
  for (const f of errorsOnly(checkTemplate(t, startTime))) {
    // The laid-out meeting itself is always valid, so every error concerns items.
    problem(['items', Number(f.items[0])], `${f.code}: ${f.message}`);
  }
});

export type Template = z.infer<typeof templateSchema>;

export const templateSummarySchema = z
  .object({
    key: z.string(),
    name: z.string(),
    description: z.string(),
    lengthMinutes: z.int(),
    tracks: z.array(z.object({ key: z.string(), name: z.string(), audience: z.string() })),
  })
  .meta({ id: 'AgendaTemplateSummary', description: 'An agenda template, without its items' });

export type TemplateSummary = z.infer<typeof templateSummarySchema>;

export function toSummary(t: Template): TemplateSummary {
  return {
    key: t.key,
    name: t.name,
    description: t.description,
    lengthMinutes: t.lengthMinutes,
    tracks: t.tracks.map(({ key, name, audience }) => ({ key, name, audience })),
  };
}

export interface TemplateProblem {
  file: string;
  path: string;
  message: string;
}

export class TemplateError extends Error {
  readonly problems: readonly TemplateProblem[];

  constructor(dir: string, problems: TemplateProblem[]) {
    super(
      `Invalid agenda templates in ${dir}:\n` + problems.map((p) => `  ${p.file}: ${p.path}: ${p.message}`).join('\n'),
    );
    this.name = 'TemplateError';
    this.problems = problems;
  }
}

const pathString = (path: readonly PropertyKey[]) => (path.length === 0 ? '(root)' : path.map(String).join('.'));

/**
 * Every `*.json` in `dir`, validated, sorted by key. Throws one TemplateError naming every problem in
 * every file (nothing is half-loaded); the same key in two files is a problem too.
 */
export function loadTemplates(dir: string): Template[] {
  const problems: TemplateProblem[] = [];
  let files: string[];
  try {
    files = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.json'))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw new TemplateError(dir, [{ file: dir, path: '(root)', message: `cannot read the folder: ${(err as Error).message}` }]);
  }

  const loaded: { file: string; template: Template }[] = [];
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (err) {
      problems.push({ file, path: '(root)', message: `not valid JSON: ${(err as Error).message}` });
      continue;
    }
    const parsed = templateSchema.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ file, path: pathString(issue.path), message: issue.message });
      continue;
    }
    const clash = loaded.find((l) => l.template.key === parsed.data.key);
    if (clash) {
      problems.push({ file, path: 'key', message: `duplicate template key "${parsed.data.key}" (also in ${clash.file})` });
      continue;
    }
    loaded.push({ file, template: parsed.data });
  }

  if (problems.length > 0) throw new TemplateError(dir, problems);
  return loaded.map((l) => l.template).sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * The agenda-templates folder at the project root, seen from this module's location: works from
 * server/templates/ (tsx, tests) and from dist/server/templates/ (the build).
 */
export function templatesFolder(from: string | URL = import.meta.url): string {
  const tried: string[] = [];
  for (const up of ['../../agenda-templates/', '../../../agenda-templates/']) {
    const dir = fileURLToPath(new URL(up, from));
    if (existsSync(dir) && statSync(dir).isDirectory()) return dir;
    tried.push(dir);
  }
  throw new Error(`No agenda-templates folder found (tried ${tried.join(', ')})`);
}

export interface LaidOutItem {
  startTime: string;
  endTime: string;
  title: string;
  kind: Template['items'][number]['kind'];
  trackKey: string | null;
  themeKeys: string[];
  description: string;
}

export interface LaidOut {
  /** The meeting's hours: `meetingStartTime` and that plus lengthMinutes. */
  startTime: string;
  endTime: string;
  tracks: Template['tracks'];
  /** In time order; items starting together keep the template's order. */
  items: LaidOutItem[];
}

/** The template's items on wall-clock times for a meeting starting at `meetingStartTime` (`HH:MM`). */
export function layOut(template: Template, meetingStartTime: string): LaidOut {
  if (!TIME_RE.test(meetingStartTime)) throw new RangeError(`Not a time HH:MM: "${meetingStartTime}"`);
  const start = toMinutes(meetingStartTime);
  const end = start + template.lengthMinutes;
  if (end > LAST_MINUTE) {
    throw new RangeError(
      `Template "${template.key}" (${template.lengthMinutes} minutes) starting at ${meetingStartTime} would pass midnight`,
    );
  }
  const items = template.items
    .map((item) => ({
      startTime: fromMinutes(start + item.start),
      endTime: fromMinutes(start + item.start + item.minutes),
      title: item.title,
      kind: item.kind,
      trackKey: item.track,
      themeKeys: [...item.themes],
      description: item.description,
    }))
    .sort((a, b) => (a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : 0));
  return {
    startTime: meetingStartTime,
    endTime: fromMinutes(end),
    tracks: template.tracks.map((tr) => ({ ...tr })),
    items,
  };
}

/**
 * `checkAgenda` on the template laid out at `startTime`, with the template's length as the standard.
 * Item ids are the item's index in `template.items` (as a string), track ids the track keys.
 */
export function checkTemplate(template: Template, startTime = '10:00') {
  const start = toMinutes(startTime);
  return checkAgenda({
    meeting: { startTime, endTime: fromMinutes(start + template.lengthMinutes) },
    standardMinutes: template.lengthMinutes,
    tracks: template.tracks.map((tr) => ({ id: tr.key, name: tr.name })),
    items: template.items.map((item, i) => ({
      id: String(i),
      trackId: item.track,
      startTime: fromMinutes(start + item.start),
      endTime: fromMinutes(start + item.start + item.minutes),
      title: item.title,
      kind: item.kind,
      themes: item.themes,
      speakers: [],
    })),
  });
}
