// Participant registration by the public form: one transaction makes the participant (in the meeting's
// network), the registration (the waiting-list rule and the receipts are the registrations repository's)
// and the participant's manage link. Any refusal (closed, no track chosen, unknown municipality) rolls all
// of it back: nothing is half-saved.
import type { Db } from '../../db/client.js';
import type { MeetingRow, NetworkRow } from '../../db/schema.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { municipalitiesRepository } from '../municipalities/municipalities.repository.js';
import type { Municipality } from '../municipalities/municipalities.schemas.js';
import { networksRepository } from '../networks/networks.repository.js';
import { participantsRepository } from '../participants/participants.repository.js';
import { registrationClosesAt, registrationOpen } from '../registrations/registration-window.js';
import { registrationsRepository } from '../registrations/registrations.repository.js';
import type { Registration, RegistrationSummary } from '../registrations/registrations.schemas.js';
import { createManageLink } from './manage-links.js';
import { selfServiceWrite } from './self-service-write.js';

export interface RegistrationInput {
  name: string;
  email: string;
  municipalityCode: number;
  trackId: string | null;
  language: 'da' | 'en';
}

export interface RegistrationPage {
  meeting: MeetingRow;
  network: NetworkRow;
  open: boolean;
  closesAt: Date;
  /** Places and tracks (the meeting's working tracks: registration chooses among them). */
  summary: RegistrationSummary;
  municipalities: Municipality[];
}

export function registrationService(db: Db, baseUrl: string, linkKey: Buffer, now: () => Date = () => new Date()) {
  const meetings = meetingsRepository(db, baseUrl);
  const registrations = registrationsRepository(db, baseUrl);

  return {
    /** What the form needs; drafts are 404 as everywhere in public. */
    page(meetingId: string): RegistrationPage {
      const meeting = meetings.getRow(meetingId, false);
      const network = networksRepository(db, baseUrl).getRow(meeting.networkSlug);
      return {
        meeting,
        network,
        open: meeting.status === 'announced' && registrationOpen(meeting, now()),
        closesAt: registrationClosesAt(meeting),
        summary: registrations.summary(meetingId, true, now()),
        municipalities: municipalitiesRepository(db).list(),
      };
    },

    register(meetingId: string, input: RegistrationInput): { token: string; registration: Registration } {
      return selfServiceWrite(db, () => {
        const meeting = meetings.getRow(meetingId, false);
        const participant = participantsRepository(db, baseUrl, linkKey).create(meeting.networkSlug, {
          name: input.name,
          email: input.email,
          municipalityCode: input.municipalityCode,
          language: input.language,
        });
        const registration = registrations.register(meetingId, { participantId: participant.id, trackId: input.trackId }, now());
        const token = createManageLink(db, { participantId: participant.id });
        return { token, registration };
      });
    },
  };
}

export type RegistrationService = ReturnType<typeof registrationService>;
