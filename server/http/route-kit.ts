// Small pieces every route plugin uses.
import { z } from 'zod';
import { id } from './fields.js';

export const bearer = [{ bearerAuth: [] }];

export const idParams = z.object({ id });
export const noContent = { 204: z.undefined().describe('Done') };
