// A bare Starlight site for the tests: they copy it, write the MDX builder's
// pages into src/content/docs/ and build it, to prove those pages publish
// into Starlight as they are. Nothing here may reach the network.
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';

export default defineConfig({
  // A base path, so the tests can check that links written by the builder
  // carry it (/handbook/<page>/) and still resolve.
  base: '/handbook',
  integrations: [
    starlight({
      title: 'Handbook fixture',
      // No `sidebar`: Starlight lists whatever pages the test wrote, ordered
      // by their `sidebar.order`, so the fixture needs no page names.
      // No search index at build time: tests that search index dist/
      // themselves (node_tools.pagefind_search), so that only their index
      // is ever searched.
      pagefind: false,
    }),
  ],
});
