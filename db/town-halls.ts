// Where each of Denmark's 98 municipalities has its town hall (rådhus), and which municipalities are
// islands reached only by ferry. Reference data beside db/municipalities.ts (keyed by the same codes).
//
// Source and precision, honestly: the positions are WGS84 latitude/longitude of each town hall, placed by
// the author from knowledge of Danish geography (not surveyed, and not read from OpenStreetMap or the Danish
// address register), rounded to 3 decimals. They should be within a kilometre or two of the town hall, but
// only the Capital Region's towns were spot-checked (against GeoNames town centres: within ~1 km).
// test/town-halls.test.ts checks that every point lies in Denmark and within its own region's extent, and
// a few known distances.
//
// Ferry-only: Bornholm, Samsø, Læsø, Fanø and Ærø have no bridge or tunnel to the mainland (Langeland,
// Mors, Als, Funen, Lolland-Falster and Zealand have).
// Landmass: the part of the road network a town hall is on: Jutland (with Als and Mors), Funen (with
// Langeland and Tåsinge) or Zealand (with Lolland, Falster and Møn), joined by the Little Belt and Great
// Belt bridges; a ferry-only island counts as the landmass its ferries sail to (Bornholm: Zealand, through
// Sweden; Ærø: Funen; Samsø, Læsø, Fanø: Jutland).

export type Landmass = 'Jylland' | 'Fyn' | 'Sjælland';

export interface TownHall {
  /** The town where the town hall stands (the venue's city). */
  town: string;
  latitude: number;
  longitude: number;
  /** Reached from the rest of Denmark only by ferry (or plane). */
  ferryOnly: boolean;
  landmass: Landmass;
}

const FERRY_ONLY = new Set([400, 492, 563, 741, 825]);

/** Funen and its bridged islands, and Ærø: the municipality codes 410–492. */
const landmassOf = (code: number): Landmass => (code < 410 ? 'Sjælland' : code <= 492 ? 'Fyn' : 'Jylland');

const list: [code: number, town: string, latitude: number, longitude: number][] = [
  // Region Hovedstaden
  [101, 'København', 55.676, 12.569], [147, 'Frederiksberg', 55.679, 12.532], [151, 'Ballerup', 55.731, 12.363],
  [153, 'Brøndby', 55.648, 12.419], [155, 'Dragør', 55.594, 12.672], [157, 'Charlottenlund', 55.751, 12.557],
  [159, 'Søborg', 55.733, 12.490], [161, 'Glostrup', 55.664, 12.401], [163, 'Herlev', 55.724, 12.440],
  [165, 'Albertslund', 55.657, 12.355], [167, 'Hvidovre', 55.642, 12.474], [169, 'Taastrup', 55.651, 12.273],
  [173, 'Kongens Lyngby', 55.771, 12.503], [175, 'Rødovre', 55.681, 12.454], [183, 'Ishøj', 55.615, 12.352],
  [185, 'Kastrup', 55.630, 12.601], [187, 'Vallensbæk', 55.623, 12.385], [190, 'Farum', 55.808, 12.370],
  [201, 'Lillerød', 55.871, 12.346], [210, 'Kokkedal', 55.904, 12.502], [217, 'Helsingør', 56.036, 12.612],
  [219, 'Hillerød', 55.927, 12.301], [223, 'Hørsholm', 55.881, 12.501], [230, 'Holte', 55.815, 12.470],
  [240, 'Ølstykke', 55.786, 12.196], [250, 'Frederikssund', 55.839, 12.069], [260, 'Helsinge', 56.022, 12.197],
  [270, 'Frederiksværk', 55.971, 12.023], [400, 'Rønne', 55.101, 14.706],
  // Region Sjælland
  [253, 'Greve', 55.583, 12.300], [259, 'Køge', 55.457, 12.183], [265, 'Roskilde', 55.641, 12.082],
  [269, 'Solrød Strand', 55.532, 12.219], [306, 'Asnæs', 55.810, 11.502], [316, 'Holbæk', 55.717, 11.713],
  [320, 'Haslev', 55.324, 11.964], [326, 'Kalundborg', 55.680, 11.089], [329, 'Ringsted', 55.443, 11.790],
  [330, 'Slagelse', 55.403, 11.354], [336, 'Store Heddinge', 55.310, 12.389], [340, 'Sorø', 55.432, 11.556],
  [350, 'Hvalsø', 55.594, 11.861], [360, 'Maribo', 54.776, 11.501], [370, 'Næstved', 55.230, 11.761],
  [376, 'Nykøbing Falster', 54.766, 11.874], [390, 'Vordingborg', 55.008, 11.911],
  // Region Syddanmark
  [410, 'Middelfart', 55.506, 9.730], [420, 'Assens', 55.270, 9.900], [430, 'Ringe', 55.238, 10.479],
  [440, 'Kerteminde', 55.449, 10.657], [450, 'Nyborg', 55.312, 10.789], [461, 'Odense', 55.396, 10.389],
  [479, 'Svendborg', 55.060, 10.607], [480, 'Bogense', 55.567, 10.088], [482, 'Rudkøbing', 54.937, 10.711],
  [492, 'Ærøskøbing', 54.888, 10.412], [510, 'Haderslev', 55.249, 9.489], [530, 'Grindsted', 55.757, 8.925],
  [540, 'Sønderborg', 54.910, 9.791], [550, 'Tønder', 54.933, 8.865], [561, 'Esbjerg', 55.467, 8.452],
  [563, 'Nordby', 55.444, 8.400], [573, 'Varde', 55.621, 8.481], [575, 'Vejen', 55.481, 9.137],
  [580, 'Aabenraa', 55.044, 9.419], [607, 'Fredericia', 55.566, 9.752], [621, 'Kolding', 55.491, 9.473],
  [630, 'Vejle', 55.709, 9.536],
  // Region Midtjylland
  [615, 'Horsens', 55.861, 9.850], [657, 'Herning', 56.138, 8.974], [661, 'Holstebro', 56.360, 8.616],
  [665, 'Lemvig', 56.549, 8.311], [671, 'Struer', 56.491, 8.590], [706, 'Ebeltoft', 56.195, 10.679],
  [707, 'Grenaa', 56.416, 10.879], [710, 'Hinnerup', 56.266, 10.063], [727, 'Odder', 55.974, 10.153],
  [730, 'Randers', 56.461, 10.037], [740, 'Silkeborg', 56.170, 9.546], [741, 'Tranebjerg', 55.835, 10.597],
  [746, 'Skanderborg', 56.034, 9.930], [751, 'Aarhus', 56.153, 10.203], [756, 'Ikast', 56.139, 9.158],
  [760, 'Ringkøbing', 56.090, 8.244], [766, 'Hedensted', 55.770, 9.702], [779, 'Skive', 56.567, 9.027],
  [791, 'Viborg', 56.452, 9.402],
  // Region Nordjylland
  [773, 'Nykøbing Mors', 56.794, 8.860], [787, 'Thisted', 56.957, 8.694], [810, 'Brønderslev', 57.270, 9.941],
  [813, 'Frederikshavn', 57.441, 10.537], [820, 'Aars', 56.803, 9.518], [825, 'Byrum', 57.256, 10.998],
  [840, 'Støvring', 56.886, 9.838], [846, 'Hobro', 56.639, 9.792], [849, 'Aabybro', 57.162, 9.731],
  [851, 'Aalborg', 57.048, 9.921], [860, 'Hjørring', 57.464, 9.982],
];

/** Town halls by municipality code. */
export const TOWN_HALLS: ReadonlyMap<number, TownHall> = new Map(
  list.map(([code, town, latitude, longitude]) => [code, { town, latitude, longitude, ferryOnly: FERRY_ONLY.has(code), landmass: landmassOf(code) }]),
);
