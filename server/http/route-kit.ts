// Small pieces every route plugin uses.
import { z } from 'zod';
import { id } from './fields.js';

export const bearer = [{ bearerAuth: [] }];

export const idParams = z.object({ id });
export const noContent = { 204: z.undefined().describe('Done') };

/** `?confirm=true` goes ahead with a deletion that takes registrations or releases with it (else 409). */
export const confirmQuery = z.object({
  confirm: z
    .enum(['true', 'false'])
    .optional()
    .describe('`true`: delete although registrations or releases go with it. Without it such a delete answers 409 `confirmation-required`, changing nothing'),
});
