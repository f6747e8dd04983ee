import { defineConfig } from 'vitest/config';
import { esbuildTypeScript, sourceAliases } from './vitest.shared.js';

export default defineConfig({
  oxc: false,
  plugins: [esbuildTypeScript()],
  resolve: { alias: sourceAliases },
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'examples/*/vitest.config.ts',
      'bench/vitest.config.ts',
      'docs/snippets/vitest.config.ts',
    ],
  },
});
