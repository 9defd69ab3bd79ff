// Starlight's one collection, `docs`: every page under src/content/docs/,
// checked against Starlight's front-matter schema (title required;
// description, sidebar, … optional). Not extended: a key Starlight does not
// know is accepted and dropped, so the build cannot catch a stray key; the
// tests must read the front matter for that.
import { defineCollection } from 'astro:content';
import { docsLoader } from '@astrojs/starlight/loaders';
import { docsSchema } from '@astrojs/starlight/schema';

export const collections = {
  docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }),
};
