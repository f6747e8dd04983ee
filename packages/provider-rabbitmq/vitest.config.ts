import { defineProject } from 'vitest/config';
import { packageTestProject } from '../../vitest.shared.js';

export default defineProject(
  packageTestProject('provider-rabbitmq', {
    globalSetup: ['./test/global-setup.ts', '../provider-postgres/test/global-setup.ts'],
    testTimeout: 60_000,
  }),
);
