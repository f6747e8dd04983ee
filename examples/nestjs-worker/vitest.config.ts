import { defineProject } from 'vitest/config';
import { typescriptWithDecoratorMetadata } from '../../packages/nestjs/vitest.typescript.js';
import { sourceAliases } from '../../vitest.shared.js';

export default defineProject({
  oxc: false,
  plugins: [typescriptWithDecoratorMetadata()],
  resolve: { alias: sourceAliases },
  test: {
    name: 'example-nestjs-worker',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
