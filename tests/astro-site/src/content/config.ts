// The lesson collections as the course site declares them, in the same file
// (src/content/config.ts, which Astro 5 still reads when there is no
// src/content.config.ts): `course` holds the MDX files under
// src/content/course/<NN-module-N>/<NN-slug>.mdx, `courseEn` the English
// edition with the same names under src/content/course-en/.
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

// The site's lesson schema, shared by every edition.
const lessonSchema = z.object({
  title: z.string(),
  description: z.string(),
  order: z.number(),
  difficulty: z.enum(['beginner', 'intermediate', 'advanced']),
  // Minutes.
  estimatedTime: z.number(),
  topics: z.array(z.string()),
  prerequisites: z.array(z.string()).optional(),
});

const course = defineCollection({
  // No generateId: the site uses the loader's default id (each path segment
  // run through github-slugger, extension dropped), and so must the fixture,
  // or a file name the site would rename could pass here unnoticed. For the
  // lowercase `NN-slug` names the MDX builder writes, the id is the path
  // without extension, e.g. `05-module-5/01-advanced-python-consumer`.
  loader: glob({ pattern: '**/*.mdx', base: './src/content/course' }),
  // Plain (non-strict) object: unknown keys are dropped, but every declared
  // key has its exact type, so `order: "1"` is a schema error, not a coercion.
  schema: lessonSchema,
});

// The English edition: a sibling collection with the same file names, pages
// under /en/course/<entry id>/ (mdx_content_root and mdx_site_base for
// LANGUAGE=en in conf.py).
const courseEn = defineCollection({
  loader: glob({ pattern: '**/*.mdx', base: './src/content/course-en' }),
  schema: lessonSchema,
});

export const collections = { course, courseEn };
