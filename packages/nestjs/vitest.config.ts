import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared.js';
import { typescriptWithDecoratorMetadata } from './vitest.typescript.js';

// TypeScript goes through tsc (decorator metadata for Nest's DI), not esbuild; oxc stays off.
export default defineProject({
  oxc: false,
  plugins: [typescriptWithDecoratorMetadata()],
  resolve: { alias: sourceAliases },
  test: {
    name: 'nestjs',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../provider-postgres/test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
