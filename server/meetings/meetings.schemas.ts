import { z } from 'zod';
import { meetingStatuses } from '../../db/schema.js';
import { dateString, feedLinks, id, localDateTime, moment, name, text, timeString, timeZone, timestamps } from '../http/fields.js';
import { pageQuery } from '../http/pagination.js';
import { venue } from '../venues/venues.schemas.js';

export const meetingStatus = z.enum(meetingStatuses);

export const meetingCreate = z
  .strictObject({
    title: name(200),
    date: dateString,
    startTime: timeString.describe('Local wall time in the meeting’s zone'),
    endTime: timeString.optional().describe('Default: start plus the network’s standard meeting length'),
    timeZone: timeZone.optional().describe('Default: the network’s zone'),
    venueId: z.string().min(1).max(64).nullable().optional().describe('Default: the network’s default venue'),
    status: meetingStatus.optional().describe('Default: draft'),
    description: text(10000).optional(),
    capacity: z.number().int().min(1).max(100000).nullable().optional().describe('Places; more registrations go on a waiting list'),
    registrationDeadline: localDateTime.nullable().optional().describe('Registration closes after this local time (default: when the meeting starts)'),
    clusterId: z.string().min(1).max(64).nullable().optional().describe('A cluster of the same network'),
  })
  .meta({ id: 'MeetingCreate' });

export const meetingPatch = meetingCreate.partial().meta({ id: 'MeetingPatch' });

export const meeting = z
  .object({
    id,
    networkSlug: z.string(),
    title: z.string(),
    date: z.string().describe('YYYY-MM-DD in the meeting’s zone'),
    startTime: z.string(),
    endTime: z.string(),
    timeZone: z.string(),
    start: moment,
    end: moment,
    durationMinutes: z.number().int(),
    status: meetingStatus,
    description: z.string(),
    capacity: z.number().int().nullable(),
    registrationDeadline: z.string().nullable(),
    clusterId: z.string().nullable(),
    venueId: z.string().nullable(),
    venue: venue.nullable(),
    feeds: z.object({ meeting: feedLinks, meetingWithItems: feedLinks }),
    ...timestamps,
  })
  .meta({ id: 'Meeting' });

export const meetingListQuery = z.object({
  from: dateString.optional().describe('Only meetings on or after this date'),
  to: dateString.optional().describe('Only meetings on or before this date'),
  status: meetingStatus.optional(),
  ...pageQuery,
});

export type MeetingCreate = z.infer<typeof meetingCreate>;
export type MeetingPatch = z.infer<typeof meetingPatch>;
export type Meeting = z.infer<typeof meeting>;
