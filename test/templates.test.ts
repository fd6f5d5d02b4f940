import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { checkAgenda } from '../server/checks/agenda-checks.js';
import {
  TemplateError,
  checkTemplate,
  layOut,
  loadTemplates,
  templateDetailSchema,
  templateSchema,
  templateSummarySchema,
  templatesFolder,
  toSummary,
  type Template,
} from '../server/templates/templates.js';

const networkThemes = ['aktuelt', 'lovgivning', 'ny-viden', 'sparring'];

const tempDir = (t: { teardown: (fn: () => unknown) => void }, files: Record<string, string | object>) => {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-templates-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
};

/** A minimal valid template. */
const valid = (key = 'mini') => ({
  key,
  name: 'Mini',
  lengthMinutes: 60,
  tracks: [{ key: 'a', name: 'A' }],
  themes: [{ key: 'aktuelt', name: 'Aktuelt på områderne' }],
  items: [
    { start: 0, minutes: 30, title: 'Plenum', kind: 'presentation', themes: ['aktuelt'] },
    { start: 30, minutes: 30, title: 'Spor A', kind: 'workshop', track: 'a', themes: ['aktuelt'] },
  ],
});

t.test('the shipped templates', async (t) => {
  const dir = templatesFolder();
  t.match(dir, /agenda-templates\/?$/);
  const templates = loadTemplates(dir);
  t.same(
    templates.map((x) => x.key),
    ['peer-sparring-day', 'plenary-day', 'plenary-morning-parallel-afternoon'],
  );
  for (const tpl of templates) {
    t.test(tpl.key, async (t) => {
      t.equal(tpl.lengthMinutes, 360);
      t.ok(tpl.items.some((i) => i.kind === 'lunch'), 'has lunch');
      t.same(
        tpl.themes.map((th) => th.key),
        networkThemes,
      );
      t.same(
        tpl.themes.map((th) => th.name),
        [
          'Aktuelt på områderne',
          'Ny lovgivning, økonomiaftaler og politiske udspil',
          'Ny viden fra forskning og undersøgelser',
          'Gensidig sparring',
        ],
      );
      // laid out at 10:00 and checked as a real meeting: no findings at all
      const laid = layOut(tpl, '10:00');
      t.equal(laid.startTime, '10:00');
      t.equal(laid.endTime, '16:00');
      const findings = checkAgenda({
        meeting: { startTime: laid.startTime, endTime: laid.endTime },
        standardMinutes: 360,
        tracks: laid.tracks.map((tr) => ({ id: tr.key, name: tr.name })),
        items: laid.items.map((i, n) => ({
          id: String(n),
          trackId: i.trackKey,
          startTime: i.startTime,
          endTime: i.endTime,
          title: i.title,
          kind: i.kind,
          themes: i.themeKeys,
          speakers: [],
        })),
      });
      t.same(findings, [], 'no errors, no gaps, no warnings');
      t.same(checkTemplate(tpl), []);
      t.ok(templateDetailSchema.safeParse(tpl).success);
      t.ok(templateSummarySchema.safeParse(toSummary(tpl)).success);
    });
  }
  const parallel = templates.find((x) => x.key === 'plenary-morning-parallel-afternoon')!;
  t.same(
    parallel.tracks.map((tr) => tr.key),
    ['dagtilbud', 'skole'],
  );
  t.same(toSummary(parallel).tracks[0], {
    key: 'dagtilbud',
    name: 'Dagtilbud',
    audience: 'Konsulenter og chefer med ansvar for dagtilbudsområdet',
  });
});

t.test('templatesFolder works from the source and the build location', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'netagenda-root-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'agenda-templates'));
  mkdirSync(join(root, 'server/templates'), { recursive: true });
  mkdirSync(join(root, 'dist/server/templates'), { recursive: true });
  const expected = join(root, 'agenda-templates') + '/';
  t.equal(templatesFolder(pathToFileURL(join(root, 'server/templates/templates.ts'))), expected);
  t.equal(templatesFolder(pathToFileURL(join(root, 'dist/server/templates/templates.js')).href), expected);
  t.throws(() => templatesFolder(pathToFileURL(join(root, 'x/y/z/w/templates.js'))), /No agenda-templates folder found/);
  // a file of that name is not a folder
  const other = mkdtempSync(join(tmpdir(), 'netagenda-root-'));
  t.teardown(() => rmSync(other, { recursive: true, force: true }));
  writeFileSync(join(other, 'agenda-templates'), '');
  mkdirSync(join(other, 'a/b'), { recursive: true });
  t.throws(() => templatesFolder(pathToFileURL(join(other, 'a/b/t.js'))), /No agenda-templates folder found/);
});

t.test('defaults and the parsed shape', async (t) => {
  const dir = tempDir(t, { 'mini.json': valid(), 'notes.txt': 'ignored', 'other.json': valid('aaa') });
  mkdirSync(join(dir, 'sub.json'));
  const [first, mini] = loadTemplates(dir) as [Template, Template];
  t.equal(first.key, 'aaa', 'sorted by key');
  t.equal(mini.description, '');
  t.same(mini.tracks, [{ key: 'a', name: 'A', audience: '', description: '' }]);
  t.same(mini.items[0], {
    start: 0,
    minutes: 30,
    title: 'Plenum',
    kind: 'presentation',
    track: null,
    themes: ['aktuelt'],
    description: '',
  });
});

t.test('a folder with broken templates names every problem', async (t) => {
  const unknownTrack = valid('unknown-track');
  unknownTrack.items[1]!.track = 'b';
  const tooLong = valid('too-long');
  tooLong.items[1]!.minutes = 45;
  const dir = tempDir(t, {
    'a-bad-json.json': '{ "key": "x", ',
    'b-unknown-track.json': unknownTrack,
    'c-too-long.json': tooLong,
    'd-first.json': valid('same'),
    'e-second.json': valid('same'),
    'f-fine.json': valid('fine'),
    'g-extra-field.json': { ...valid('extra'), colour: 'blue' },
  });
  const err = t.throws(() => loadTemplates(dir)) as TemplateError;
  t.type(err, TemplateError);
  t.equal(err.name, 'TemplateError');
  t.same(
    err.problems.map((p) => [p.file, p.path]),
    [
      ['a-bad-json.json', '(root)'],
      ['b-unknown-track.json', 'items.1.track'],
      ['c-too-long.json', 'items.1'],
      ['e-second.json', 'key'],
      ['g-extra-field.json', '(root)'],
    ],
  );
  const lines = err.message.split('\n');
  t.match(lines[0], `Invalid agenda templates in ${dir}:`);
  t.match(lines[1], /^ {2}a-bad-json\.json: \(root\): not valid JSON: /);
  t.match(lines[2], /^ {2}b-unknown-track\.json: items\.1\.track: unknown track "b"; declare it in tracks$/);
  t.match(lines[3], /^ {2}c-too-long\.json: items\.1: "Spor A" ends 75 minutes after the start, beyond lengthMinutes 60$/);
  t.match(lines[4], /^ {2}e-second\.json: key: duplicate template key "same" \(also in d-first\.json\)$/);
  t.match(lines[5], /^ {2}g-extra-field\.json: \(root\): Unrecognized key: "colour"$/);
  t.equal(lines.length, 6);
});

t.test('format problems', async (t) => {
  const problems = (json: unknown) => {
    const r = templateSchema.safeParse(json);
    t.notOk(r.success);
    return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const base = valid();
  t.match(problems({ ...base, key: 'Bad_Key' }), [/^key: must be lower-case/]);
  t.match(problems({ ...base, key: '-x' }), [/^key: /]);
  t.match(problems({ ...base, key: 'a'.repeat(41) }), [/^key: /]);
  t.ok(templateSchema.safeParse({ ...base, key: 'a'.repeat(40) }).success);
  t.ok(templateSchema.safeParse({ ...base, key: 'x' }).success);
  t.match(problems({ ...base, extra: 1 }), [/^: Unrecognized key/]);
  t.match(problems({ ...base, items: [{ ...base.items[0], minutes: 4 }] }), [/^items\.0\.minutes: /]);
  t.match(problems({ ...base, items: [{ ...base.items[0], start: 1.5 }] }), [/^items\.0\.start: /]);
  t.match(problems({ ...base, items: [{ ...base.items[0], kind: 'party' }] }), [/^items\.0\.kind: /]);
  t.match(problems({ ...base, items: [] }), [/^items: /]);
  t.match(problems({ ...base, name: '  ' }), [/^name: must not be blank/]);

  // duplicate keys, unknown and repeated themes: all reported together
  const dupes = {
    ...base,
    tracks: [...base.tracks, { key: 'a', name: 'A igen' }],
    themes: [...base.themes, { key: 'aktuelt', name: 'Igen' }],
    items: [{ ...base.items[0], themes: ['aktuelt', 'nyt', 'aktuelt'] }, base.items[1]],
  };
  t.same(problems(dupes), [
    'tracks.1.key: duplicate track key "a"',
    'themes.1.key: duplicate theme key "aktuelt"',
    'items.0.themes.1: unknown theme "nyt"; declare it in themes',
    'items.0.themes.2: theme "aktuelt" is listed twice',
  ]);

  // the agenda checks: errors reject the template, warnings do not
  const overlapping = { ...base, items: [base.items[0], { ...base.items[1], start: 15 }] };
  t.same(problems(overlapping), [
    'items.0: plenary-overlap: Plenary item "Plenum" (10:00–10:30) overlaps "Spor A" (10:15–10:45) in track "A"',
  ]);
  const plenaryClash = { ...base, tracks: [], items: [base.items[0], { ...base.items[0], start: 20, title: 'Andet' }] };
  t.same(problems(plenaryClash), [
    'items.0: track-overlap: Plenary items "Plenum" (10:00–10:30) and "Andet" (10:20–10:50) overlap',
  ]);
  const gappy = { ...base, items: [{ ...base.items[0], themes: [] }] };
  const parsed = templateSchema.parse(gappy);
  t.same(
    checkTemplate(parsed).map((f) => f.code),
    ['empty-track', 'item-without-theme', 'track-gap'],
  );
});

t.test('long templates are checked from midnight', async (t) => {
  const long = {
    key: 'long',
    name: 'Lang',
    lengthMinutes: 1000,
    items: [
      { start: 0, minutes: 500, title: 'A', kind: 'workshop' },
      { start: 400, minutes: 600, title: 'B', kind: 'workshop' },
    ],
  };
  const r = templateSchema.safeParse(long);
  t.notOk(r.success);
  t.match(r.error!.issues[0]!.message, /^track-overlap: Plenary items "A" \(00:00–08:20\) and "B" \(06:40–16:40\) overlap$/);
  long.items[1]!.start = 500;
  long.items[1]!.minutes = 500;
  const ok = templateSchema.parse(long);
  t.throws(() => layOut(ok, '10:00'), /would pass midnight/);
  t.equal(layOut(ok, '07:00').endTime, '23:40');
  t.notOk(templateSchema.safeParse({ ...long, lengthMinutes: 1440 }).success);
});

t.test('layOut', async (t) => {
  const tpl = templateSchema.parse({
    ...valid(),
    lengthMinutes: 90,
    tracks: [
      { key: 'a', name: 'A' },
      { key: 'b', name: 'B', audience: 'Alle andre' },
    ],
    items: [
      { start: 30, minutes: 30, title: 'Spor A', kind: 'workshop', track: 'a', themes: ['aktuelt'], description: 'Beskrivelse' },
      { start: 0, minutes: 30, title: 'Plenum', kind: 'presentation', themes: ['aktuelt'] },
      { start: 30, minutes: 30, title: 'Spor B', kind: 'workshop', track: 'b', themes: ['aktuelt'] },
      { start: 60, minutes: 30, title: 'Slut', kind: 'discussion', themes: ['aktuelt'] },
    ],
  });
  const laid = layOut(tpl, '09:45');
  t.equal(laid.startTime, '09:45');
  t.equal(laid.endTime, '11:15');
  t.same(laid.tracks, [
    { key: 'a', name: 'A', audience: '', description: '' },
    { key: 'b', name: 'B', audience: 'Alle andre', description: '' },
  ]);
  t.not(laid.tracks[0], tpl.tracks[0], 'tracks are copies');
  t.same(laid.items, [
    { startTime: '09:45', endTime: '10:15', title: 'Plenum', kind: 'presentation', trackKey: null, themeKeys: ['aktuelt'], description: '' },
    { startTime: '10:15', endTime: '10:45', title: 'Spor A', kind: 'workshop', trackKey: 'a', themeKeys: ['aktuelt'], description: 'Beskrivelse' },
    { startTime: '10:15', endTime: '10:45', title: 'Spor B', kind: 'workshop', trackKey: 'b', themeKeys: ['aktuelt'], description: '' },
    { startTime: '10:45', endTime: '11:15', title: 'Slut', kind: 'discussion', trackKey: null, themeKeys: ['aktuelt'], description: '' },
  ]);
  laid.items[0]!.themeKeys.push('x');
  t.same(tpl.items[1]!.themes, ['aktuelt'], 'theme keys are copies');

  // the latest possible start ends at 23:59; one minute later passes midnight
  t.equal(layOut(tpl, '22:29').endTime, '23:59');
  t.throws(() => layOut(tpl, '22:30'), /Template "mini" \(90 minutes\) starting at 22:30 would pass midnight/);
  t.throws(() => layOut(tpl, '24:00'), /Not a time HH:MM/);
  t.throws(() => layOut(tpl, '9:00'), /Not a time HH:MM/);
});

t.test('an unreadable folder is a TemplateError', async (t) => {
  const missing = join(tmpdir(), 'netagenda-no-such-folder-' + process.pid);
  const err = t.throws(() => loadTemplates(missing)) as TemplateError;
  t.type(err, TemplateError);
  t.match(err.message, /cannot read the folder/);
  t.equal(err.problems.length, 1);
});
