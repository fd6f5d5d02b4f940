import { z } from 'zod';
import { feedLinks, id, name, text, timestamps } from '../http/fields.js';

export const THEME_KEY_RE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export const themeCreate = z
  .strictObject({
    key: z.string().regex(THEME_KEY_RE, 'short lowercase key, e.g. "aktuelt" or "ny-viden"'),
    name: name(200),
    description: text(5000).optional(),
  })
  .meta({ id: 'ThemeCreate' });

export const themePatch = themeCreate.omit({ key: true }).partial().meta({ id: 'ThemePatch' });

export const theme = z
  .object({
    id,
    networkSlug: z.string(),
    key: z.string(),
    name: z.string(),
    description: z.string(),
    feeds: z.object({ items: feedLinks }),
    ...timestamps,
  })
  .meta({ id: 'Theme' });

export const themeParams = z.object({ slug: z.string().max(100), key: z.string().max(100) });

export type ThemeCreate = z.infer<typeof themeCreate>;
export type ThemePatch = z.infer<typeof themePatch>;
export type Theme = z.infer<typeof theme>;
