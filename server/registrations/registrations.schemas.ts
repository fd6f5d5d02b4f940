import { z } from 'zod';
import { registrationStatuses } from '../../db/schema.js';
import { id, timestamps } from '../http/fields.js';
import { pageQuery } from '../http/pagination.js';

export const registrationStatus = z.enum(registrationStatuses);

export const registrationCreate = z
  .strictObject({
    participantId: id.describe('The participant signing up'),
    trackId: id.nullable().optional().describe('Required when the meeting has tracks: one of its tracks'),
  })
  .meta({ id: 'RegistrationCreate' });

export const registrationPatch = z
  .strictObject({
    trackId: id.nullable().describe('The track to move to (null only for meetings without tracks)'),
  })
  .meta({ id: 'RegistrationPatch' });

export const registration = z
  .object({
    id,
    meetingId: z.string(),
    participantId: z.string(),
    trackId: z.string().nullable(),
    status: registrationStatus,
    queuedAt: z.number().int().describe('Order of registration and of the waiting list (lower first)'),
    waitlistPosition: z.number().int().nullable().describe('1-based place on the meeting’s waiting list; null unless waitlisted'),
    ...timestamps,
  })
  .meta({ id: 'Registration' });

export const registrationWithParticipant = registration
  .extend({
    participant: z.object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      role: z.string(),
      municipalityCode: z.number().int().nullable(),
    }),
  })
  .meta({ id: 'RegistrationWithParticipant', description: 'A registration with the participant’s personal data (private)' });

export const registrationListQuery = z.object({
  status: registrationStatus.optional(),
  track: z.string().max(64).optional().describe('A track id, or `none` for registrations without a track'),
  ...pageQuery,
});

const counts = {
  registered: z.number().int(),
  waitlisted: z.number().int(),
};

export const registrationSummary = z
  .object({
    meetingId: z.string(),
    capacity: z.number().int().nullable().describe('Places in the meeting; null = unlimited'),
    ...counts,
    available: z.number().int().nullable().describe('Free places; null = unlimited'),
    open: z.boolean().describe('Whether registration is open now'),
    closesAt: z.string().describe('When registration closes (UTC)'),
    tracks: z.array(z.object({ id: z.string(), name: z.string(), capacity: z.number().int().nullable(), ...counts })),
  })
  .meta({ id: 'RegistrationSummary', description: 'Counts only: never who registered' });

export type RegistrationCreate = z.infer<typeof registrationCreate>;
export type Registration = z.infer<typeof registration>;
export type RegistrationWithParticipant = z.infer<typeof registrationWithParticipant>;
export type RegistrationSummary = z.infer<typeof registrationSummary>;
