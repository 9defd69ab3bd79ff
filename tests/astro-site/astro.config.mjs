// Stand-in for the course site's Astro configuration: the same base path and
// integrations, so lessons that build here build there.
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import react from '@astrojs/react';

export default defineConfig({
  // The course is published under this prefix (mdx_site_base in conf.py);
  // lesson pages end up at /debezium-course/course/<entry id>/.
  base: '/debezium-course',
  integrations: [mdx(), react()],
});
