// Small pieces every route plugin uses.
import { z } from 'zod';
import { requireToken } from '../auth/auth.plugin.js';
import { id } from './fields.js';

/** Spread into a write route's options: needs a token, documented as such. */
export const secured = { preHandler: requireToken } as const;
export const bearer = [{ bearerAuth: [] }];

export const idParams = z.object({ id });
export const noContent = { 204: z.undefined().describe('Done') };
