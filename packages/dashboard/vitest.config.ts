import { defineProject } from 'vitest/config';
import { packageTestProject } from '../../vitest.shared.js';

export default defineProject(
  packageTestProject('dashboard', {
    globalSetup: ['./test/support/build-assets.setup.ts', '../provider-postgres/test/global-setup.ts'],
  }),
);
