import { defineProject } from 'vitest/config';
import { packageTestProject } from '../../vitest.shared.js';

export default defineProject(
  packageTestProject('example-mix-and-match', {
    globalSetup: ['../../packages/provider-postgres/test/global-setup.ts'],
    testTimeout: 120_000,
  }),
);
