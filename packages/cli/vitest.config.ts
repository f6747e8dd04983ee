import { defineProject } from 'vitest/config';
import { packageTestProject } from '../../vitest.shared.js';

export default defineProject(
  packageTestProject('cli', { globalSetup: ['../provider-postgres/test/global-setup.ts'] }),
);
