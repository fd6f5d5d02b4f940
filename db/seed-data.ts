// The network the project started from: KL's consultant network on day-care and school 2019–2020.
// Facts copied from the network's announcement. The announcement gives no hours: we assume 10:00–16:00
// (six hours, as it says) in Europe/Copenhagen; it names Odense but no street address.
import type { MeetingCreate } from '../server/meetings/meetings.schemas.js';
import type { NetworkCreate } from '../server/networks/networks.schemas.js';
import type { ThemeCreate } from '../server/themes/themes.schemas.js';
import type { VenueCreate } from '../server/venues/venues.schemas.js';

export const SEED_SLUG = 'kl-konsulentnetvaerk-2019-2020';

export const seedVenue: VenueCreate = {
  name: 'Odense',
  city: 'Odense',
};

export const seedNetwork: NetworkCreate = {
  slug: SEED_SLUG,
  name: 'KL’s konsulentnetværk på dagtilbuds- og folkeskoleområdet 2019-2020',
  description:
    'KL´s konsulentnetværk for kommunale konsulenter, teamledere mv. på dagtilbuds- og folkeskoleområdet ' +
    'videreføres. Der er nu mulighed for, at kommuner, der ikke har deltaget det første år, kan tilmelde sig.\n\n' +
    'Netværket mødes tre gange om året til heldagsmøder à seks timer i Odense. På nogle møder vil der en del af ' +
    'tiden være parallellagte programmer målrettet konsulenter med forskelligt fokus. Temaer for netværksmøderne ' +
    'og indholdet på dagene vil løbende blive fastlagt i dialog med deltagerne i netværket.',
  purpose:
    'Formålet med netværket er at styrke de kommunale konsulenters og forvaltningers opgaveløsning og ' +
    'kapacitetsopbygning på tværs af dagtilbuds- og folkeskoleområdet. Der vil være fokus på viden om og ' +
    'forståelse for værdien af samarbejde på tværs af fagområder og opgavetyper.\n\n' +
    'I netværket vil der både være fokus på konsulentens rolle i forhold til at understøtte den administrative og ' +
    'politiske ledelse, og opgaver som understøtter praksis på skoler og i dagtilbud. På netværksmøderne vil der ' +
    'både være oplæg og drøftelser, så deltagerne får mulighed for at få ny viden og sparring på egen praksis.',
  organiser: {
    name: 'KL',
    email: 'mfs@kl.dk',
    phone: '3370 3370',
    address: 'Weidekampsgade 10, 2300 København S',
  },
  seasonStart: '2019-09-11',
  seasonEnd: '2020-06-03',
  timeZone: 'Europe/Copenhagen',
  standardMeetingMinutes: 360,
};

export const seedThemes: ThemeCreate[] = [
  { key: 'aktuelt', name: 'Aktuelt på områderne', description: 'Aktuelt på dagtilbuds- og folkeskoleområdet.' },
  {
    key: 'lovgivning',
    name: 'Ny lovgivning, økonomiaftaler og politiske udspil',
    description: 'Ny lovgivning, økonomiaftaler, politiske udspil, øvrige centrale dagsordener mv.',
  },
  {
    key: 'ny-viden',
    name: 'Ny viden fra forskning og undersøgelser',
    description: 'Ny viden fra forskning og undersøgelser, herunder KL’s forvaltningsundersøgelser.',
  },
  { key: 'sparring', name: 'Gensidig sparring', description: 'Gensidig sparring på konkrete kommunale opgaver.' },
];

const meetingDescription =
  'Heldagsmøde i KL’s konsulentnetværk med oplæg og drøftelser: aktuelt på områderne, ny lovgivning og ' +
  'politiske udspil, ny viden fra forskning og undersøgelser, og gensidig sparring på konkrete kommunale opgaver.';

export const seedMeetings: MeetingCreate[] = [
  { date: '2019-09-11', title: 'Netværksmøde 11. september 2019' },
  { date: '2020-01-16', title: 'Netværksmøde 16. januar 2020' },
  { date: '2020-06-03', title: 'Netværksmøde 3. juni 2020' },
].map((m) => ({ ...m, startTime: '10:00', endTime: '16:00', status: 'announced' as const, description: meetingDescription }));

// The national programme of the 2016 announcement: municipalities sign up by 1 June 2016 and are grouped in
// clusters of 6–8 with a facilitated meeting series; the first clusters start in September 2016, later
// ones late 2016/early 2017. The announcement gives no meeting dates, so none are seeded.
export const PROGRAMME_SLUG = 'kl-ledelse-af-laering-og-trivsel-2016';

export const seedProgramme: NetworkCreate = {
  slug: PROGRAMME_SLUG,
  name: 'KL’s landsdækkende projekt om ledelse af læring og trivsel',
  description:
    'Efter tæt dialog med Børne- og Kulturchefforeningen og Skolelederforeningen har KL taget initiativ til et ' +
    'landsdækkende projekt om ledelse af læring og trivsel. Alle kommuner opfordres til at deltage og dermed ' +
    'samarbejde med andre kommuner om udvikling af ledelsesopgaverne. Hovedaktiviteten i projektet er en ' +
    'faciliteret møderække i forpligtende klyngefællesskaber med hver 6-8 kommuner, der skal arbejde med ledelse ' +
    'på alle niveauer. De første klyngesamarbejder starter op i september 2016, og efterfølgende klyngesamarbejder ' +
    'starter ultimo 2016/primo 2017.',
  purpose:
    'Med folkeskolereformen, fokus på kvalitetsudvikling i dagtilbud og udvikling af et sammenhængende børn- og ' +
    'ungeområde er der sat nye og højere ambitioner for børn og unges læring og trivsel. Projektet skal ' +
    'understøtte, at kommunerne samarbejder om aktuelle ledelsesudfordringer i en praksisnær sammenhæng og ' +
    'udleder elementer, der kan bruges af hele kommunesektoren. Der vil bl.a. være fokus på de strategiske og ' +
    'faglige ledelsesopgaver med dokumentation og resultatopfølgning i forhold til børns læring og trivsel.',
  organiser: {
    name: 'KL, chefkonsulent Lisbeth Due Pedersen',
    email: 'ldpe@kl.dk',
    phone: '3370 3316',
    address: 'Weidekampsgade 10, 2300 København S',
  },
  seasonStart: '2016-09-01',
  seasonEnd: null,
  timeZone: 'Europe/Copenhagen',
  standardMeetingMinutes: 360,
  signupDeadline: '2016-06-01T23:59',
  targetGroup: 'Forvaltningschefer, forvaltningsmedarbejdere og decentrale ledelser på 0-18 års området.',
  clusterMinSize: 6,
  clusterMaxSize: 8,
};

export const seedProgrammeThemes: ThemeCreate[] = [
  { key: 'strategisk-ledelse', name: 'Strategisk ledelse', description: 'De strategiske ledelsesopgaver på 0-18 års området.' },
  { key: 'faglig-ledelse', name: 'Faglig ledelse', description: 'Faglig ledelse af børn og unges læring og trivsel på alle niveauer.' },
  {
    key: 'resultatopfoelgning',
    name: 'Dokumentation og resultatopfølgning',
    description: 'Dokumentation og resultatopfølgning i forhold til børns læring og trivsel.',
  },
];
