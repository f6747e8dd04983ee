import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'readme-snippets',
    include: ['readme-snippets.test.ts'],
    globalSetup: ['../../packages/provider-postgres/test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
