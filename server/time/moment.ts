// Shapes a stored wall time into the API's `Moment`.
import { toInstant, toOffsetString, toUtcString } from './local-time.js';

export function moment(date: string, time: string, zone: string) {
  return {
    local: `${date}T${time}`,
    timeZone: zone,
    offset: toOffsetString(date, time, zone),
    utc: toUtcString(toInstant(date, time, zone)),
  };
}
