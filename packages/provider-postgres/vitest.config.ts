import { defineProject } from 'vitest/config';
import { packageTestProject } from '../../vitest.shared.js';

export default defineProject(
  packageTestProject('provider-postgres', {
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
  }),
);
